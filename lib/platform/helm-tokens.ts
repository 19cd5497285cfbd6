/**
 * Tokens and marks: how template mode carries Helm expressions through
 * construct code (see expr.ts). A token is a string standing for a Go-template
 * expression; a mark is a plain object the printer turns into an `if`, `with`
 * or `range` block. Both pass through cdk8s untouched. The tokens of a render,
 * the conditions on its objects and the data it hoists live in that render's
 * TemplateRegistry, not in this module.
 */
import type { ApiObject } from 'cdk8s';

export type ValueType = 'string' | 'number' | 'boolean' | 'map' | 'list';

export interface HelmToken {
  /** The Go-template expression, with `$.` for the root (the printer shortens it where `.` is the root). */
  text: string;
  type: ValueType;
  /** The expression renders YAML text (an `include`), not a value. */
  yamlText?: boolean;
  /** The JSON Schema of the value, for loops over it. */
  schema?: Schema;
}

export type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; anyOf?: Schema[] };

/** Marks on the rendered tree that the printer turns into template actions. */
export const MARK = '\u0000helm';
export type Marker =
  | { [MARK]: 'if'; cond: string; then: unknown; else?: unknown }
  | { [MARK]: 'with'; expr: string; type: ValueType }
  | { [MARK]: 'range'; expr: string; item: unknown; variables: string };

export function markerOf(value: unknown): Marker | undefined {
  return value !== null && typeof value === 'object' && MARK in value ? (value as Marker) : undefined;
}

/** A condition: a boolean in concrete mode, a Go-template test in template mode. */
export type Cond = boolean | { helm: string; /** the operands of an `and` */ all?: string[] };

/** Go template truth: false, 0, "", nil and empty lists and maps are false. */
export function goTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export function condText(c: Cond): string {
  if (typeof c === 'boolean') return String(c);
  return c.helm;
}

/** An expression as an argument: wrapped in parentheses unless it is one operand already. */
export function paren(text: string): string {
  return /^[$.\w]+$|^"[^"]*"$/.test(text) || enclosed(text) ? text : `(${text})`;
}

/** `(...)` whose first parenthesis closes at the end (quoted text aside). */
function enclosed(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i < text.length - 1) return false;
  }
  return depth === 0;
}

export function valueType(schema: Schema): ValueType {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'map';
    case 'array':
      return 'list';
    default:
      return 'string';
  }
}

let renders = 0;

/**
 * One chart render's template state: the tokens its values and expressions became, the conditions put on its
 * objects, and the ConfigMap data it prints once as named templates. TemplateContext makes one per render; the
 * printer reads it. Tokens carry their registry's number, so a token of another render is refused, not misread.
 */
export class TemplateRegistry {
  private readonly id = ++renders;
  private readonly tokens: HelmToken[] = [];
  private readonly conditions = new WeakMap<ApiObject, string[]>();
  private readonly hoisted = new WeakMap<object, string>();
  private readonly pattern = new RegExp(`\u0000T(\\d+)\\.(\\d+)\u0000`, 'g');
  private readonly whole = new RegExp(`^\u0000T(\\d+)\\.(\\d+)\u0000$`);

  token<T>(text: string, type: ValueType, extra: Omit<HelmToken, 'text' | 'type'> = {}): T {
    this.tokens.push({ text, type, ...extra });
    return `\u0000T${this.id}.${this.tokens.length - 1}\u0000` as unknown as T;
  }

  /** The token a value is, when it is exactly one. */
  tokenOf(value: unknown): HelmToken | undefined {
    if (typeof value !== 'string' || !value.startsWith('\u0000T')) return undefined;
    const m = this.whole.exec(value);
    return m ? this.own(m) : undefined;
  }

