/**
 * The values reference, generated from the values schema: a Markdown table
 * for the READMEs and a commented values.yaml for the chart, so docs and
 * defaults can never disagree with the model.
 */
import { ValuesSchema } from '../values/schema.js';

type Schema = { type?: string; description?: string; default?: unknown; properties?: Record<string, Schema>; anyOf?: Schema[]; const?: unknown };

export interface ValueRow {
  key: string;
  type: string;
  default: unknown;
  description: string;
}

function typeOf(s: Schema): string {
  if (s.anyOf) return s.anyOf.map((b) => (b.const !== undefined ? JSON.stringify(b.const) : b.type)).join(' \\| ');
  return s.type ?? 'object';
}

/** One row per leaf key; maps with free keys (annotations, env) and resources are leaves. */
export function valueRows(schema: Schema = ValuesSchema as unknown as Schema, prefix = ''): ValueRow[] {
  const rows: ValueRow[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties && key !== 'resources') rows.push(...valueRows(child, path));
    else rows.push({ key: path, type: typeOf(child), default: child.default, description: child.description ?? '' });
  }
  return rows;
}

export function valuesMarkdownTable(): string {
  const cell = (v: unknown) => `\`${JSON.stringify(v)}\``.replace(/\|/g, '\\|');
  const lines = ['| Key | Type | Default | Description |', '|---|---|---|---|'];
  for (const r of valueRows()) lines.push(`| \`${r.key}\` | ${r.type} | ${cell(r.default)} | ${r.description.replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}

/** Every image the chart runs by default, one row each, from the values: what a pin bump changes. */
export function imagesMarkdownTable(): string {
  const lines = ['| Image | Value | Pinned to |', '|---|---|---|'];
  const rows = valueRows();
  for (const r of rows.filter((row) => row.key.endsWith('.image.repository'))) {
    const base = r.key.slice(0, -'.repository'.length);
    const tag = rows.find((row) => row.key === `${base}.tag`)?.default;
    lines.push(`| \`${String(r.default)}\` | \`${base}\` | \`${String(tag)}\` |`);
  }
  for (const r of rows.filter((row) => /^kubernetes\.(runtime|browser|canvas)Image$/.test(row.key))) {
    const [repository, tag] = String(r.default).split(/:(?=[^:/]+$)/);
    lines.push(`| \`${repository}\` | \`${r.key}\` | \`${tag}\` |`);
  }
  return lines.join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers ${start} ... ${end} not found`);
  return `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`;
}
