/**
 * Reading and writing a values file as a YAML document, so `migrate` keeps its comments and order: a key path's
 * value as plain JavaScript, and a write that makes the maps on the way as plain maps (the yaml package's setIn
 * would make a YAML 1.1 `!!omap` of a missing one).
 */
import { isScalar, type Document } from 'yaml';

/** The value at a key path: a scalar's value, a map or list as JavaScript, or undefined. */
export function valueAt(doc: Document, path: string[]): unknown {
  const node = doc.getIn(path, true);
  if (node === undefined || node === null) return node ?? undefined;
  if (isScalar(node)) return node.value;
  return (node as { toJSON(): unknown }).toJSON();
}

/** Writes `value` at a key path, making any missing map on the way. */
export function setAt(doc: Document, path: string[], value: unknown): void {
  for (let i = 1; i < path.length; i++) if (!doc.hasIn(path.slice(0, i))) doc.setIn(path.slice(0, i), doc.createNode({}));
  doc.setIn(path, doc.createNode(value));
}
