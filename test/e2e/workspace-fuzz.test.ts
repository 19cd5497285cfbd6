/**
 * Hostile Workspaces against the real API server: whatever the CRD admits,
 * the operator's objects for it are admitted too (server-side dry-run, which
 * checks names, labels, mounts and quantities that kubeconform cannot), and
 * the operator's own checks (lib/workspace/spec-rules.ts, plus the CRD schema
 * through ajv) agree with the CRD's verdict. Fixed seed, bounded count.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { k, kOk, waitForCrd } from '../support/cluster.js';
import { ROOT, TEST_AUTH } from '../support/render.js';
import { join } from 'node:path';
import { loadValues } from '../../lib/values/load.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { validateWorkspace } from '../../lib/workspace/validate.js';
import { WorkspaceError, type WorkspaceResource } from '../../lib/workspace/model.js';
import { toYamlDocuments } from '../../lib/render/write.js';
import { CILIUM_NETWORK_POLICY_CRD } from '../support/cilium.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';

const OWNERS = 'fuzz-owners';
const TARGET = 'fuzz-ws';
const platformSet = [`kubernetes.allowedNamespaces={${TARGET}}`, `kubernetes.defaultNamespace=${TARGET}`];
const platform = workspacePlatform(loadValues({ set: platformSet }));
const ciliumPlatform = workspacePlatform(loadValues({ set: [...platformSet, 'cilium.enabled=true'] }));

beforeAll(() => {
  kOk(['apply', '--server-side', '--field-manager=aileron-k8s', '-f', join(ROOT, 'dist', '01-crds.yaml')]);
  kOk(['apply', '--server-side', '-f', CILIUM_NETWORK_POLICY_CRD]);
  waitForCrd();
  kOk(['wait', '--for=condition=Established', 'crd/ciliumnetworkpolicies.cilium.io']);
  for (const ns of [OWNERS, TARGET]) if (k(['get', 'namespace', ns]).status !== 0) kOk(['create', 'namespace', ns]);
});

const pick = <T>(...items: T[]) => fc.constantFrom(...items);
/** Mostly sound values, sometimes hostile ones: a Workspace then has one or two problems, not all. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
const quantity = mostly(pick<string | number>('500m', '1', 2, '2Gi', '100Mi', '1e3'), pick<string | number>('-1', 'abc', '0.5Gi', '1.5'));
const resourceName = mostly(pick('cpu', 'memory', 'ephemeral-storage'), pick('foo', 'example.com/gpu'));
const resourceList = fc.dictionary(resourceName, quantity, { maxKeys: 2 });
const resources = fc.record({ requests: resourceList, limits: resourceList }, { requiredKeys: [] });
const component = fc.record(
  { image: mostly(pick('repo/img:v1', 'registry.example.com:5000/a/b@sha256:abc'), pick('bad image')), resources },
  { requiredKeys: [] },
);
const longName = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{20,60}$/), fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/)).map(([a, b]) => `${a}.${b}`.slice(0, 253));

const spec = fc.record(
  {
    workspacePath: mostly(pick('/workspace', '/home/dev', '/srv/code', '/data/project_1'), pick('/tmp', '/tmp/x', '/knowledge', '/knowledge/kb', '/', '/a/../b', '/data/', '/proc/x', 'relative')),
    envVars: fc.array(
      fc.record({ key: mostly(pick('NODE_ENV', 'FOO', 'lower_ok', 'WORKSPACE_HOME', 'BAR_2'), pick('WORKSPACE_ID', 'GIT_URL', '1BAD')), value: fc.string({ maxLength: 8 }) }),
      { maxLength: 3 },
    ),
    knowledgeBases: fc.array(fc.record({ kbId: pick('kb-1', 'docs', 'team.notes'), alias: mostly(pick('kb', 'docs', 'notes'), pick('Bad_Alias')), readOnly: fc.boolean() }), { maxLength: 2 }),
    storage: fc.record(
      {
        size: mostly(pick<string | number>('10Gi', 5, '1.5Gi', '100M'), pick<string | number>('0', 0, '-1Gi', 'abc')),
        storageClassName: mostly(pick('', 'fast-ssd', 'gp3.encrypted'), pick('Fast_SSD', 'fast ssd')),
      },
      { requiredKeys: [] },
    ),
    runtime: component,
    browser: component,
    canvas: component,
    started: fc.boolean(),
    // Within the platform's default limits (an idle timeout of at most 24h): what lies beyond is a platform
    // decision, reported in status, not an admission one.
    lifecycle: fc.record({ idleTimeout: mostly(pick('4h', '30m', '1h30m'), pick('2 hours', '-1h', '1d')), maxAge: mostly(pick('0', '12h', '90s'), pick('12', 'forever')) }, { requiredKeys: [] }),
    bandwidth: fc.record(
      { ingress: mostly(pick('50M', '1k', '1P', '1.5G'), pick('500', '2P', '10Mi', '0.5k', 'fast')), egress: mostly(pick('20M', '100k'), pick('1E', '999')) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

interface Case {
  name: string;
  ws: WorkspaceResource;
}

const cases = (n: number): Case[] =>
  fc
    .sample(fc.tuple(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/), longName), spec), { numRuns: n, seed: 13 })
    .map(([name, s], i) => {
      const unique = `${name.slice(0, 240)}-${i}`;
      return {
        name: unique,
        ws: { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name: unique, namespace: OWNERS }, spec: { workspaceId: `fuzz-${i}`, ownerId: 'user-1', targetNamespace: TARGET, ...s } as WorkspaceResource['spec'] },
      };
    });

/** Server-side dry-run creation of each Workspace: the names the CRD admitted, and its message for the rest. */
function crdVerdicts(all: Case[]): Map<string, string | true> {
  const res = k(['create', '--dry-run=server', '-o', 'name', '-f', '-'], all.map((c) => stringify(c.ws)).join('---\n'));
  const verdicts = new Map<string, string | true>();
  for (const line of res.stdout.split('\n').filter(Boolean)) verdicts.set(line.replace(/^workspace\.platform\.aileron\.io\//, ''), true);
  for (const c of all) if (!verdicts.has(c.name)) verdicts.set(c.name, res.stderr.split('\n').find((l) => l.includes(`"${c.name}"`)) ?? 'refused');
  return verdicts;
}

function operatorVerdict(ws: WorkspaceResource): true | string {
  try {
    validateWorkspace(structuredClone(ws));
    return true;
  } catch (err) {
    if (err instanceof WorkspaceError) return err.message;
    throw err;
  }
}

test('1,000 hostile Workspaces: the CRD and the operator agree, and every admitted one yields objects the API server accepts', () => {
  const all = cases(1000);
  const crd = crdVerdicts(all);
  const disagreements = all
    .map((c) => ({ name: c.name, crd: crd.get(c.name), operator: operatorVerdict(c.ws) }))
    .filter((v) => (v.crd === true) !== (v.operator === true))
    .map((v) => `${JSON.stringify(all.find((c) => c.name === v.name)!.ws.spec)} ${v.name}: CRD ${v.crd === true ? 'admits' : `refuses (${v.crd})`}, operator ${v.operator === true ? 'admits' : `refuses (${v.operator})`}`);
  expect(disagreements).toEqual([]);

  const admitted = all.filter((c) => crd.get(c.name) === true);
  const refused = all.length - admitted.length;
  // Both kinds must be well represented, or the test proves little.
  expect(admitted.length).toBeGreaterThan(10);
  expect(refused).toBeGreaterThan(10);

  // With and without Cilium, through kubectl's strict field validation: the operator applies with validation off
  // (operator/kube.ts), so an unknown or misplaced field would otherwise be dropped without a word.
  for (const p of [platform, ciliumPlatform]) {
    const objects: K8sObject[] = admitted.flatMap((c) => desiredState({ ...c.ws, metadata: { ...c.ws.metadata, uid: `uid-${c.name.length}` } }, p, { turn: { username: 'u', credential: 'c' }, auth: TEST_AUTH }).objects);
    const res = k(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=aileron-workspace-operator', '-f', '-'], toYamlDocuments(objects));
    expect(res.stderr).toBe('');
    expect(res.stdout.split('\n').filter(Boolean)).toHaveLength(objects.length);
    if (p === ciliumPlatform) expect(objects.some((o) => o.kind === 'CiliumNetworkPolicy')).toBe(true);
  }
});

test.each([
  ['an env var the operator sets', { envVars: [{ key: 'WORKSPACE_ID', value: 'x' }] }, 'set by the operator'],
  ['an env var given twice', { envVars: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] }, 'Duplicate value'],
  ['workspacePath /tmp', { workspacePath: '/tmp' }, 'may not be or lie under'],
  ['workspacePath under /knowledge', { workspacePath: '/knowledge/kb' }, 'may not be or lie under'],
  ['two knowledge bases with one alias', { knowledgeBases: [{ kbId: 'a', alias: 'kb' }, { kbId: 'b', alias: 'kb' }] }, 'Duplicate value'],
  ['a StorageClass name with uppercase', { storage: { storageClassName: 'Fast_SSD' } }, 'spec.storage.storageClassName'],
  ['a zero volume size', { storage: { size: '0' } }, 'must be a positive quantity'],
  ['a negative volume size', { storage: { size: '-1Gi' } }, 'must be a positive quantity'],
  ['an unknown resource name', { runtime: { resources: { limits: { foo: '1' } } } }, 'resource names are cpu, memory'],
  ['a negative request', { runtime: { resources: { requests: { cpu: '-1' } } } }, 'must not be negative'],
  ['requests above limits', { canvas: { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } } }, 'requests must not be above limits'],
  ['a fractional GPU', { runtime: { resources: { requests: { 'example.com/gpu': '0.5' }, limits: { 'example.com/gpu': '0.5' } } } }, 'whole numbers'],
  // Whole in value (536870912), yet a decimal to the API server's CEL isInteger(): found by the 1,000-case run.
  ['a GPU count as a fraction with a binary suffix', { runtime: { resources: { requests: { 'example.com/gpu': '0.5Gi' }, limits: { 'example.com/gpu': '0.5Gi' } } } }, 'whole numbers'],
  ['a GPU count of 1.0Ki', { runtime: { resources: { requests: { 'example.com/gpu': '1.0Ki' }, limits: { 'example.com/gpu': '1.0Ki' } } } }, 'whole numbers'],
  ['a GPU request without its limit', { runtime: { resources: { requests: { 'example.com/gpu': 1 } } } }, 'needs a limit equal to its request'],
])('the CRD refuses %s, naming it', (_what, extra, message) => {
  const ws = { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name: 'refused', namespace: OWNERS }, spec: { workspaceId: 'refused', ownerId: 'u', ...extra } };
  const res = k(['create', '--dry-run=server', '-f', '-'], stringify(ws));
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain(message);
  expect(operatorVerdict(ws as WorkspaceResource)).not.toBe(true);
});

test('a 253-character Workspace name: the owner label is hashed to a valid value and the objects are accepted', () => {
  const name = `${'a'.repeat(61)}-${'b'.repeat(100)}.${'c'.repeat(89)}`;
  const ws: WorkspaceResource = { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name, namespace: OWNERS, uid: 'u-long' }, spec: { workspaceId: 'long-owner', ownerId: 'u', targetNamespace: TARGET } as WorkspaceResource['spec'] };
  expect(k(['create', '--dry-run=server', '-f', '-'], stringify(ws)).status).toBe(0);
  const { objects } = desiredState(ws, platform, { auth: TEST_AUTH });
  const label = objects[0].metadata.labels!['platform.aileron.io/owner-name'];
  expect(label).toMatch(/^a{52}-[0-9a-f]{10}$/);
  const res = k(['apply', '--server-side', '--dry-run=server', '--field-manager=aileron-workspace-operator', '-f', '-'], toYamlDocuments(objects));
  expect(res.stderr).toBe('');
});
