import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadValues, ValuesError } from '../../lib/values/load.js';
import { renderPlatform, type K8sObject } from '../../lib/platform/platform-chart.js';
import { writeManifests } from '../../lib/render/write.js';
import { fixedSecrets, podSpecOf, workloads, type Loose } from '../support/render.js';
import { kubeconform } from '../support/tools.js';
import { invalidMutation, validValues } from '../support/arbitrary-values.js';

const RUNS = 100;

describe('random valid values give valid output', () => {
  const root = mkdtempSync(join(tmpdir(), 'property-'));
  const renders: K8sObject[][] = [];

  beforeAll(() => {
    fc.assert(
      fc.property(validValues, (overlay) => {
        const objects = renderPlatform({ values: loadValues({ overlays: [overlay as never] }), secrets: fixedSecrets });
        writeManifests(join(root, `run-${renders.length}`), objects);
        renders.push(objects);
      }),
      { numRuns: RUNS, seed: 20261121 },
    );
  });

  test(`${RUNS} renders pass kubeconform -strict`, () => {
    const res = kubeconform([root]);
    expect(res.stdout.split('\n').filter((l) => / - .* (is invalid|failed)/.test(l)).slice(0, 5)).toEqual([]);
    expect(res.status).toBe(0);
  });

  test('no two objects share kind, namespace and name', () => {
    for (const objects of renders) {
      const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    }
  });

  test('every workload selects its own pods and sets resources', () => {
    for (const w of renders.flatMap(workloads)) {
      const spec = w.spec as Loose;
      if (w.kind !== 'Job') {
        for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(spec.template.metadata.labels[k]).toBe(v);
      }
      for (const c of podSpecOf(w).containers) expect(c.resources.limits.memory).toBeDefined();
    }
  });

  test('every Secret or ConfigMap a pod references is rendered, or is a named existing Secret', () => {
    for (const objects of renders) {
      const have = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
      for (const w of workloads(objects)) {
        const text = JSON.stringify(podSpecOf(w));
        for (const m of text.matchAll(/"configMapRef":\{"name":"([^"]+)"|"configMap":\{"name":"([^"]+)"/g)) {
          expect(have.has(`ConfigMap/${m[1] ?? m[2]}`)).toBe(true);
        }
        for (const m of text.matchAll(/"secretKeyRef":\{"key":"[^"]+","name":"([^"]+)"/g)) {
          const name = m[1];
          expect([name, have.has(`Secret/${name}`) || ['manager-creds', 'kc-admin', 'turn', 'db', 'workspace-auth'].includes(name)]).toEqual([name, true]);
        }
      }
    }
  });
});

describe('random invalid values give an error naming the key', () => {
  test('one broken key in otherwise valid values', () => {
    fc.assert(
      fc.property(validValues, invalidMutation, (overlay, mutation) => {
        let error: unknown;
        try {
          loadValues({ overlays: [{ ...overlay, ingress: { ...overlay.ingress, tls: [{ secretName: 'ok', hosts: [] }] } } as never], set: [mutation.set] });
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(ValuesError);
        const problems = (error as ValuesError).problems;
        expect([mutation.key, problems.some((p) => p.startsWith(`${mutation.key}:`) || p.startsWith(`${mutation.key} `))]).toEqual([
          mutation.key,
          true,
        ]);
      }),
      { numRuns: RUNS, seed: 20261122 },
    );
  });
});
