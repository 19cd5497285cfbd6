/**
 * Turns values sources (defaults, `-f` files, `--set` pairs) into one validated
 * `Values` tree. Every failure is a ValuesError that names the key path and
 * what was expected, so callers can stop before writing anything.
 */
import { cloneJson } from './clone.js';
import type { ErrorObject } from 'ajv';
import { InputError, readYamlInput } from './read-input.js';
import { renamedKeyMessage } from './renamed.js';
import { PATTERN_HINTS, ValuesSchema, type Values } from './schema.js';
import validate from './validate.generated.cjs';
import { deepMerge, isObject, parseSet, setPath, SetSyntaxError, type JsonObject, type Removed } from './merge.js';
import { checkValues } from './rules.js';

export class ValuesError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid values:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ValuesError';
  }
}


export interface ValuesSources {
  files?: string[];
  set?: string[];
  setString?: string[];
  /** Already-parsed overlays applied after the files (used by tests and the operator). */
  overlays?: JsonObject[];
}

/**
 * Defaults, then each file, each overlay, then --set; validated. Like Helm,
 * merging starts from the full defaults tree (values.yaml), so `{}` for a map
 * keeps its default entries; `null` removes one.
 */
export function loadValues(sources: ValuesSources = {}): Values {
  let merged = cloneJson(defaultTree());
  const removed: Removed = [];
  for (const file of sources.files ?? []) merged = deepMerge(merged, readValuesFile(file), removed);
  for (const overlay of sources.overlays ?? []) merged = deepMerge(merged, overlay, removed);
  try {
    for (const arg of sources.set ?? []) for (const { path, value } of parseSet(arg)) setPath(merged, path, value, removed);
    for (const arg of sources.setString ?? []) for (const { path, value } of parseSet(arg, true)) setPath(merged, path, value, removed);
  } catch (err) {
    if (err instanceof SetSyntaxError) throw new ValuesError([err.message]);
    throw err;
  }
  const defaults = defaultTree();
  const problems = removed.flatMap((path) => {
    if (isSchemaKey(path)) return [`${path.join('.')}: null would remove this setting, which Helm refuses too; leave it out to keep the default, or set it`];
    // null removes an entry the defaults have; anywhere else Helm keeps the null, and its schema refuses it.
    if (!hasPath(defaults, path)) return [`${path.join('.')}: null removes only an entry the defaults have, and there is none here (Helm refuses it too); leave the key out, or give a value`];
    return [];
  });
  if (problems.length > 0) throw new ValuesError(problems);
  return resolveValues(merged);
}

function hasPath(tree: JsonObject, path: string[]): boolean {
  let node: unknown = tree;
  for (const key of path) {
    if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, key)) return false;
    node = node[key];
  }
  return true;
}

/** Whether a key path names a key the schema defines (as opposed to an entry of a free-form map, which null may delete). */
function isSchemaKey(path: string[]): boolean {
  let node = ValuesSchema as unknown as { properties?: Record<string, unknown> };
  for (const key of path) {
    const next = node.properties && Object.prototype.hasOwnProperty.call(node.properties, key) ? node.properties[key] : undefined;
    if (!next) return false;
    node = next as typeof node;
  }
  return true;
}

/** Applies schema defaults to a merged tree and validates it. */
export function resolveValues(input: JsonObject): Values {
  const values = cloneJson(input);
  if (!validate(values)) throw new ValuesError(formatErrors(validate.errors ?? [], values));
  const problems = checkValues(values as unknown as Values);
  if (problems.length > 0) throw new ValuesError(problems);
  return values as unknown as Values;
}

let defaults: JsonObject | undefined;

function defaultTree(): JsonObject {
  defaults ??= resolveValues({}) as unknown as JsonObject;
  return defaults;
}

export function defaultValues(): Values {
  return cloneJson(defaultTree()) as unknown as Values;
}

