/**
 * Checks a Workspace read from a file against the CRD's own schema, with its
 * defaults applied, as the API server would: the CLI then refuses what
 * `kubectl apply` would refuse, naming the field.
 */
import { Ajv } from 'ajv';
import * as formatsModule from 'ajv-formats';
import { workspaceCrdManifest, WORKSPACE_API_GROUP, WORKSPACE_KIND, WORKSPACE_VERSION } from '../crd/workspace-crd.js';
import { keyPath } from '../values/load.js';
import { WorkspaceError, type WorkspaceResource } from './model.js';
import { specProblems } from './spec-rules.js';

const addFormats = (formatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;
const schema = (workspaceCrdManifest() as { spec: { versions: Array<{ schema: { openAPIV3Schema: object } }> } }).spec.versions[0].schema
  .openAPIV3Schema;
let validator: ReturnType<Ajv['compile']> | undefined;

export function validateWorkspace(doc: unknown): WorkspaceResource {
  const obj = doc as WorkspaceResource;
  if (obj?.apiVersion !== `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}` || obj?.kind !== WORKSPACE_KIND) {
    throw new WorkspaceError('apiVersion/kind', `expected ${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION} ${WORKSPACE_KIND}`);
  }
  if (!obj.metadata?.name) throw new WorkspaceError('metadata.name', 'is required');
  validator ??= addFormats(new Ajv({ strict: false, allErrors: true, useDefaults: true })).compile(schema);
  if (!validator(obj)) {
    const e = validator.errors![0];
    const field = keyPath(e.instancePath) + (e.keyword === 'required' ? `.${(e.params as { missingProperty: string }).missingProperty}` : '');
    throw new WorkspaceError(field.replace(/^\./, ''), e.message ?? 'is invalid');
  }
  // The CRD's CEL rules, which ajv does not read.
  const [problem] = specProblems(obj.spec);
  if (problem) throw new WorkspaceError(problem.field, problem.message);
  return obj;
}
