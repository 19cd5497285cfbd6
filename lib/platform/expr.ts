/**
 * The value-expression layer. Constructs read values and branch on them through
 * `Expressions`, so one construct renders either concrete objects (synth, the
 * operator) or, in template mode, the Helm template that computes the same
 * objects at install time (the chart; printed by lib/chart/helm-printer.ts).
 *
 * In template mode a value is a token: a string standing for a Helm expression.
 * Constructs see values as `Val<T>` (template-value.ts), which TypeScript lets
 * them place (`x.value`) and put in template strings, and nothing else: a test,
 * an optional field, a loop or a merge goes through this layer. What the layer
 * returns is ready to place.
 */
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { condText, goTruthy, MARK, paren, TemplateRegistry, valueType, type Cond, type HelmToken, type ValueType } from './helm-tokens.js';
import type { ValOr, Vals } from './template-value.js';

export type { Cond } from './helm-tokens.js';

/** Go-template text of plain values (a literal's `dict`, `list` or quoted string), which need no render's tokens. */
const LITERALS = new TemplateRegistry();

/** The value type of a literal. */
function literalType(value: unknown): ValueType {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object' && value !== null) return 'map';
  return typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string';
}

export class Expressions {
  private depth = 0;

  /** Concrete mode without a registry; template mode with the render's (tokens, conditions, hoisted data). */
  constructor(readonly registry?: TemplateRegistry) {}

  get template(): boolean {
    return this.registry !== undefined;
  }

  /** The token a value is, in template mode; never one in concrete mode. */
  tokenOf(value: unknown): HelmToken | undefined {
    return this.registry?.tokenOf(value);
  }

  private helmOf(value: unknown): string {
    return (this.registry ?? LITERALS).helmOf(value);
  }

  private token<T>(text: string, type: ValueType, extra: Omit<HelmToken, 'text' | 'type'> = {}): T {
    return this.registry!.token<T>(text, type, extra);
  }

  /** The value as it goes into an object: itself in synth, its token in the chart. */
  value<T>(v: ValOr<T>): T {
    return v as T;
  }

  /** A values subtree (an object of values, `Vals<V>`) as it goes into an object. */
  tree<V>(v: Vals<V>): V {
    return v as V;
  }

  /** A value computed in JavaScript, or by the Helm expression that computes the same. */
  computed<T>(concrete: () => T, helm: () => string, type: ValueType, extra: Omit<HelmToken, 'text' | 'type'> = {}): T {
    return this.template ? this.token<T>(helm(), type, extra) : concrete();
  }

  /** The Go-template expression of a value (a token's, or a literal's), as an argument: parenthesized where needed. */
  helm(value: unknown): string {
    return paren(this.helmOf(value));
  }

  truthy(value: unknown): Cond {
    return this.tokenOf(value) ? { helm: this.helmOf(value) } : goTruthy(value);
  }

  not(c: Cond): Cond {
    return typeof c === 'boolean' ? !c : { helm: `not ${paren(c.helm)}` };
  }

  and(...cs: Cond[]): Cond {
    if (cs.includes(false)) return false;
    const open = cs.filter((c) => c !== true);
    if (open.length <= 1) return open[0] ?? true;
    const parts = open.flatMap((c) => (typeof c !== 'boolean' && c.all ? c.all : [paren(condText(c))]));
    return { helm: `and ${parts.join(' ')}`, all: parts };
  }

  or(...cs: Cond[]): Cond {
    if (cs.includes(true)) return true;
    const open = cs.filter((c) => c !== false);
    if (open.length <= 1) return open[0] ?? false;
    return { helm: `or ${open.map((c) => paren(condText(c))).join(' ')}` };
  }

  atLeast(value: ValOr<number>, n: number): Cond {
    return this.tokenOf(value) ? { helm: `ge (int ${paren(this.helmOf(value))}) ${n}` } : (value as number) >= n;
  }

  equals(value: unknown, other: string | number | boolean): Cond {
    return this.tokenOf(value) || this.tokenOf(other) ? { helm: `eq ${paren(this.helmOf(value))} ${paren(this.helmOf(other))}` } : value === other;
  }

  hasPrefix(value: ValOr<string>, prefix: string): Cond {
    return this.tokenOf(value) ? { helm: `hasPrefix ${JSON.stringify(prefix)} ${paren(this.helmOf(value))}` } : (value as string).startsWith(prefix);
  }

