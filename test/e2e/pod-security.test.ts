import { exampleFile, render, podSpecOf, TEST_AUTH, workloads, type Loose } from '../support/render.js';
import { k, kOk } from '../support/cluster.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { validateWorkspace } from '../../lib/workspace/validate.js';
import { loadValues } from '../../lib/values/load.js';
import { ROOT } from '../support/render.js';

// Every platform pod template, created as a Pod (server-side dry run) in a
// namespace that enforces and warns at Pod Security "restricted".
const NS = 'psa-restricted';
const EXCEPTIONS = new Set(['coturn']); // hostNetwork by design (as the upstream chart runs it), documented in the README

beforeAll(() => {
  kOk(['create', 'namespace', NS]);
  kOk(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
});

function asPod(w: K8sObject, namespace = NS): string {
  const template = (w.spec as Loose).template;
  // A StatefulSet's controller adds one volume per claim template, as this does.
  const claims = ((w.spec as Loose).volumeClaimTemplates ?? []).map((c: Loose) => ({
    name: c.metadata.name,
    persistentVolumeClaim: { claimName: `${c.metadata.name}-${w.metadata.name}-0` },
  }));
  const base = podSpecOf(w);
  const spec = { ...base, volumes: [...(base.volumes ?? []), ...claims], restartPolicy: w.kind === 'Job' ? 'OnFailure' : 'Always' };
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `psa-${w.metadata.name}`, namespace, labels: template.metadata.labels }, spec });
}

// The operator's workspace pods land in namespaces the platform creates restricted.
const example = validateWorkspace(parse(readFileSync(join(ROOT, 'examples', 'workspace.yaml'), 'utf8')));
const workspacePods = desiredState(example, workspacePlatform(loadValues()), { turn: { username: 'u', credential: 'c' }, auth: TEST_AUTH }).objects;

const cases = [
  ...workloads(workspacePods).map((w) => ['workspace', w] as const),
  ...workloads(render()).map((w) => ['default', w] as const),
  ...workloads(render({ files: [exampleFile('prod')], set: ['frontend.replicaCount=2'] })).map((w) => ['prod', w] as const),
];

describe.each(cases.map(([values, w]) => [`${values}: ${w.kind} ${w.metadata.name}`, w]))('%s', (_name, w) => {
  const component = w.metadata.labels!['app.kubernetes.io/component'];
  const create = () => k(['create', '--dry-run=server', '-f', '-'], asPod(w));

  if (EXCEPTIONS.has(component)) {
    test('is refused under restricted, for hostNetwork only (documented exception)', () => {
      const res = create();
      expect(res.status).not.toBe(0);
      expect(res.stderr).toContain('violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true)');
      expect(res.stderr).not.toMatch(/allowPrivilegeEscalation|unrestricted capabilities|runAsNonRoot|seccompProfile/);
    });
  } else {
    test('is admitted with no warning', () => {
      const res = create();
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    });
  }
});

// As rendered: every pod in the namespace the chart puts it, under the labels the chart gives those namespaces.
describe('as rendered, in their own namespaces', () => {
  const objects = render({}, { release: 'psa', namespace: 'psa-release' });
  const namespaces = objects.filter((o) => o.kind === 'Namespace' && o.metadata.name.startsWith('psa-'));

  beforeAll(() => {
    kOk(['apply', '-f', '-'], namespaces.map((n) => JSON.stringify(n)).join('\n'));
  });

  test('the release namespace enforces restricted; CoTURN has one of its own, privileged, auditing at restricted', () => {
    const labels = (name: string) => namespaces.find((n) => n.metadata.name === name)!.metadata.labels!;
    expect(labels('psa-release')).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
    expect(labels('psa-turn')).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'restricted' });
  });

  describe.each(workloads(objects).map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]))('%s', (_name, w) => {
    const res = () => k(['create', '--dry-run=server', '-f', '-'], asPod(w, w.metadata.namespace));
    if (w.metadata.namespace === 'psa-turn') {
      test('is CoTURN, alone in its namespace, admitted (its one exception, hostNetwork, is shown above)', () => {
        expect(w.metadata.labels!['app.kubernetes.io/component']).toBe('coturn');
        const r = res();
        expect([r.status, r.stderr]).toEqual([0, '']);
      });
    } else {
      test('is in the release namespace, admitted with no warning', () => {
        expect(w.metadata.namespace).toBe('psa-release');
        const r = res();
        expect([r.status, r.stderr]).toEqual([0, '']);
      });
    }
  });
});
