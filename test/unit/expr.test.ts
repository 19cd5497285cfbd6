/**
 * The value-expression layer and its Helm printer, as plain functions: what a
 * construct gets in concrete mode, and the template text it becomes in
 * template mode. (The chart tests render the whole chart with real helm.)
 */
import { Expressions } from '../../lib/platform/expr.js';
import { paren, TemplateRegistry, type Schema } from '../../lib/platform/helm-tokens.js';
import { HelmPrinter } from '../../lib/chart/helm-printer.js';

const SCHEMA: Schema = {
  type: 'object',
  required: ['name', 'replicas', 'enabled', 'labels', 'hosts', 'env'],
  properties: {
    name: { type: 'string' },
    replicas: { type: 'integer' },
    enabled: { type: 'boolean' },
    labels: { type: 'object' },
    hosts: { type: 'array', items: { type: 'string' } },
    env: { type: 'object' },
  },
};
type Values = { name: string; replicas: number; enabled: boolean; labels: Record<string, string>; hosts: string[]; env: Record<string, string> };

const concrete = new Expressions();

describe('concrete mode computes what the JavaScript would', () => {
  test('tests, defaults and choices', () => {
    expect(concrete.truthy('')).toBe(false);
    expect(concrete.truthy({})).toBe(false);
    expect(concrete.truthy([0])).toBe(true);
    expect(concrete.and(true, concrete.atLeast(3, 2), concrete.not(concrete.equals('a', 'b')))).toBe(true);
    expect(concrete.orDefault('', 'fallback')).toBe('fallback');
    expect(concrete.choose(false, 'yes', 'no')).toBe('no');
    expect(concrete.hasKey({ A: '' }, 'A')).toBe(true);
  });

  test('optional parts, lists and loops', () => {
    expect(concrete.when(false, 'x', 'y')).toBe('y');
    expect(concrete.optional({})).toBeUndefined();
    expect(concrete.list('a', concrete.when(false, 'b'), 'c')).toEqual(['a', 'c']);
    expect(concrete.itemsWhen(false, [1, 2])).toEqual([]);
    expect(concrete.each(['a', 'b'], (h) => concrete.value(h).toUpperCase())).toEqual(['A', 'B']);
    // Maps in key order, as Helm ranges over them.
    expect(concrete.entries({ B: '2', A: '1' }, (k, v) => `${k}=${v}`)).toEqual(['A=1', 'B=2']);
    expect(concrete.merge({ a: '1' }, { a: 'x', b: '2' })).toEqual({ a: '1', b: '2' });
    expect(concrete.withDefault({ a: 1 }, 'sel', 'default')).toEqual({ a: 1, sel: 'default' });
  });
});

describe('template mode prints Helm actions', () => {
  const registry = new TemplateRegistry();
  const x = new Expressions(registry);
  const v = registry.valueTokens(SCHEMA, '$.Values') as Values;
  const print = (object: Record<string, unknown>, conditions: string[] = []) => new HelmPrinter().file([{ conditions, object }], registry);

  test('values: strings quoted, numbers and booleans bare, text with values through printf', () => {
    const text = print({ name: v.name, replicas: v.replicas, image: `${v.name}:100%` });
    expect(text).toContain('name: {{ .Values.name | quote }}');
    expect(text).toContain('replicas: {{ .Values.replicas }}');
    expect(text).toContain('image: {{ printf "%v:100%%" .Values.name | quote }}');
  });

  test('an optional map is a with block; a condition with an alternative is if / else if', () => {
    const text = print({ spec: { labels: x.optional(v.labels), mode: x.when(x.truthy(v.enabled), 'on', x.when(x.atLeast(v.replicas, 2), 'many')) } });
    expect(text).toContain('  {{- with .Values.labels }}\n  labels:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}');
    expect(text).toContain('  {{- if .Values.enabled }}\n  mode: "on"\n  {{- else if ge (int .Values.replicas) 2 }}\n  mode: many\n  {{- end }}');
  });

  test('a list made only by a loop is [] when the loop makes nothing, as in synth', () => {
    const text = print({ hosts: x.each(v.hosts, (h) => `${h}.example.com`) });
    expect(text).toContain('hosts:\n  {{- if not .Values.hosts }} []{{- end }}\n  {{- range $item := .Values.hosts }}\n  - {{ printf "%v.example.com" $item | quote }}\n  {{- end }}');
  });

  test('a map loop names key and value; inside a document-level range, values are reached from $', () => {
    const env = print({ env: x.entries(v.env, (name, value) => ({ name, value })) });
    expect(env).toContain('{{- range $key, $value := .Values.env }}\n  - name: {{ $key | quote }}\n    value: {{ $value | quote }}');
    const ranged = print({ name: v.name }, ['range $item := $.Values.hosts']);
    expect(ranged).toContain('{{- range $item := .Values.hosts }}\n---\nname: {{ $.Values.name | quote }}\n{{- end }}');
  });

  test("a render's tokens are its own: another render refuses them rather than misreading them", () => {
    const other = new TemplateRegistry();
    expect(() => new HelmPrinter().file([{ conditions: [], object: { name: v.name } }], other)).toThrow(/a template value of another render/);
  });

  test('arguments are parenthesized only where needed', () => {
    expect(paren('.Values.a')).toBe('.Values.a');
    expect(paren('include "x" $')).toBe('(include "x" $)');
    expect(paren('(a) | (b)')).toBe('((a) | (b))');
    expect(paren('(a | b)')).toBe('(a | b)');
  });
});
