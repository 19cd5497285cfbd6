/** Quantities as the API server reads them, computed exactly (fractions of big integers), whatever their size. */
import { compareQuantities, parseQuantity } from '../../lib/values/quantity.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from '../support/render.js';

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
/** The value as a reduced fraction (or a whole number). */
const exact = (text: string) => {
  const q = parseQuantity(text)!;
  const g = gcd(q.num, q.den);
  const [num, den] = [q.num / g, q.den / g];
  return den === 1n ? String(num) : `${num}/${den}`;
};

test.each([
  ['500m', '1/2'],
  ['1.5Gi', String(3n * 2n ** 29n)],
  ['2E', String(2n * 10n ** 18n)],
  ['1Ei', String(2n ** 60n)],
  ['9999999999999Ei', String(9999999999999n * 2n ** 60n)],
  ['1e3', '1000'],
  ['1E3', '1000'],
  ['25e-1', '5/2'],
  ['.5', '1/2'],
])('%s is %s', (text, value) => {
  expect(exact(text)).toBe(value);
});

test('the decimal suffix E (exa) is not an exponent: 1E is more than 999P', () => {
  expect(compareQuantities(parseQuantity('1E')!, parseQuantity('999P')!)).toBe(1);
});

test.each(['', 'Ei', '1ei', '1.5.5', '1 Gi', 'abc'])('%j is not a quantity', (text) => {
  expect(parseQuantity(text)).toBeUndefined();
});

test('a Workspace the API server accepts with a huge limit renders, with no internal error', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'qty-')), 'ws.yaml');
  writeFileSync(file, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: big, namespace: workspace-system}\nspec:\n  workspaceId: big\n  ownerId: u1\n  runtime:\n    resources:\n      limits: {cpu: "9999999999999Ei"}\n');
  const res = spawnSync(process.execPath, [join(ROOT, 'build', 'aileron-k8s.cjs'), 'workspace', file], { encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toContain('cpu: 9999999999999Ei');
});
