/**
 * How a construct sees values: as `Val<T>`, a value it may place in an object but not compute with.
 *
 * In synth a value is itself; in the chart it is a token standing for `.Values.…`. Plain JavaScript on a value
 * (`===`, `+`, a spread, `Object.keys`) would compute the right answer in synth and a wrong one in the chart,
 * where the token is a string. So TypeScript refuses it, and a construct goes through its `Expressions`:
 *
 * | instead of                  | use                                                  |
 * |-----------------------------|------------------------------------------------------|
 * | `v === 'a'`, `v >= 2`       | `x.equals(v, 'a')`, `x.atLeast(v, 2)`                 |
 * | `if (v)`, `v ? a : b`       | `x.truthy(v)` with `x.when`, `x.choose`, `x.scope`    |
 * | `v \|\| fallback`           | `x.orDefault(v, fallback)`                           |
 * | `{ ...v, k }`, `Object.keys`| `x.merge(v, {...})`, `x.entries(v, …)`, `x.each(v, …)`|
 * | `String(n)`, `n + 1`        | `x.str(n)`; arithmetic has no place in a construct   |
 * | `obj.field = v`             | `x.value(v)`: the value as it goes into an object    |
 *
 * A template string (`` `${v}-suffix` ``) is allowed: the chart prints it as Helm's `printf`.
 */

declare const TEMPLATE_VALUE: unique symbol;

/** The brand: carries `T` for the layer's signatures, and no member a construct could use. */
interface Opaque<T> {
  readonly [TEMPLATE_VALUE]: T;
}

/**
 * A value from values.yaml, opaque to plain JavaScript (see the table above). `void` takes away what an object
 * allows (spread, `Object.keys`, `in`), and `| undefined` what a primitive allows (`+`, `===` with a literal).
 */
export type Val<T> = (Opaque<T> & void) | undefined;

/** Keys an object type requires: the empty object satisfies a Pick of optional keys (or of an index signature) only. */
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/**
 * A values subtree as constructs see it, mirroring the chart's tokens (TemplateRegistry.valueTokens): an object
 * with required keys (an image, a service) is walked into; a leaf, a list, a map or an object of optional keys
 * (resources, affinity) is one value.
 */
export type Vals<V> = [V] extends [readonly unknown[]]
  ? Val<V>
  : [V] extends [object]
    ? [RequiredKeys<V>] extends [never]
      ? Val<V>
      : { readonly [K in keyof V]: Vals<V[K]> }
    : Val<V>;

/** What a helper may take: a plain value it computes with, or a value from values.yaml it places. */
export type ValOr<T> = T | Val<T>;

/** A values tree as constructs see it: PlatformChart's one view of values. */
export function asVals<V>(values: V): Vals<V> {
  return values as unknown as Vals<V>;
}
