import { exampleFile } from '../support/render.js';
import { applyServerSide, kOk, synthToDir, waitForCrd } from '../support/cluster.js';
import { completeWorkspaceYaml } from '../support/workspace-manifests.js';

const WORKSPACE = (ns: string) => completeWorkspaceYaml('ws-example', 'my-workspace', ns);

/**
 * Every applied object as stored, including generation and field ownership,
 * without resourceVersion and managed-field timestamps: the API server bumps
 * a new PVC's resourceVersion once on its first no-op re-apply (the content
 * is identical), so versions alone would report a change that is not one.
 */
function stored(dir: string): Record<string, unknown> {
  const list = JSON.parse(kOk(['get', '-f', dir, '-o', 'json', '--show-managed-fields']));
  const items = list.kind === 'List' ? list.items : [list];
  return Object.fromEntries(
    items.map((o: { kind: string; metadata: Record<string, unknown> & { namespace?: string; name: string } }) => {
      const { resourceVersion: _rv, managedFields, ...metadata } = o.metadata;
      const fields = (managedFields as Array<Record<string, unknown>>).map(({ time: _t, ...rest }) => rest);
      const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      // The CRD is shared by every test file on this cluster (helm adopts it meanwhile): compare our part of it.
      if (o.kind === 'CustomResourceDefinition') {
        return [key, { spec: (o as { spec?: unknown }).spec, ours: fields.filter((f) => f.manager === 'aileron-k8s') }];
      }
      return [key, { ...o, metadata: { ...metadata, managedFields: fields } }];
    }),
  );
}

describe.each([
  { name: 'default values', files: [] as string[], set: [] as string[], release: 'aileron', namespace: 'aileron', wsNamespace: 'workspace-system' },
  {
    name: 'prod-like values (https, TLS, Cilium, external services)',
    files: [exampleFile('prod'), exampleFile('external-services')],
    // Its own TURN port: other test releases' CoTURNs may hold 3478 on the TURN node.
    set: ['kubernetes.allowedNamespaces={prod-workspaces}', 'kubernetes.defaultNamespace=prod-workspaces', 'coturn.port=3479'],
    release: 'prod',
    namespace: 'aileron-prod',
    wsNamespace: 'prod-workspaces',
    // As the README says for multi-node clusters: CoTURN goes to the node labelled for TURN.
    prepare: () => kOk(['label', 'node', 'kwok-node-0', 'role=turn', '--overwrite']),
  },
])('kubectl apply --server-side of the synth output: $name', ({ files, set, release, namespace, wsNamespace, prepare }: { files: string[]; set: string[]; release: string; namespace: string; wsNamespace: string; prepare?: () => void }) => {
  const dir = synthToDir({ files, set }, release, namespace);

  test('succeeds, with the CRD established before any Workspace', () => {
    const first = applyServerSide(dir);
    expect(first.status).toBe(0);
    // The release namespace warns at "restricted", and nothing there violates it; CoTURN runs in its own
    // "privileged" namespace, which audits instead of warning.
    const warnings = first.stderr.split('\n').filter((l) => l.startsWith('Warning'));
    expect(warnings).toEqual([]);
    expect(kOk(['get', 'deployment', '-n', `${release}-turn`, '-o', 'jsonpath={.items[*].metadata.name}'])).toMatch(/-coturn$/);
    waitForCrd();
    kOk(['apply', '--server-side', '-f', '-'], WORKSPACE(wsNamespace));
    expect(kOk(['get', 'ws', 'ws-example', '-n', wsNamespace, '-o', 'jsonpath={.spec.ownerId}'])).toBe('user-123');
  });

  test('it runs: every Deployment and StatefulSet rolls out, the bootstrap Job completes, claims bind', () => {
    prepare?.();
    for (const kind of ['deployment', 'statefulset']) {
      for (const name of kOk(['get', kind, '-n', namespace, '-o', 'jsonpath={.items[*].metadata.name}']).split(' ').filter(Boolean)) {
        kOk(['rollout', 'status', `${kind}/${name}`, '-n', namespace, '--timeout=90s']);
      }
    }
    const jobs = kOk(['get', 'jobs', '-n', namespace, '-o', 'jsonpath={.items[*].metadata.name}']).split(' ').filter(Boolean);
    for (const job of jobs) kOk(['wait', '--for=condition=complete', `job/${job}`, '-n', namespace, '--timeout=90s']);
    const claims = kOk(['get', 'pvc', '-n', namespace, '-o', 'jsonpath={.items[*].status.phase}']).split(' ').filter(Boolean);
    expect(new Set(claims)).toEqual(new Set(['Bound']));
  });

  test('every object is there, in the release namespace', () => {
    const deployments = kOk(['get', 'deployments', '-n', namespace, '-o', 'jsonpath={.items[*].metadata.name}']).split(' ');
    expect(deployments).toContain(`${release === 'aileron' ? 'aileron' : `${release}-aileron`}-workspace-operator`);
    expect(kOk(['get', 'namespace', wsNamespace, '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}'])).toBe('restricted');
  });

  test('a second apply changes nothing', () => {
    const before = stored(dir);
    expect(Object.keys(before).length).toBeGreaterThan(15);
    const again = applyServerSide(dir);
    expect(again.status).toBe(0);
    expect(stored(dir)).toEqual(before);
  });
});