function readValuesFile(file: string): JsonObject {
  let doc: unknown;
  try {
    doc = readYamlInput(file);
  } catch (err) {
    if (err instanceof InputError) throw new ValuesError([err.message]);
    throw err;
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc)) throw new ValuesError([`${file}: the top level must be a map of values`]);
  return doc;
}

/** `/a/b/0` → `a.b[0]` */
export function keyPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function formatErrors(errors: ErrorObject[], values: unknown): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of errors) {
    // A union's branch errors repeat one mistake; its summary line says it once.
    if (e.schemaPath.includes('anyOf/') && e.keyword !== 'anyOf') continue;
    const base = keyPath(e.instancePath);
    const line = describe(e, base, values);
    if (line && !seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}

function describe(e: ErrorObject, base: string, values: unknown): string {
  const at = base || '(top level)';
  const got = JSON.stringify(lookup(values, e.instancePath));
  if (e.propertyName !== undefined) {
    // A bad key of a free-form map (labels, annotations, env).
    const key = `${base ? `${base}.` : ''}${e.propertyName}`;
    if (e.keyword === 'pattern') return `${key}: the key must be ${hint((e.params as { pattern: string }).pattern)}`;
    if (e.keyword === 'not') return `${key}: this key is not allowed`;
    return `${key}: the key ${e.message}`;
  }
  switch (e.keyword) {
    case 'propertyNames':
      return ''; // its nested error above says which key and why
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const renamed = renamedKeyMessage(`${base ? `${base}.` : ''}${key}`);
      if (renamed) return renamed;
      const known = Object.keys(lookupSchema(e.parentSchema) ?? {});
      const hint = nearest(key, known);
      return `${base ? `${base}.` : ''}${key}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; known keys here: ${known.join(', ')}`;
    }
    case 'not': {
      const refused = (e.schema as { pattern?: string }).pattern;
      return `${at}: ${got} is ${(refused && PATTERN_HINTS[`not ${refused}`]) || 'not allowed here'}`;
    }
    case 'anyOf':
      return `${at}: must be one of ${unionChoices(e.schema)} (got ${got})`;
    case 'pattern':
      return `${at}: ${shorten(got)} is not ${hint((e.params as { pattern: string }).pattern)}`;
    case 'maxLength':
      return `${at}: is ${String(lookup(values, e.instancePath)).length} characters long; at most ${(e.params as { limit: number }).limit}`;
    case 'maxProperties':
      return `${at}: has ${Object.keys(lookup(values, e.instancePath) as object).length} entries; at most ${(e.params as { limit: number }).limit}`;
    case 'type': {
      const type = (e.params as { type: string }).type;
      const hint = type === 'string' && got !== undefined ? '; quote it in YAML, or use --set-string' : '';
      return `${at}: must be ${type} (got ${got})${hint}`;
    }
    default:
      return `${at}: ${e.message} (got ${got})`;
  }
}

function hint(pattern: string): string {
  return PATTERN_HINTS[pattern] ?? `in the format ${pattern}`;
}

/** A value in a message: long ones cut, control characters shown escaped (JSON.stringify already does). */
function shorten(text: string | undefined): string {
  if (text === undefined) return 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

function unionChoices(schema: unknown): string {
  const branches = Array.isArray(schema) ? schema : [];
  return branches
    .map((b: { const?: unknown; type?: string; minimum?: number; maximum?: number }) =>
      b.const !== undefined ? JSON.stringify(b.const) : b.minimum !== undefined ? `${b.type} ${b.minimum}-${b.maximum}` : b.type,
    )
    .join(', ');
}

function lookupSchema(parent: unknown): Record<string, unknown> | undefined {
  return (parent as { properties?: Record<string, unknown> })?.properties;
}

function lookup(values: unknown, pointer: string): unknown {
  let node = values;
  for (const p of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown>)?.[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** The known key closest to a mistyped one, when it is close enough to be a typo. */
function nearest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
