import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { exampleFile, render, ROOT, TEST_AUTH } from '../support/render.js';
import { writeManifests } from '../../lib/render/write.js';
import { tool } from '../support/tools.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { validateWorkspace } from '../../lib/workspace/validate.js';
import { loadValues } from '../../lib/values/load.js';

interface Justification {
  check: string;
  objects: string[];
  reason: string;
  egressOnly?: boolean;
  ingressOnly?: boolean;
}
interface Finding {
  check: string;
  object: string;
  comment: string;
}

const justifications: Justification[] = parse(readFileSync(join(ROOT, 'test/lint/kube-score-justifications.yaml'), 'utf8'));

function glob(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

function findings(dir: string): Finding[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
  const res = tool('kube-score', ['score', '--output-format', 'json', '--kubernetes-version', 'v1.34', ...files]);
  if (!res.stdout.trim()) throw new Error(`kube-score printed nothing: ${res.stderr}`);
  const objects = JSON.parse(res.stdout) as Array<{
    object_name: string;
    type_meta: { kind: string };
    checks: Array<{ check: { id: string }; grade: number; skipped: boolean; comments: Array<{ summary: string }> | null }>;
  }>;
  return objects.flatMap((o) =>
    o.checks
      .filter((c) => !c.skipped && c.grade < 10)
      .map((c) => ({
        check: c.check.id,
        object: `${o.type_meta.kind}/${o.object_name}`,
        comment: (c.comments ?? []).map((x) => x.summary).join('; '),
      })),
  );
}

const justified = (f: Finding) =>
  justifications.find(
    (j) =>
      j.check === f.check &&
      j.objects.some((p) => p === '*' || glob(p, f.object)) &&
      (!j.egressOnly || /egress/i.test(f.comment)) &&
      (!j.ingressOnly || /ingress/i.test(f.comment)),
  );

describe.each([
  ['default values', [] as string[]],
  ['prod-like values', [exampleFile('prod'), exampleFile('external-services')]],
  ['two replicas everywhere', [exampleFile('prod')]],
])('kube-score on %s', (_name, files) => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-'));
  const set = _name.startsWith('two') ? ['frontend.replicaCount=2', 'workspaceManager.replicaCount=2', 'keycloak.replicaCount=2', 'workspaceOperator.replicaCount=2'] : [];
  writeManifests(dir, render({ files, set }));
  const all = findings(dir);

  test('every finding is fixed or justified', () => {
    expect(all.filter((f) => !justified(f)).map((f) => `${f.check} ${f.object}: ${f.comment}`)).toEqual([]);
  });
});

/** The operator's objects for the upstream example Workspace, as a manifest folder. */
function workspaceDir(set: string[]): string {
  const ws = validateWorkspace(parse(readFileSync(join(ROOT, 'examples', 'workspace.yaml'), 'utf8')));
  const dir = mkdtempSync(join(tmpdir(), 'lint-ws-'));
  writeManifests(dir, desiredState(ws, workspacePlatform(loadValues({ set })), { turn: { username: 'u', credential: 'c' }, auth: TEST_AUTH }).objects);
  return dir;
}

describe.each([
  ['without Cilium', [] as string[]],
  ['with Cilium', ['cilium.enabled=true']],
])('kube-score on a workspace %s', (_name, set) => {
  test('every finding is fixed or justified', () => {
    expect(findings(workspaceDir(set)).filter((f) => !justified(f)).map((f) => `${f.check} ${f.object}: ${f.comment}`)).toEqual([]);
  });
});

test('every justification still matches a finding somewhere', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-all-'));
  writeManifests(dir, render({ files: [exampleFile('prod')], set: ['frontend.replicaCount=2'] }));
  const defaults = mkdtempSync(join(tmpdir(), 'lint-def-'));
  writeManifests(defaults, render());
  const all = [...findings(dir), ...findings(defaults), ...findings(workspaceDir([])), ...findings(workspaceDir(['cilium.enabled=true']))];
  const used = new Set(all.map(justified).filter(Boolean));
  expect(justifications.filter((j) => !used.has(j)).map((j) => j.check)).toEqual([]);
  for (const j of justifications) expect(j.reason.length).toBeGreaterThan(20);
});
