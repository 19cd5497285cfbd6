/**
 * The credentials Secrets (database, Redis, Keycloak, TURN, manager). Each is
 * rendered only when its component has no `existingSecret`; values not given
 * are generated, never defaulted.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { sensitiveEnv, type SecretGenerator } from '../platform/credentials.js';
import type { Cond } from '../platform/expr.js';
import type { ValOr } from '../platform/template-value.js';
import { turnContext } from './turn-namespace.js';

/** Secret names and keys the workloads reference. */
export const SECRET_KEYS = {
  postgres: { password: 'postgres-password', appPassword: 'app-password', keycloakPassword: 'keycloak-password' },
  redis: { password: 'redis-password' },
  keycloak: { adminUser: 'admin-user', adminPassword: 'admin-password' },
  coturn: { username: 'username', credential: 'credential' },
  workspaceManager: { secretKey: 'SECRET_KEY' },
  workspaceAuth: { clientSecret: 'client-secret', cookieSecret: 'cookie-secret' },
} as const;

type SecretOwner = 'postgres' | 'redis' | 'keycloak' | 'coturn' | 'workspace-manager' | 'workspace-auth';

/** The Secret a component's credentials live in: its existingSecret, or ours (`<fullname>-<owner>`). */
export function secretNameOf(release: Release, owner: SecretOwner, existingSecret: ValOr<string>): string {
  return release.x.orDefault(existingSecret, release.name(owner));
}

/** The credentials Secrets: each component's credential values and existingSecret, and how fresh values are made. */
export interface PlatformSecretsProps extends ConstructProps<Pick<Values, 'postgres' | 'redis' | 'keycloak' | 'coturn' | 'workspaceManager' | 'workspaceAuth'>> {
  /** Where values not given come from: kept from an earlier render (synth), or Helm's lookup in the chart. */
  readonly generator: SecretGenerator;
}

export class PlatformSecrets extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v, generator }: PlatformSecretsProps) {
    super(scope, id);
    const { x } = ctx;
    const secret = (
      owner: SecretOwner,
      component: Component,
      enabled: Cond,
      existing: ValOr<string>,
      entries: Record<string, ValOr<string> | undefined>,
      env?: ValOr<Record<string, string>>,
      home: Release = ctx,
    ) => {
      const name = ctx.name(owner);
      // A value given in values; else the one already in the cluster (Helm's lookup) or generated before (synth); else fresh.
      const credential = (key: string, given: ValOr<string> | undefined) =>
        x.computed(
          () => x.value(given) || generator.value(name, key),
          () => `include "aileron.credential" (list $ ${x.helm(name)} ${JSON.stringify(key)} ${x.helm(given ?? '')} ${x.helm(home.namespace)})`,
          'string',
        );
      const generated = Object.fromEntries(Object.entries(entries).map(([key, given]) => [key, credential(key, given)]));
      // Credential-like env goes here too, so pods read it through secretKeyRef.
      const stringData = env ? x.merge(generated, sensitiveEnv(x, env)) : generated;
      x.scope(this, x.and(enabled, x.not(x.truthy(existing))), () => {
        new k8s.KubeSecret(this, owner, { metadata: home.metadata(component, name), type: 'Opaque', stringData });
      });
    };

    // The superuser's, and one per service role (generated: nothing in values sets them).
    secret('postgres', 'postgres', x.truthy(v.postgres.enabled), v.postgres.auth.existingSecret, {
      [SECRET_KEYS.postgres.password]: v.postgres.auth.password,
      [SECRET_KEYS.postgres.appPassword]: undefined,
      [SECRET_KEYS.postgres.keycloakPassword]: undefined,
    });
    secret('redis', 'redis', x.truthy(v.redis.enabled), v.redis.auth.existingSecret, { [SECRET_KEYS.redis.password]: v.redis.auth.password });
    secret(
      'keycloak',
      'keycloak',
      x.truthy(v.keycloak.enabled),
      v.keycloak.auth.existingSecret,
      { [SECRET_KEYS.keycloak.adminUser]: v.keycloak.auth.adminUser, [SECRET_KEYS.keycloak.adminPassword]: v.keycloak.auth.adminPassword },
      v.keycloak.env,
    );
    // In CoTURN's own namespace, where its pod reads it.
    secret(
      'coturn',
      'coturn',
      x.truthy(v.coturn.enabled),
      v.coturn.existingSecret,
      { [SECRET_KEYS.coturn.username]: v.coturn.username, [SECRET_KEYS.coturn.credential]: v.coturn.credential },
      undefined,
      turnContext(ctx, v.coturn.namespace),
    );
    secret(
      'workspace-manager',
      'workspace-manager',
      x.truthy(v.workspaceManager.enabled),
      v.workspaceManager.existingSecret,
      { [SECRET_KEYS.workspaceManager.secretKey]: x.computed(() => x.value(v.workspaceManager.env).SECRET_KEY, () => `index ${x.helm(v.workspaceManager.env)} "SECRET_KEY" | default ""`, 'string') },
      v.workspaceManager.env,
    );
    secret('workspace-auth', 'workspace-auth', x.truthy(v.workspaceAuth.enabled), v.workspaceAuth.existingSecret, {
      [SECRET_KEYS.workspaceAuth.clientSecret]: v.workspaceAuth.clientSecret,
      [SECRET_KEYS.workspaceAuth.cookieSecret]: v.workspaceAuth.cookieSecret,
    });
  }
}
