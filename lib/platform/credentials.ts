/**
 * Where each credential comes from: an existing Secret, a value the user gave,
 * or a strong random value. Random values come from a SecretGenerator so synth
 * can keep the ones it generated before (as Helm keeps them with `lookup`).
 */
import { randomInt } from 'node:crypto';
import { Expressions } from './expr.js';
import type { ValOr } from './template-value.js';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 alphanumeric characters (~190 bits): safe inside URLs and config files. */
export function randomSecret(length = 32): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUM[randomInt(ALPHANUM.length)];
  return out;
}

export interface SecretGenerator {
  /** The value for `key` of Secret `secretName`: reused when known, fresh otherwise. */
  value(secretName: string, key: string): string;
}

/** Generates fresh values, reusing those of a previous render when given. */
export class ReusingSecretGenerator implements SecretGenerator {
  constructor(private readonly previous: Map<string, Record<string, string>> = new Map()) {}

  value(secretName: string, key: string): string {
    return this.previous.get(secretName)?.[key] ?? randomSecret();
  }
}

/** Connection settings that usually embed a password, whatever their value looks like. */
export const CONNECTION_KEYS = ['DATABASE_URL', 'REDIS_URL', 'CELERY_BROKER_URL', 'CELERY_RESULT_BACKEND'];
/** Case-insensitive; the same source serves JavaScript and Go's RE2 (the chart's regexMatch). */
export const SENSITIVE_KEY_PATTERN = 'SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY|_DSN$';
/** A URL with user info: scheme://user:pass@host. */
export const URL_WITH_PASSWORD_PATTERN = '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@\\s]*:[^/@\\s]*@';
const sensitiveKey = new RegExp(SENSITIVE_KEY_PATTERN, 'i');
const urlWithPassword = new RegExp(URL_WITH_PASSWORD_PATTERN);

/**
 * Env entries that hold credentials: by name, or a URL with user info
 * (scheme://user:pass@host). They go to a Secret and reach the container
 * through secretKeyRef, never as plain env values.
 */
export function isSensitiveEnv(key: string, value = ''): boolean {
  return sensitiveKey.test(key) || CONNECTION_KEYS.includes(key) || urlWithPassword.test(value);
}

/** Splits extra env into plain and credential entries, each in key order (as Helm ranges over maps). */
export function splitEnv(env: Record<string, string>): { plain: Record<string, string>; sensitive: Record<string, string> } {
  const plain: Record<string, string> = {};
  const sensitive: Record<string, string> = {};
  for (const k of Object.keys(env).sort()) (isSensitiveEnv(k, env[k]) ? sensitive : plain)[k] = env[k];
  return { plain, sensitive };
}

/** The credential-like entries of an env map (the chart's `aileron.sensitiveEnv` picks the same). */
export function sensitiveEnv(x: Expressions, env: ValOr<Record<string, string>>): Record<string, string> {
  return x.computed(() => splitEnv(x.value(env)).sensitive, () => `include "aileron.sensitiveEnv" ${x.helm(env)} | fromYaml`, 'map');
}

/**
 * Extra env from values, as containers get it: credentials through
 * secretKeyRef on `secretName`, the rest as plain values, each in key order.
 */
export function extraEnv(
  env: ValOr<Record<string, string>>,
  secretName: string,
  x = new Expressions(),
  exclude = '',
): Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }> {
  const sensitive = (key: string, value: string) =>
    x.condition(
      () => isSensitiveEnv(key, value),
      () => `include "aileron.isSensitiveEnv" (list ${x.helm(key)} ${x.helm(value)})`,
    );
  return [
    ...x.entries(env, (name, value) =>
      x.when(exclude ? x.and(x.not(x.equals(name, exclude)), sensitive(name, value)) : sensitive(name, value), { name, valueFrom: { secretKeyRef: { name: secretName, key: name } } }),
    ),
    ...x.entries(env, (name, value) => x.when(x.not(sensitive(name, value)), { name, value })),
  ].filter((e) => e !== undefined);
}
