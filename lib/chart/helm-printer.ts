/**
 * Prints objects built in template mode (lib/platform/expr.ts) as Helm
 * template YAML: tokens become `{{ .Values.x }}` (quoted where the value is a
 * string), whole maps and lists `toYaml`, and the layer's marks `if`, `with`
 * and `range` blocks. Objects a condition guards are wrapped in it.
 */
import { stringify } from 'yaml';
import { type HelmToken, MARK, markerOf, paren, type TemplateRegistry } from '../platform/helm-tokens.js';

export interface TemplateDocument {
  /** Conditions around the whole object, outermost first. */
  conditions: string[];
  object: Record<string, unknown>;
}

interface Scope {
  /** The render the documents come from: what their tokens stand for. */
  registry: TemplateRegistry;
  /** `.` is the root context (not inside `range` or `with`). */
  dotIsRoot: boolean;
  /** Named templates the file needs (hoisted ConfigMap data), by name. */
  defines: Map<string, string>;
}

/** A Go-template expression as written where `.` may or may not be the root. */
function expr(text: string, scope: Scope): string {
  return scope.dotIsRoot ? text.replace(/(^|[\s(])\$\./g, '$1.') : text;
}

/** Continuation lines of a multi-line action, indented under the line that opens it. */
function indentActions(lines: string[]): string[] {
  return lines.map((line) => {
    if (!line.includes('\n')) return line;
    const pad = /^ */.exec(line)![0];
    return line.replace(/\n/g, `\n${pad}    `);
  });
}

const TOP_KEYS = ['apiVersion', 'kind', 'metadata'];

function orderedEntries(obj: Record<string, unknown>, top = false): [string, unknown][] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && obj[k] !== null);
  const order = (k: string) => (top && TOP_KEYS.includes(k) ? TOP_KEYS.indexOf(k) : TOP_KEYS.length);
  return keys.sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, obj[k]]);
}

function key(k: string): string {
  return stringify(k, { version: '1.1', lineWidth: 0 }).trimEnd();
}

/** A printf of the literal parts and tokens of a string, quoted. */
function printfQuoted(parts: (string | HelmToken)[], scope: Scope): string {
  const format = parts.map((p) => (typeof p === 'string' ? p.replace(/%/g, '%%') : '%v')).join('');
  const args = parts.filter((p): p is HelmToken => typeof p !== 'string').map((t) => paren(expr(t.text, scope)));
  return `{{ printf ${JSON.stringify(format)} ${args.join(' ')} | quote }}`;
}


/** A scalar on one line, or undefined when it needs a block. */
function inlineScalar(value: unknown, scope: Scope): string {
  if (typeof value !== 'string') return String(value);
  const t = scope.registry.tokenOf(value);
  if (t) {
    if (t.type === 'string') return `{{ ${expr(t.text, scope)} | quote }}`;
    if (t.type === 'number' || t.type === 'boolean') return `{{ ${expr(t.text, scope)} }}`;
    throw new Error(`a ${t.type} (${t.text}) cannot stand in a string`);
  }
  const parts = scope.registry.splitTokens(value);
  if (parts.some((p) => typeof p !== 'string')) return printfQuoted(parts, scope);
  return stringify(value, { version: '1.1', lineWidth: 0 }).trimEnd();
}

/** A multi-line string as a literal block; tokens inside stay as `{{ }}` (their values are single-line). */
function blockScalar(value: string, pad: string, scope: Scope): string[] {
  const trailing = /\n*$/.exec(value)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = (trailing > 0 ? value.slice(0, -1) : value).split('\n');
  const lines = body.map((l) =>
    l === ''
      ? ''
      : pad +
        scope.registry.splitTokens(l)
          .map((p) => (typeof p === 'string' ? p : `{{ ${expr(p.text, scope)} }}`))
          .join(''),
  );
  return [`|${chomp}`, ...lines];
}

const needsBlock = (v: unknown) => typeof v === 'string' && v.includes('\n') && !/^[ \t]/.test(v) && !/[ \t]\n/.test(v) && !/\r/.test(v);

export class HelmPrinter {
  private readonly defines = new Map<string, string>();

  /** One template file of one render: its named templates, then each object under its conditions. */
  file(documents: TemplateDocument[], registry: TemplateRegistry): string {
    const scope: Scope = { registry, dotIsRoot: true, defines: this.defines };
    const out: string[] = [];
    let open: string[] = [];
    for (const doc of documents) {
      let shared = 0;
      while (shared < open.length && shared < doc.conditions.length && open[shared] === doc.conditions[shared]) shared++;
      for (let i = open.length; i > shared; i--) out.push('{{- end }}');
      doc.conditions.forEach((c, i) => {
        if (i < shared) return;
        const inRange = doc.conditions.slice(0, i).some((o) => o.startsWith('range '));
        out.push(`{{- ${expr(c, { ...scope, dotIsRoot: !inRange })} }}`);
      });
      open = doc.conditions;
      const inRange = doc.conditions.some((c) => c.startsWith('range '));
      out.push('---', ...this.mapLines(doc.object, '', { ...scope, dotIsRoot: !inRange }, true));
    }
    for (let i = open.length; i > 0; i--) out.push('{{- end }}');
    const defines = [...this.defines.entries()].map(([name, body]) => `{{- define "${name}" -}}\n${body}\n{{ end -}}`);
    this.defines.clear();
    return `${[...defines, ...indentActions(out)].join('\n')}\n`;
  }

