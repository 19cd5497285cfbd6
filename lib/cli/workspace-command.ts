/** `aileron-k8s workspace`: what the operator would apply for a Workspace file. */
import { InputError, readYamlInput } from '../values/read-input.js';
import type { Values } from '../values/schema.js';
import { ValuesError } from '../values/load.js';
import { workspacePlatform } from '../workspace/platform.js';
import { validateWorkspace } from '../workspace/validate.js';
import { desiredState } from '../workspace/workspace-chart.js';
import { toYamlDocuments } from '../render/write.js';

export function renderWorkspaceFile(file: string, values: Values, release: string, namespace: string): string {
  let doc: unknown;
  try {
    doc = readYamlInput(file);
  } catch (err) {
    if (err instanceof InputError) throw new ValuesError([err.message]);
    throw err;
  }
  const workspace = validateWorkspace(doc);
  const platform = workspacePlatform(values, { release, namespace });
  // The operator copies the TURN credentials from the CoTURN Secret when it applies.
  const credential = values.coturn.credential || `<copied from ${platform.turn.secretNamespace}/${platform.turn.secretName} by the operator>`;
  const copied = (key: string) => `<${key} copied from ${namespace}/${platform.auth.secretName} by the operator>`;
  const auth = { clientSecret: values.workspaceAuth.clientSecret || copied('client-secret'), cookieSecret: values.workspaceAuth.cookieSecret || copied('cookie-secret') };
  const { objects } = desiredState(workspace, platform, { turn: { username: values.coturn.username, credential }, auth });
  return toYamlDocuments(objects);
}
