/**
 * Workspace files read as kubectl reads them: the same file's scalars, once through our reader and once through
 * kubectl to the API server (a server-side dry run), must come out the same. The API server names the JSON type of
 * every value its schema refuses (a string field given a boolean, an integer, a number), and returns the others.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseYamlInput } from '../../lib/values/read-input.js';
import { k, kOk, waitForCrd } from '../support/cluster.js';
import { ROOT } from '../support/render.js';

const NS = 'yaml-reading';
const SCALARS = [
  'yes', 'no', 'y', 'n', 'Y', 'N', 'on', 'off', 'Off', 'True', 'TRUE', 'false',
  '0755', '012', '0o17', '0x1F', '0b101', '1_000', '+1', '-0', '1e3', '1.5', '.5',
  '2026-04-09', '2026-04-09T10:00:00Z', '2026-04-09 10:00:00.5 +02:00', '1:20', '190:20:30',
  '~', 'null', 'plain text', '"0755"', "'yes'", '0.0.1', 'v1.2', '1e', '0o8', '_1',
];

const workspace = (name: string, scalars: string[]) =>
  [
    'apiVersion: platform.aileron.io/v1alpha1',
    'kind: Workspace',
    `metadata: {name: ${name}, namespace: ${NS}}`,
    'spec:',
    `  workspaceId: ${name}`,
    '  ownerId: u1',
    '  envVars:',
    ...scalars.map((s, i) => `    - {key: K${i}, value: ${s}}`),
    '',
  ].join('\n');

/** What kubectl and the API server make of each value: a refused type, or the value kept (undefined: dropped as null). */
function apiServerReading(scalars: string[]): Array<{ refused?: string; value?: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'yaml-'));
  writeFileSync(join(dir, 'all.yaml'), workspace('all', scalars));
  const refused = new Map<number, string>();
  for (const m of k(['create', '--dry-run=server', '-o', 'json', '-f', join(dir, 'all.yaml')]).stderr.matchAll(/envVars\[(\d+)\]\.value: Invalid value: "(\w+)"/g)) {
    refused.set(Number(m[1]), m[2]);
  }
  const kept = scalars.map((_, i) => i).filter((i) => !refused.has(i));
  writeFileSync(join(dir, 'kept.yaml'), workspace('kept', kept.map((i) => scalars[i])));
  const env = JSON.parse(kOk(['create', '--dry-run=server', '-o', 'json', '-f', join(dir, 'kept.yaml')])).spec.envVars as Array<{ value?: unknown }>;
  return scalars.map((_, i) => (refused.has(i) ? { refused: refused.get(i) } : { value: env[kept.indexOf(i)].value }));
}

/** The JSON type name the API server would give a value of ours. */
const jsonType = (v: unknown) => (typeof v === 'boolean' ? 'boolean' : Number.isInteger(v) ? 'integer' : typeof v === 'number' ? 'number' : undefined);

beforeAll(() => {
  kOk(['apply', '--server-side', '--field-manager=aileron-k8s', '-f', join(ROOT, 'charts', 'aileron', 'crds')]);
  waitForCrd();
  k(['create', 'namespace', NS]);
});

test('every scalar reads as kubectl and the API server read it', () => {
  const server = apiServerReading(SCALARS);
  const ours = (parseYamlInput(workspace('all', SCALARS), 'all.yaml') as { spec: { envVars: Array<{ value?: unknown }> } }).spec.envVars.map((e) => e.value);
  const compared = SCALARS.map((s, i) => {
    const type = jsonType(ours[i]);
    return [s, type ? { refused: type } : { value: ours[i] ?? undefined }];
  });
  expect(compared).toEqual(SCALARS.map((s, i) => [s, server[i]]));
});