  private mapLines(obj: Record<string, unknown>, pad: string, scope: Scope, top = false): string[] {
    return orderedEntries(obj, top).flatMap(([k, v]) => this.entryLines(k, v, pad, scope));
  }

  private entryLines(k: string, v: unknown, pad: string, scope: Scope): string[] {
    const m = markerOf(v);
    if (m?.[MARK] === 'if') {
      const lines = [`${pad}{{- if ${expr(m.cond, scope)} }}`, ...this.entryLines(k, m.then, pad, scope)];
      // An else that is another condition reads as `else if`.
      let rest = markerOf(m.else);
      let otherwise = m.else;
      while (rest?.[MARK] === 'if') {
        lines.push(`${pad}{{- else if ${expr(rest.cond, scope)} }}`, ...this.entryLines(k, rest.then, pad, scope));
        otherwise = rest.else;
        rest = markerOf(otherwise);
      }
      if (otherwise !== undefined) lines.push(`${pad}{{- else }}`, ...this.entryLines(k, otherwise, pad, scope));
      return [...lines, `${pad}{{- end }}`];
    }
    if (m?.[MARK] === 'with') {
      const body =
        m.type === 'map' || m.type === 'list'
          ? [`${pad}${key(k)}:`, `${pad}  {{- toYaml . | nindent ${pad.length + 2} }}`]
          : [`${pad}${key(k)}: {{ .${m.type === 'string' ? ' | quote' : ''} }}`];
      return [`${pad}{{- with ${expr(m.expr, scope)} }}`, ...body, `${pad}{{- end }}`];
    }
    return this.valueLines(`${pad}${key(k)}:`, v, pad, scope);
  }

  /** `head` is `key:` or `-`; the value follows on the same line or below it. */
  private valueLines(head: string, v: unknown, pad: string, scope: Scope): string[] {
    const inner = `${pad}  `;
    const t = scope.registry.tokenOf(v);
    if (t && (t.type === 'map' || t.type === 'list')) {
      const text = expr(t.text, scope);
      return [head, `${inner}{{- ${t.yamlText ? text : `toYaml ${paren(text)}`} | nindent ${inner.length} }}`];
    }
    if (needsBlock(v)) {
      const [indicator, ...lines] = blockScalar(v as string, inner, scope);
      return [`${head} ${indicator}`, ...lines];
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return [`${head} []`];
      const ranges = v.map(markerOf).filter((m) => m?.[MARK] === 'range');
      // A list made only by loops is [] when they make nothing, as in synth.
      const loops = ranges.map((m) => paren(expr(m!.expr, scope)));
      const any = loops.length === 1 ? loops[0] : `(or ${loops.join(' ')})`;
      const empty = ranges.length === v.length ? [`${inner}{{- if not ${any} }} []{{- end }}`] : [];
      return [head, ...empty, ...this.listLines(v, inner, scope)];
    }
    if (v !== null && typeof v === 'object') {
      const define = scope.registry.hoistedName(v);
      if (define) {
        this.defines.set(define, indentActions(this.mapLines(v as Record<string, unknown>, '', { ...scope, dotIsRoot: true })).join('\n'));
        return [head, `${inner}{{- include ${JSON.stringify(define)} $ | nindent ${inner.length} }}`];
      }
      if (Object.keys(v).length === 0) return [`${head} {}`];
      return [head, ...this.mapLines(v as Record<string, unknown>, inner, scope)];
    }
    return [`${head} ${inlineScalar(v, scope)}`];
  }

  private listLines(items: unknown[], pad: string, scope: Scope): string[] {
    return items.flatMap((item) => {
      const m = markerOf(item);
      if (m?.[MARK] === 'if') {
        const then = Array.isArray(m.then) ? m.then : [m.then];
        const lines = [`${pad}{{- if ${expr(m.cond, scope)} }}`, ...this.listLines(then, pad, scope)];
        if (m.else !== undefined) lines.push(`${pad}{{- else }}`, ...this.listLines(Array.isArray(m.else) ? m.else : [m.else], pad, scope));
        return [...lines, `${pad}{{- end }}`];
      }
      if (m?.[MARK] === 'range') {
        const inner = { ...scope, dotIsRoot: false };
        return [`${pad}{{- range ${m.variables} := ${expr(m.expr, scope)} }}`, ...this.listLines([m.item], pad, inner), `${pad}{{- end }}`];
      }
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && !scope.registry.tokenOf(item)) {
        const entries = orderedEntries(item as Record<string, unknown>);
        // The dash goes on the first plain entry's line: `name` where there is one.
        const named = entries.findIndex(([k, v]) => k === 'name' && !markerOf(v));
        const first = named >= 0 ? named : entries.findIndex(([, v]) => !markerOf(v));
        const ordered = first > 0 ? [entries[first], ...entries.filter((_, i) => i !== first)] : entries;
        const lines = ordered.flatMap(([k, v]) => this.entryLines(k, v, `${pad}  `, scope));
        if (first >= 0) lines[0] = `${pad}- ${lines[0].slice(pad.length + 2)}`;
        else lines.unshift(`${pad}-`);
        return lines;
      }
      return this.valueLines(`${pad}-`, item, pad, scope);
    });
  }
}
