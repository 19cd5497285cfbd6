/**
 * synth and `helm template` accept and refuse the same values files, hostile
 * ones included (one rule set: values.schema.json, plus the cross-key rules
 * that both renderers run). Accepted ones render objects the API server
 * accepts: test/e2e/values-fuzz.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadValues, ValuesError } from '../../lib/values/load.js';
import { tool } from '../support/tools.js';
import { CHART, KUBE_VERSION } from '../support/helm.js';
import { CURATED, generatedInputs, type HostileInput } from '../support/hostile-values.js';

const dir = mkdtempSync(join(tmpdir(), 'hostile-'));

function verdicts(input: HostileInput, i: number) {
  const file = join(dir, `values-${i}.yaml`);
  writeFileSync(file, input.yaml);
  let synth: true | string = true;
  try {
    loadValues({ files: [file] });
  } catch (err) {
    if (!(err instanceof ValuesError)) throw err;
    synth = err.problems.join('; ');
  }
  const res = tool('helm', ['template', 'aileron', CHART, '-n', 'aileron', '--kube-version', KUBE_VERSION, '-f', file]);
  const helm: true | string = res.status === 0 ? true : res.stderr.trim().split('\n').slice(0, 3).join(' ');
  return { synth, helm };
}

function disagreements(inputs: HostileInput[]) {
  return inputs
    .map((input, i) => ({ input, ...verdicts(input, i) }))
    .filter((v) => (v.synth === true) !== (v.helm === true))
    .map((v) => `${v.input.name}: synth ${v.synth === true ? 'accepts' : `refuses (${String(v.synth).slice(0, 200)})`}; helm ${v.helm === true ? 'accepts' : `refuses (${String(v.helm).slice(0, 200)})`}`);
}

test('the curated hostile values files get the same verdict from synth and helm', () => {
  expect(disagreements(CURATED.filter((c) => !c.helmReadsLeniently))).toEqual([]);
});

test('where Helm\'s YAML reader is lenient (several documents, duplicate keys), synth refuses on purpose', () => {
  const lenient = CURATED.filter((c) => c.helmReadsLeniently);
  expect(lenient.length).toBeGreaterThan(0);
  for (const [i, input] of lenient.entries()) {
    const { synth, helm } = verdicts(input, 1000 + i);
    expect([input.name, synth === true, helm === true]).toEqual([input.name, false, true]);
  }
});

test('80 generated hostile values files get the same verdict from synth and helm', () => {
  expect(disagreements(generatedInputs(80, 13))).toEqual([]);
});
