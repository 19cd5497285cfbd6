/**
 * Lifecycle durations (`2h`, `90m`, `1h30m`, `45s`, `0`): Go's time.ParseDuration
 * grammar limited to hours, minutes and seconds, the units a stop deadline needs.
 * One pattern for the values schema and the CRD, one parser for the operator.
 */

/** `0` (off), or number-unit pairs of h, m and s (`1h30m`, `1.5h`). */
export const DURATION_PATTERN = '^(0|([0-9]+(\\.[0-9]+)?(h|m|s))+)$';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000 };
const DURATION = new RegExp(DURATION_PATTERN);

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(h|m|s)/g)) ms += Number(n) * UNIT_MS[unit];
  return Math.round(ms);
}

/** A duration for people: `2h`, `1h30m`, `45s`, `0s`. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts = [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'm'], [s % 60, 's']] as const;
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('') || '0s';
}