  /** `a` when set (Go truth), else `b`. */
  orDefault<T>(a: ValOr<T>, b: ValOr<T>): T {
    if (!this.tokenOf(a)) return (goTruthy(a) ? a : b) as T;
    return this.token<T>(`${paren(this.helmOf(a))} | default ${paren(this.helmOf(b))}`, this.tokenOf(a)!.type);
  }

  /** One of two values by a condition. */
  choose<T>(cond: Cond, a: ValOr<T>, b: ValOr<T>): T {
    if (typeof cond === 'boolean') return (cond ? a : b) as T;
    const type = this.tokenOf(a)?.type ?? this.tokenOf(b)?.type ?? literalType(a);
    return this.token<T>(`ternary ${paren(this.helmOf(a))} ${paren(this.helmOf(b))} ${paren(cond.helm)}`, type);
  }

  /** `value` where the condition holds; left out otherwise (a field, or an item of `list`). */
  when<T>(cond: Cond, value: ValOr<T>, otherwise?: ValOr<T>): T | undefined {
    if (typeof cond === 'boolean') return (cond ? value : otherwise) as T | undefined;
    return { [MARK]: 'if', cond: cond.helm, then: value, else: otherwise } as unknown as T;
  }

  /** List items that are there only where the condition holds. */
  itemsWhen<T>(cond: Cond, items: T[]): T[] {
    if (typeof cond === 'boolean') return cond ? items : [];
    return [{ [MARK]: 'if', cond: cond.helm, then: items } as unknown as T];
  }

  /** A map or list from values, left out when empty. */
  optional<T>(value: ValOr<T>): T | undefined {
    const t = this.tokenOf(value);
    if (!t) return goTruthy(value) ? (value as T) : undefined;
    return { [MARK]: 'with', expr: this.helmOf(value), type: t.type } as unknown as T;
  }

  /** A list's items, without those `when` left out. */
  list<T>(...items: (T | undefined)[]): T[] {
    return items.filter((i) => i !== undefined) as T[];
  }

  /**
   * One result per item of a list from values (a `range` in the chart). With `whole`, an item is one value
   * (for maps with optional keys, which must stay absent where unset), not an object of its fields.
   */
  each<T, R>(list: ValOr<T[]>, build: (item: Vals<T>) => R, options: { whole?: boolean } = {}): R[] {
    const t = this.tokenOf(list);
    if (!t) return (list as T[]).map((item) => build(item as Vals<T>));
    if (t.type !== 'list') throw new Error(`each() needs a list, and ${t.text} is a ${t.type}`);
    const variable = `$item${this.depth || ''}`;
    const itemSchema = t.schema?.items ?? {};
    const item = this.nested(() => build((options.whole ? this.token(variable, valueType(itemSchema), { schema: itemSchema }) : this.registry!.valueTokens(itemSchema, variable)) as Vals<T>));
    return [{ [MARK]: 'range', expr: t.text, item, variables: variable } as unknown as R];
  }

  /** One result per entry of a map from values, in key order (as Helm ranges over a map). */
  entries<R>(map: ValOr<Record<string, string>>, build: (key: string, value: string) => R): R[] {
    if (!this.tokenOf(map)) {
      const plain = map as Record<string, string>;
      return Object.keys(plain).sort().map((k) => build(k, plain[k]));
    }
    const [key, value] = [`$key${this.depth || ''}`, `$value${this.depth || ''}`];
    const item = this.nested(() => build(this.token(key, 'string'), this.token(value, 'string')));
    return [{ [MARK]: 'range', expr: this.helmOf(map), item, variables: `${key}, ${value}` } as unknown as R];
  }

  /** `key` of a map from values, or `fallback` where it is not set. */
  withDefault<T extends object>(map: ValOr<T>, key: string, fallback: unknown): T {
    if (!this.tokenOf(map)) return { ...(map as T), [key]: (map as Record<string, unknown>)[key] || fallback };
    const m = paren(this.helmOf(map));
    return this.token<T>(`set (deepCopy ${m}) ${JSON.stringify(key)} (get ${m} ${JSON.stringify(key)} | default ${paren(this.helmOf(fallback))})`, 'map');
  }

