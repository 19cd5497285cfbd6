/**
 * Kubernetes resource quantities (`500m`, `1.5Gi`, `2e3`), parsed exactly as
 * fractions so the rules can compare requests with limits the way the API
 * server does, without floating-point surprises.
 */

export interface Quantity {
  num: bigint;
  den: bigint;
}

const SUFFIX: Record<string, Quantity> = {
  '': { num: 1n, den: 1n },
  n: { num: 1n, den: 1_000_000_000n },
  u: { num: 1n, den: 1_000_000n },
  m: { num: 1n, den: 1000n },
  k: { num: 1000n, den: 1n },
  M: { num: 10n ** 6n, den: 1n },
  G: { num: 10n ** 9n, den: 1n },
  T: { num: 10n ** 12n, den: 1n },
  P: { num: 10n ** 15n, den: 1n },
  E: { num: 10n ** 18n, den: 1n },
  Ki: { num: 2n ** 10n, den: 1n },
  Mi: { num: 2n ** 20n, den: 1n },
  Gi: { num: 2n ** 30n, den: 1n },
  Ti: { num: 2n ** 40n, den: 1n },
  Pi: { num: 2n ** 50n, den: 1n },
  Ei: { num: 2n ** 60n, den: 1n },
};

const QUANTITY_RE = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;

/** The quantity, or undefined when the text is not one. */
export function parseQuantity(text: string | number): Quantity | undefined {
  const m = QUANTITY_RE.exec(String(text));
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  const [whole, frac = ''] = digits.split('.');
  let num = BigInt(`${whole || '0'}${frac}`) * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  // An exponent (`e3`, `E-2`), not the decimal suffix `E` (exa) or the binary `Ei` (exbi).
  if (/^[eE][+-]?[0-9]+$/.test(suffix)) {
    const exp = Number(suffix.slice(1));
    if (Math.abs(exp) > 100) return undefined;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  } else {
    num *= SUFFIX[suffix].num;
    den *= SUFFIX[suffix].den;
  }
  return { num, den };
}

/** a + b, exact. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { num: a.num * b.den + b.num * a.den, den: a.den * b.den };
}

/** -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const isPositive = (q: Quantity) => q.num > 0n;
export const isNegative = (q: Quantity) => q.num < 0n;
export const isWhole = (q: Quantity) => q.num % q.den === 0n;