  /** A string cut into literal text and the tokens inside it. */
  splitTokens(value: string): (string | HelmToken)[] {
    const parts: (string | HelmToken)[] = [];
    let last = 0;
    for (const m of value.matchAll(this.pattern)) {
      if (m.index! > last) parts.push(value.slice(last, m.index));
      parts.push(this.own(m));
      last = m.index! + m[0].length;
    }
    if (last < value.length) parts.push(value.slice(last));
    return parts;
  }

  /** The token a match names, when it is this render's. */
  private own(m: RegExpMatchArray): HelmToken {
    if (Number(m[1]) !== this.id) throw new Error(`a template value of another render (${m[0].slice(1, -1)}) reached this one`);
    return this.tokens[Number(m[2])];
  }

  hasTokens(value: unknown): boolean {
    return typeof value === 'string' && value.includes('\u0000T');
  }

  /** Conditions (outermost first) that wrap an object in the chart. */
  conditionsOf(obj: ApiObject): string[] {
    return this.conditions.get(obj) ?? [];
  }

  setConditions(obj: ApiObject, conditions: string[]): void {
    this.conditions.set(obj, conditions);
  }

  /** The named template that data is printed as, if hoisted. */
  hoistedName(value: object): string | undefined {
    return this.hoisted.get(value);
  }

  /** Marks data to be printed once as the named template `name`. */
  hoist(value: object, name: string): void {
    this.hoisted.set(value, name);
  }

  /** A token's expression, or a literal's. Long `dict`s and `list`s get one entry per line (Go templates allow newlines in actions). */
  helmOf(value: unknown, depth = 0): string {
    const t = this.tokenOf(value);
    if (t) return t.yamlText ? `(${t.text} | fromYaml)` : t.text;
    if (typeof value === 'string' && this.hasTokens(value)) {
      const parts = this.splitTokens(value);
      const format = parts.map((p) => (typeof p === 'string' ? p.replace(/%/g, '%%') : '%v')).join('');
      const args = parts.filter((p): p is HelmToken => typeof p !== 'string').map((p) => paren(p.text));
      return `printf ${JSON.stringify(format)} ${args.join(' ')}`;
    }
    const call = (fn: string, args: string[]) => {
      const flat = `${fn} ${args.join(' ')}`.trimEnd();
      if (flat.length <= 100 && !flat.includes('\n')) return flat;
      return `${fn}\n${args.map((a) => `${'  '.repeat(depth + 1)}${a}`).join('\n')}`;
    };
    if (Array.isArray(value)) {
      // Items that are there only where a condition holds (x.when, x.itemsWhen): lists joined by concat.
      if (value.some((v) => markerOf(v)?.[MARK] === 'if')) {
        const part = (v: unknown) => {
          const m = markerOf(v);
          if (m?.[MARK] !== 'if') return `list ${paren(this.helmOf(v, depth + 1))}`;
          const items = Array.isArray(m.then) ? m.then : [m.then];
          // ternary takes a boolean; `not (not c)` is Go's truth of any value (a string, a list).
          return `ternary ${paren(this.helmOf(items, depth + 1))} (list) (not (not ${paren(m.cond)}))`;
        };
        // concat of nothing is nil; the list stays a list (JSON []).
        return `default (list) ${paren(call('concat', value.map((v) => paren(part(v)))))}`;
      }
      return call('list', value.map((v) => paren(this.helmOf(v, depth + 1))));
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      return call('dict', entries.map(([k, v]) => `${JSON.stringify(k)} ${paren(this.helmOf(v, depth + 1))}`));
    }
    return JSON.stringify(value ?? null).replace(/^null$/, 'nil');
  }

  /**
   * Tokens for a schema's values: objects with required properties (image, service) nest; maps, lists and
   * objects of optional parts (resources, affinity) are single values.
   */
  valueTokens(schema: Schema, base: string): unknown {
    if (schema.properties && (schema.required?.length ?? 0) > 0) {
      return Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, this.valueTokens(s, `${base}.${k}`)]));
    }
    return this.token(base, valueType(schema), { schema });
  }
}