  /** Flat maps: `a` with `b`'s entries added where `a` has none (Sprig's merge, whose first map wins). */
  merge<T extends object>(a: ValOr<T>, b: ValOr<object>): T {
    if (!this.tokenOf(a) && !this.tokenOf(b)) return { ...(b as object), ...(a as T) };
    // merge writes into its first map: never into .Values.
    const first = this.tokenOf(a) && !this.tokenOf(a)!.yamlText ? `deepCopy ${paren(this.helmOf(a))}` : this.helmOf(a);
    return this.token<T>(`merge ${paren(first)} ${paren(this.helmOf(b))}`, 'map');
  }

  /** ConfigMap data the chart prints once, as the named template `aileron.data.<name>`, so a checksum can hash it. */
  named<T extends object>(name: string, data: T): T {
    this.registry?.hoist(data, `aileron.data.${name}`);
    return data;
  }

  /**
   * The digest pods carry of ConfigMap data (`named`, or an object of such), so
   * a change rolls them: Go's JSON of the data, hashed.
   */
  checksum(data: object, concrete: (d: unknown) => string): string {
    if (!this.template) return concrete(data);
    const json = (d: object): string => {
      const define = this.registry!.hoistedName(d);
      if (define) return `(include "${define}" $ | fromYaml)`;
      return `(dict ${Object.entries(d).map(([k, v]) => `${JSON.stringify(k)} ${json(v)}`).join(' ')})`;
    };
    return this.token<string>(`${json(data).slice(1, -1)} | toJson | sha256sum`, 'string');
  }

  /** `map` has `key` (set, even to ""). */
  hasKey(map: ValOr<Record<string, unknown>>, key: string): Cond {
    return this.tokenOf(map) ? { helm: `hasKey ${paren(this.helmOf(map))} ${JSON.stringify(key)}` } : key in (map as object);
  }

  /** A test computed in JavaScript, or by a `_helpers.tpl` definition that computes the same. */
  condition(concrete: () => boolean, helm: () => string): Cond {
    return this.template ? { helm: helm() } : concrete();
  }

  /** A number or boolean as text. */
  str(value: unknown): string {
    return this.tokenOf(value) ? this.token<string>(`${paren(this.helmOf(value))} | toString`, 'string') : String(value);
  }

  /** A list's items joined by `sep`. */
  join(list: ValOr<string[]>, sep: string): string {
    return this.tokenOf(list) ? this.token<string>(`join ${JSON.stringify(sep)} ${paren(this.helmOf(list))}`, 'string') : (list as string[]).join(sep);
  }

  /** A value as Go's JSON (Helm's toJson, or toPrettyJson). */
  toJson(value: unknown, concrete: (v: unknown) => string, pretty = false): string {
    return this.template ? this.token<string>(`${paren(this.helmOf(value))} | ${pretty ? 'toPrettyJson' : 'toJson'}`, 'string') : concrete(value);
  }

  /**
   * Builds the objects of `build` only where the condition holds; in template
   * mode, every object it creates is wrapped in the condition.
   */
  scope(within: Construct, cond: Cond, build: () => void): void {
    if (typeof cond === 'boolean') {
      if (cond) build();
      return;
    }
    this.wrap(within, `if ${cond.helm}`, build);
  }

  /** Builds objects once per item of a list from values (a `range` around them in the chart). */
  forEach<T>(within: Construct, list: ValOr<T[]>, build: (item: Vals<T>) => void): void {
    const t = this.tokenOf(list);
    if (!t) {
      (list as T[]).forEach((item) => build(item as Vals<T>));
      return;
    }
    const variable = `$item${this.depth || ''}`;
    this.wrap(within, `range ${variable} := ${t.text}`, () => this.nested(() => build(this.registry!.valueTokens(t.schema?.items ?? {}, variable) as Vals<T>)));
  }

  /** Loop variables are named by depth: siblings reuse `$key`, a nested loop gets `$key1`. */
  private nested<R>(build: () => R): R {
    this.depth++;
    try {
      return build();
    } finally {
      this.depth--;
    }
  }

  private wrap(within: Construct, action: string, build: () => void): void {
    const before = new Set(within.node.findAll());
    build();
    for (const c of within.node.findAll()) {
      if (before.has(c) || !(c instanceof ApiObject)) continue;
      this.registry!.setConditions(c, [action, ...this.registry!.conditionsOf(c)]);
    }
  }
}
