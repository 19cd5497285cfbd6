/**
 * Type tests, run by tsc (`npm test` builds first): plain JavaScript on a value from values.yaml does not compile
 * in a construct, since it would compute in synth and be wrong in the chart. Each `@ts-expect-error` fails the
 * build if the line under it ever compiles; the lines without one show the layer's way, which must compile.
 */
import { Expressions } from '../../lib/platform/expr.js';
import { asVals } from '../../lib/platform/template-value.js';
import type { Values } from '../../lib/values/schema.js';
import { defaultValues } from '../../lib/values/load.js';

const x = new Expressions();
const v = asVals<Values>(defaultValues());

// A spread of a map from values: in the chart it is one token, a string, and spreads its characters.
// @ts-expect-error use x.merge(v.frontend.podLabels, {...})
export const spread = { ...v.frontend.podLabels, extra: 'label' };
export const merged = x.merge(v.frontend.podLabels, { extra: 'label' });

// Arithmetic: the chart would add to a token.
// @ts-expect-error a construct computes no numbers from values; the chart's helpers do (`x.computed`)
export const plus = v.frontend.replicaCount + 1;

// Keys of a map from values: a token has none.
// @ts-expect-error use x.entries(v.frontend.env, (name, value) => ...)
export const keys = Object.keys(v.frontend.env);
export const entries = x.entries(v.frontend.env, (name, value) => ({ name, value }));

// A comparison: decided once, when the chart is generated, instead of at install.
// @ts-expect-error use x.equals(v.ingress.className, 'nginx')
export const compared = v.ingress.className === 'nginx';
export const tested = x.equals(v.ingress.className, 'nginx');

// A loop over a list from values.
// @ts-expect-error use x.each(v.ingress.tls, (t) => ...)
export const looped = v.ingress.tls.map((t) => t.secretName);
export const each = x.each(v.ingress.tls, (t) => ({ secretName: x.value(t.secretName) }));

// A value placed where an object wants a plain one must say so: x.value is where it goes into the output as is.
// @ts-expect-error use x.value(v.frontend.replicaCount)
export const replicas: number = v.frontend.replicaCount;
export const placed: number = x.value(v.frontend.replicaCount);

// A template string is fine: the chart prints it as Helm's printf.
export const image: string = `${v.frontend.image.repository}:${v.frontend.image.tag}`;
