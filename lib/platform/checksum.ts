/**
 * Config checksums for pod annotations, so a ConfigMap change rolls the pods
 * that read it. The digest is over Go's JSON encoding of the data (sorted keys,
 * HTML-safe escapes): a Helm template gets the same digest from
 * `toJson .data | sha256sum`.
 */
import { createHash } from 'node:crypto';

/** Go's json.Marshal (Helm's toJson); with `indent`, json.MarshalIndent (toPrettyJson). */
export function goJson(value: unknown, indent = '', level = 0): string {
  if (value === null || typeof value !== 'object') return escapeLikeGo(JSON.stringify(value));
  const pad = indent ? `\n${indent.repeat(level + 1)}` : '';
  const end = indent ? `\n${indent.repeat(level)}` : '';
  const sep = indent ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => pad + goJson(v, indent, level + 1)).join(',')}${end}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${pad}${escapeLikeGo(JSON.stringify(k))}${sep}${goJson(v, indent, level + 1)}`).join(',')}${end}}`;
}

function escapeLikeGo(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function checksum(data: unknown): string {
  return createHash('sha256').update(goJson(data)).digest('hex');
}
