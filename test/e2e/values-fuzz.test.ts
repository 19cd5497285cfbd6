/**
 * Whatever values synth accepts, the API server accepts what it renders:
 * the hostile values files of test/support/hostile-values.ts that pass
 * validation are rendered and applied with server-side dry-run, which checks
 * names, labels, annotations and quantities as a real install would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { k, kOk } from '../support/cluster.js';
import { installGatewayApiCrds } from '../support/gateway-api.js';
import { fixedSecrets } from '../support/render.js';
import { CURATED, generatedInputs } from '../support/hostile-values.js';
import { loadValues, ValuesError } from '../../lib/values/load.js';
import { renderPlatform, type K8sObject } from '../../lib/platform/platform-chart.js';
import { toYamlDocuments } from '../../lib/render/write.js';

const dir = mkdtempSync(join(tmpdir(), 'values-fuzz-'));
// Values in Gateway mode render HTTPRoutes and a Gateway, which the dry-run checks against the real CRDs.
beforeAll(installGatewayApiCrds);
const NS = 'values-fuzz';

/** The objects synth renders for a values file, or undefined when it refuses the file. */
function rendered(yaml: string, i: number): K8sObject[] | undefined {
  const file = join(dir, `v${i}.yaml`);
  writeFileSync(file, yaml);
  try {
    // Its own TURN NodePort: dry-run still refuses a port another test release holds.
    const values = loadValues({ files: [file], set: ['coturn.nodePort=30499'] });
    return renderPlatform({ values, release: `fz${i}`, namespace: NS, secrets: fixedSecrets, createReleaseNamespace: false });
  } catch (err) {
    if (err instanceof ValuesError) return undefined;
    throw err;
  }
}

test('every hostile values file synth accepts renders objects the API server accepts (server-side dry-run)', () => {
  const inputs = [...CURATED, ...generatedInputs(80, 13)];
  const accepted = inputs.map((input, i) => ({ input, objects: rendered(input.yaml, i) })).filter((r) => r.objects);
  expect(accepted.length).toBeGreaterThan(20);
  const all = accepted.flatMap((r) => r.objects!);
  // Namespaces for real (a dry-run cannot put objects in a namespace it only pretends to create); the rest dry.
  const namespaces = new Set([NS, ...all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name), ...all.map((o) => o.metadata.namespace).filter((n): n is string => !!n)]);
  for (const ns of namespaces) if (k(['get', 'namespace', ns]).status !== 0) kOk(['create', 'namespace', ns]);
  const failures: string[] = [];
  for (const { input, objects } of accepted) {
    const res = k(
      ['apply', '--server-side', '--dry-run=server', '--force-conflicts', '--field-manager=aileron-k8s', '-f', '-'],
      toYamlDocuments(objects!.filter((o) => o.kind !== 'Namespace')),
    );
    if (res.status !== 0 || res.stderr.trim()) failures.push(`${input.name}: ${res.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
  }
  expect(failures).toEqual([]);
});
