/**
 * The credentials Secrets (database, Redis, Keycloak, TURN, manager). Each is
 * rendered only when its component has no `existingSecret`; values not given
 * are generated, never defaulted.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, PlatformContext } from '../platform/context.js';
import { splitEnv, type SecretGenerator } from '../platform/credentials.js';

/** Secret names and keys the workloads reference. */
export const SECRET_KEYS = {
  postgres: { password: 'postgres-password' },
  redis: { password: 'redis-password' },
  keycloak: { adminUser: 'admin-user', adminPassword: 'admin-password' },
  coturn: { username: 'username', credential: 'credential' },
  workspaceManager: { secretKey: 'SECRET_KEY' },
} as const;

type SecretOwner = 'postgres' | 'redis' | 'keycloak' | 'coturn' | 'workspace-manager';

/** The Secret a component's credentials live in: its existingSecret, or ours. */
export function credentialsSecretName(ctx: PlatformContext, owner: SecretOwner): string {
  const v = ctx.values;
  const existing = {
    postgres: v.postgres.auth.existingSecret,
    redis: v.redis.auth.existingSecret,
    keycloak: v.keycloak.auth.existingSecret,
    coturn: v.coturn.existingSecret,
    'workspace-manager': v.workspaceManager.existingSecret,
  }[owner];
  return ctx.x.firstSet(existing, ctx.name(owner));
}

export interface PlatformSecretsProps {
  ctx: PlatformContext;
  generator: SecretGenerator;
}

export class PlatformSecrets extends Construct {
  constructor(scope: Construct, id: string, { ctx, generator }: PlatformSecretsProps) {
    super(scope, id);
    const v = ctx.values;
    const secret = (owner: SecretOwner, component: Component, entries: Record<string, string | undefined>) => {
      const name = ctx.name(owner);
      const stringData = Object.fromEntries(
        Object.entries(entries).map(([key, given]) => [key, given || generator.value(name, key)]),
      );
      new k8s.KubeSecret(this, owner, { metadata: ctx.metadata(component, name), type: 'Opaque', stringData });
    };

    const usesPostgres = v.postgres.enabled;
    if (usesPostgres && !v.postgres.auth.existingSecret) {
      secret('postgres', 'postgres', { [SECRET_KEYS.postgres.password]: v.postgres.auth.password });
    }
    if (v.redis.enabled && !v.redis.auth.existingSecret) {
      secret('redis', 'redis', { [SECRET_KEYS.redis.password]: v.redis.auth.password });
    }
    if (v.keycloak.enabled && !v.keycloak.auth.existingSecret) {
      secret('keycloak', 'keycloak', {
        [SECRET_KEYS.keycloak.adminUser]: v.keycloak.auth.adminUser,
        [SECRET_KEYS.keycloak.adminPassword]: v.keycloak.auth.adminPassword,
        ...splitEnv(v.keycloak.env).sensitive,
      });
    }
    if (v.coturn.enabled && !v.coturn.existingSecret) {
      secret('coturn', 'coturn', {
        [SECRET_KEYS.coturn.username]: v.coturn.username,
        [SECRET_KEYS.coturn.credential]: v.coturn.credential,
      });
    }
    if (v.workspaceManager.enabled && !v.workspaceManager.existingSecret) {
      secret('workspace-manager', 'workspace-manager', {
        [SECRET_KEYS.workspaceManager.secretKey]: v.workspaceManager.env.SECRET_KEY,
        ...splitEnv(v.workspaceManager.env).sensitive,
      });
    }
  }
}
