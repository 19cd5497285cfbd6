/**
 * Helm's value-merge rules, so `-f a.yaml -f b.yaml --set x=y` means the same
 * here as with `helm install`: maps merge key by key, anything else (lists
 * included) replaces, and `null` deletes the key.
 */
import { cloneJson } from './clone.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets an own property, even `__proto__`: plain assignment would change the
 * prototype and drop the key, where Helm keeps it (and the schema refuses it).
 */
function put(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const own = (o: object, key: string | number) => (Object.prototype.hasOwnProperty.call(o, key) ? (o as Record<string, Json>)[key] : undefined);

/** Key paths given `null`, for the check that only free-form map entries of the defaults may go, as with Helm. */
export type Removed = string[][];

export function deepMerge(base: JsonObject, overlay: JsonObject, removed: Removed = [], path: string[] = []): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(base)) put(out, key, value);
  for (const [key, value] of Object.entries(overlay)) {
    const current = own(out, key);
    if (value === null) {
      // Every null is recorded: it may remove only an entry the defaults have (see loadValues).
      removed.push([...path, key]);
      delete out[key];
    } else if (isObject(value) && isObject(current)) {
      put(out, key, deepMerge(current, value, removed, [...path, key]));
    } else {
      put(out, key, cloneJson(value));
    }
  }
  return out;
}

/** A `--set` path segment: a map key or a list index. */
type Segment = string | number;

export class SetSyntaxError extends Error {}

/**
 * Parses one `--set` argument the way Helm's strvals does for the common
 * forms: `a.b=c`, `a.b[0]=c`, several pairs separated by commas, `\.` and `\,`
 * escapes (for annotation keys), `{x,y}` lists, and typed scalars
 * (true/false/null/integers). `asString` is `--set-string`.
 */
export function parseSet(arg: string, asString = false): Array<{ path: Segment[]; value: Json }> {
  const pairs: Array<{ path: Segment[]; value: Json }> = [];
  for (const pair of splitUnescaped(arg, ',', true)) {
    const eq = indexOfUnescaped(pair, '=');
    if (eq < 0) throw new SetSyntaxError(`--set ${arg}: "${pair}" has no "=" (expected key.path=value)`);
    const path = parsePath(pair.slice(0, eq), arg);
    const raw = pair.slice(eq + 1);
    pairs.push({ path, value: parseScalarOrList(unescape(raw), asString) });
  }
  return pairs;
}

function parsePath(key: string, arg: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of splitUnescaped(key, '.', false)) {
    const match = /^(.*?)((?:\[\d+\])*)$/.exec(part);
    const name = unescape(match![1]);
    if (name === '') throw new SetSyntaxError(`--set ${arg}: empty key in "${key}"`);
    segments.push(name);
    for (const idx of match![2].matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
  }
  return segments;
}

function parseScalarOrList(raw: string, asString: boolean): Json {
  if (!asString && raw.startsWith('{') && raw.endsWith('}')) {
    const inner = raw.slice(1, -1);
    return inner === '' ? [] : inner.split(',').map((item) => parseScalar(item, false));
  }
  return parseScalar(raw, asString);
}

function parseScalar(raw: string, asString: boolean): Json {
  if (asString) return raw;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (raw === 'null') return null;
  if (/^-?(0|[1-9]\d{0,15})$/.test(raw)) return Number(raw);
  return raw;
}

/** Splits on `sep` outside `\` escapes (and, for pairs, outside `{...}`). */
function splitUnescaped(text: string, sep: string, braces: boolean): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i];
      continue;
    }
    if (braces && ch === '{') depth++;
    if (braces && ch === '}') depth = Math.max(0, depth - 1);
    if (ch === sep && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function indexOfUnescaped(text: string, ch: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ch) return i;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Writes `value` at `path` inside `target`, creating maps and lists on the way. */
export function setPath(target: JsonObject, path: Segment[], value: Json, removed: Removed = []): void {
  let node: Json = target;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    const nextIsIndex = !last && typeof path[i + 1] === 'number';
    const container = node as { [k: string]: Json } & Json[];
    if (last) {
      if (value === null && typeof seg === 'string') {
        if (own(container, seg) !== undefined) removed.push(path.map(String));
        delete container[seg];
      } else put(container, seg, value);
      return;
    }
    let child = own(container, seg);
    if (nextIsIndex ? !Array.isArray(child) : !isObject(child)) {
      child = nextIsIndex ? [] : {};
      put(container, seg, child);
    }
    node = child!;
  }
}
