/** Real tools (kubeconform, kube-score, helm) from the cache that scripts/install-tools.sh fills. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { TOOLS_BIN } from '../cluster/control-plane.js';
import { ROOT } from './render.js';
import { CILIUM_NETWORK_POLICY_CRD } from './cilium.js';
import { GATEWAY_CRD, HTTPROUTE_CRD } from './gateway-api.js';
import { PROMETHEUS_RULE_CRD, SERVICE_MONITOR_CRD } from './prometheus-operator.js';

export function tool(name: string, args: string[], input?: string) {
  const bin = join(TOOLS_BIN, name);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run scripts/install-tools.sh first`);
  const res = spawnSync(bin, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

let crdSchemas: string | undefined;

/** Strict JSON schemas for our CRD and the real CiliumNetworkPolicy, Gateway API and prometheus-operator CRDs, generated like the Kubernetes ones. */
function crdSchemaDir(): string {
  if (!crdSchemas) {
    crdSchemas = mkdtempSync(join(tmpdir(), 'crd-schemas-'));
    const res = spawnSync(
      process.execPath,
      [join(ROOT, 'scripts', 'openapi-to-jsonschema.mjs'), '--crd', join(ROOT, 'imports/crds/platform.aileron.io_workspaces.yaml'), CILIUM_NETWORK_POLICY_CRD, HTTPROUTE_CRD, GATEWAY_CRD, SERVICE_MONITOR_CRD, PROMETHEUS_RULE_CRD, crdSchemas],
      { encoding: 'utf8' },
    );
    if (res.status !== 0) throw new Error(res.stderr);
  }
  return crdSchemas;
}

/** kubeconform -strict: unknown fields are errors; every kind must have a schema. */
export function kubeconform(paths: string[], input?: string) {
  const k8s = join(TOOLS_BIN, '..', 'schemas', 'current');
  return tool(
    'kubeconform',
    [
      '-strict',
      '-summary',
      '-output',
      'text',
      '-schema-location',
      `${k8s}/{{.ResourceKind}}{{.KindSuffix}}.json`,
      '-schema-location',
      `${crdSchemaDir()}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`,
      ...(input !== undefined ? ['-'] : paths),
    ],
    input,
  );
}
