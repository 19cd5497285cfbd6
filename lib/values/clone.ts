/**
 * A deep copy of JSON data made with this realm's JSON. structuredClone is a
 * host function: under jest's vm it makes objects of another realm, which
 * cdk8s' NumberStringUnionResolver takes for IntOrString when they hold a
 * string `value` (a toleration) and cuts down to `{ value }`.
 */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
