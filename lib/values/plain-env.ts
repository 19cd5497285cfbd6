/**
 * `env` on the components that have no credentials Secret of their own
 * (frontend, workspace operator, CoTURN, PostgreSQL, Redis): plain settings
 * only. A credential there would sit in plain text in the Deployment, so it is
 * refused (the manager's and Keycloak's env route credentials to a Secret);
 * a name the chart itself sets would be a duplicate the API server refuses.
 */
import { isSensitiveEnv } from '../platform/credentials.js';
import { Expressions } from '../platform/expr.js';
import type { ValOr } from '../platform/template-value.js';

/** The env each component's container already has (a unit test holds these to the rendered objects). */
export const CHART_ENV: Record<PlainEnvComponent, string[]> = {
  frontend: [],
  workspaceOperator: [
    'POD_NAMESPACE',
    'POD_NAME',
    'PLATFORM_CONFIGMAP_NAME',
    'LEADER_ELECTION',
    'WORKERS',
    'KUBE_API_QPS',
    'KUBE_API_BURST',
    'LEADER_ELECTION_LEASE_NAME',
    'LOG_LEVEL',
    'COTURN_SECRET_NAME',
    'NODE_OPTIONS',
    'MALLOC_ARENA_MAX',
    'MALLOC_MMAP_THRESHOLD_',
    'MALLOC_TRIM_THRESHOLD_',
  ],
  coturn: ['TURN_USERNAME', 'TURN_CREDENTIAL', 'NODE_IP'],
  postgres: ['POSTGRES_USER', 'POSTGRES_DB', 'POSTGRES_PASSWORD', 'PGDATA'],
  redis: ['REDIS_PASSWORD', 'REDISCLI_AUTH'],
};

/** Where a chart-set variable's value comes from, for the message (the chart's validation says the same). */
export const DEDICATED: Record<string, string> = {
  LOG_LEVEL: 'workspaceOperator.logLevel',
  PGDATA: 'postgres.dataSubdirectory',
  POSTGRES_USER: 'postgres.auth.username',
  POSTGRES_DB: 'postgres.auth.appDatabase',
  POSTGRES_PASSWORD: 'postgres.auth.password or postgres.auth.existingSecret',
};

export function reservedEnvAdvice(key: string): string {
  return `the chart sets ${key} itself; ${DEDICATED[key] ? `set ${DEDICATED[key]} instead` : 'leave it out'}`;
}

export type PlainEnvComponent = 'frontend' | 'workspaceOperator' | 'coturn' | 'postgres' | 'redis';
export const PLAIN_ENV_COMPONENTS = Object.keys(CHART_ENV) as PlainEnvComponent[];

/** The entries as container env, in key order (as Helm ranges over a map). */
export function plainEnv(env: ValOr<Record<string, string>>, x = new Expressions()): Array<{ name: string; value: string }> {
  return x.entries(env, (name, value) => ({ name, value }));
}

export function plainEnvProblems(component: PlainEnvComponent, env: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(env).sort()) {
    if (CHART_ENV[component].includes(key)) {
      problems.push(`${component}.env.${key}: ${reservedEnvAdvice(key)}`);
    } else if (isSensitiveEnv(key, env[key])) {
      problems.push(`${component}.env.${key}: looks like a credential, which would be plain text in the Deployment; ${component} takes plain settings only`);
    }
  }
  return problems;
}
