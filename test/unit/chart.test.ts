import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EXAMPLE_VALUES, exampleFile, podSpecOf, workloads, type Loose } from '../support/render.js';
import { CHART, helmTemplate, KUBE_VERSION, normalize, synthObjects, type RenderInput } from '../support/helm.js';
import { kubeconform, tool } from '../support/tools.js';
import { validValues } from '../support/arbitrary-values.js';
import { defaultValues } from '../../lib/values/load.js';
import { APP_VERSION, CHART_VERSION, ValuesSchema } from '../../lib/values/schema.js';
import { toYamlDocuments } from '../../lib/render/write.js';
import { valueRows } from '../../lib/render/values-doc.js';

const read = (file: string) => readFileSync(join(CHART, file), 'utf8');

describe('chart files', () => {
  test('Chart.yaml', () => {
    expect(parse(read('Chart.yaml'))).toMatchObject({ apiVersion: 'v2', name: 'aileron', version: CHART_VERSION, appVersion: APP_VERSION });
  });

  test('values.yaml holds every default of the values model', () => {
    expect(parse(read('values.yaml'))).toEqual(defaultValues());
  });

  test('values.yaml comments every key', () => {
    const text = read('values.yaml');
    for (const row of valueRows()) expect([row.key, text.includes(`# ${row.description}`)]).toEqual([row.key, true]);
  });

  test('values.schema.json is the values schema', () => {
    const { $schema, ...schema } = JSON.parse(read('values.schema.json'));
    expect($schema).toContain('json-schema.org');
    expect(schema).toEqual(JSON.parse(JSON.stringify(ValuesSchema)));
  });

  test('crds/ holds the Workspace CRD and the README documents every value', () => {
    expect(parse(read('crds/platform.aileron.io_workspaces.yaml')).metadata.name).toBe('workspaces.platform.aileron.io');
    for (const row of valueRows()) expect(read('README.md')).toContain(`| \`${row.key}\` |`);
  });
});

// `helm template` and `aileron-k8s synth` must render the same objects for the same values.
const expectSame = (input: RenderInput) => expect(normalize(helmTemplate(input))).toEqual(normalize(synthObjects(input)));

describe('one source of truth: helm template equals synth', () => {
  test('default values', () => expectSame({}));
  test.each(EXAMPLE_VALUES)('the %s example', (name) => expectSame({ files: [exampleFile(name)] }));
  test('another release name and namespace', () => expectSame({ files: [exampleFile('prod')], release: 'team-x', namespace: 'platform-team-x' }));

  test('image digests pin every platform image, the tag kept for readers', () => {
    const digest = `sha256:${'5f'.repeat(32)}`;
    const components = ['frontend', 'workspaceManager', 'workspaceOperator', 'keycloak', 'coturn', 'postgres', 'redis', 'workspaceAuth', 'tests'];
    const input = { overlay: Object.fromEntries(components.map((c) => [c, { image: { digest } }])) };
    expectSame(input);
    const images = synthObjects(input).flatMap((o) => (o.spec as Loose)?.template?.spec?.containers ?? []).map((c: Loose) => c.image as string);
    expect(images.length).toBeGreaterThan(8);
    expect(images.filter((i) => !/^[^@]+:[^@:]+@sha256:(5f){32}$/.test(i))).toEqual([]);
  });

  test('200 random valid values sets', () => {
    fc.assert(
      fc.property(validValues, fc.constantFrom('aileron', 'prod', 'my-aileron'), (overlay, release) => {
        expectSame({ overlay, release, namespace: `ns-${release}` });
      }),
      { numRuns: 200, seed: 424242 },
    );
  });
});

describe.each([['default values', [] as string[]], ...EXAMPLE_VALUES.map((n) => [n, [exampleFile(n)]] as [string, string[]])])('%s', (_name, files) => {
  test('helm lint --strict is clean', () => {
    const res = tool('helm', ['lint', '--strict', CHART, '--kube-version', KUBE_VERSION, ...files.flatMap((f) => ['-f', f])]);
    expect(res.stdout).toContain('0 chart(s) failed');
    expect(res.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  test('kubeconform -strict is clean on the render', () => {
    const res = kubeconform([], toYamlDocuments(helmTemplate({ files })));
    expect(res.stdout + res.stderr).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });
});

describe('values.schema.json makes helm refuse bad values, naming the key', () => {
  test.each([
    ['publicRouting.scheme=ftp', 'publicRouting.scheme'],
    ['coturn.nodePort=80', 'coturn.nodePort'],
    ['frontend.imagee.tag=x', 'imagee'],
    ['postgres.persistence.size=lots', 'postgres.persistence.size'],
  ])('--set %s', (set, key) => {
    const res = tool('helm', ['template', 'aileron', CHART, '--set', set]);
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('values don\'t meet the specifications of the schema');
    expect(res.stderr.replace(/\//g, '.')).toContain(key);
  });
});

test('crds.upgradeWithRelease renders the CRD as a release object kept on uninstall', () => {
  const objs = helmTemplate({}, ['--skip-crds', '--set', 'crds.upgradeWithRelease=true'], false);
  const crd = objs.find((o) => o.kind === 'CustomResourceDefinition')!;
  expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  expect(objs.filter((o) => o.kind === 'CustomResourceDefinition')).toHaveLength(1);
});

describe('every platform component takes the same pod settings, in both renderers', () => {
  const COMPONENTS = ['frontend', 'workspaceManager', 'workspaceOperator', 'keycloak', 'coturn', 'postgres', 'redis', 'workspaceAuth'];
  const toleration = { key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' };
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['platform'] }] }] } } };
  const zoneSpread = { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' };
  const hostSpread = { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { team: 'platform' } } };
  const overlay = Object.fromEntries(
    COMPONENTS.map((c) => [
      c,
      {
        podLabels: { 'example.com/team': 'platform', 'app.kubernetes.io/name': 'not-ours' },
        podAnnotations: { 'example.com/owner': c },
        nodeSelector: { pool: 'platform' },
        tolerations: [toleration],
        affinity,
        priorityClassName: 'platform-critical',
        topologySpreadConstraints: [zoneSpread, hostSpread],
      },
    ]),
  );
  const renders = { helm: helmTemplate({ overlay }), synth: synthObjects({ overlay }) };

  test('helm template equals synth', () => expectSame({ overlay }));

  test.each(['helm', 'synth'] as const)('%s: every Deployment, StatefulSet and Job pod carries them', (renderer) => {
    const pods = workloads(renders[renderer]);
    // Eight components (the sign-in callback is one), and the PostgreSQL bootstrap Job.
    expect(pods.map((w) => w.metadata.name).sort()).toEqual(
      ['coturn', 'keycloak', 'postgres', 'postgres-bootstrap', 'redis', 'frontend', 'workspace-manager', 'workspace-operator', 'workspace-auth'].map((c) => `aileron-${c}`).sort(),
    );
    for (const w of pods) {
      const template = (w.spec as Loose).template;
      const spec = podSpecOf(w);
      const selector = { 'app.kubernetes.io/name': 'aileron', 'app.kubernetes.io/instance': 'aileron', 'app.kubernetes.io/component': template.metadata.labels['app.kubernetes.io/component'] };
      expect([w.metadata.name, template.metadata.labels]).toEqual([w.metadata.name, expect.objectContaining({ 'example.com/team': 'platform', ...selector })]);
      expect(template.metadata.annotations['example.com/owner']).toBeDefined();
      expect(spec.nodeSelector).toEqual({ pool: 'platform' });
      expect(spec.tolerations).toEqual([toleration]);
      expect(spec.affinity).toEqual(affinity);
      expect(spec.priorityClassName).toBe('platform-critical');
      // A constraint without a labelSelector counts the component's own pods; a given one is kept.
      expect(spec.topologySpreadConstraints).toEqual([{ ...zoneSpread, labelSelector: { matchLabels: selector } }, hostSpread]);
    }
  });
});
