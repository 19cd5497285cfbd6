/**
 * Ingress NetworkPolicies for the platform pods. The data stores accept only
 * their clients; the services accept traffic on their service ports only,
 * from anywhere (the ingress controller's namespace is not known here).
 * Egress is closed for the data stores (they call nobody) and limited to DNS
 * and PostgreSQL for the bootstrap Job; it stays open for the services that
 * call external endpoints (OIDC, databases, registries) whose addresses the
 * chart cannot know. CoTURN runs with hostNetwork, which NetworkPolicy does
 * not select.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import type { Cond } from '../platform/expr.js';
import { FRONTEND_PORT } from './frontend.js';
import { WORKSPACE_MANAGER_PORT } from './workspace-manager.js';
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT, operatorEnabled } from './workspace-operator.js';
import { KEYCLOAK_HTTP_PORT, KEYCLOAK_MANAGEMENT_PORT } from './keycloak.js';
import { POSTGRES_PORT } from './postgres.js';
import { REDIS_PORT } from './redis.js';
import { AUTH_PROXY_PORT } from '../workspace/auth-proxy.js';

interface Rule {
  ports: number[];
  /** Components allowed in; undefined means any source. */
  from?: Component[];
}

/** Egress: undefined leaves it open; a list allows only those peers. */
type Egress = k8s.NetworkPolicyEgressRule[] | undefined;

const DNS: k8s.NetworkPolicyEgressRule = {
  ports: [
    { port: k8s.IntOrString.fromNumber(53), protocol: 'UDP' },
    { port: k8s.IntOrString.fromNumber(53), protocol: 'TCP' },
  ],
};

/** The platform's NetworkPolicies: which components are on (each gets its policy), and nothing else of values. */
export type PlatformNetworkPoliciesProps = ConstructProps<
  Pick<Values, 'frontend' | 'workspaceManager' | 'workspaceOperator' | 'kubernetes' | 'keycloak' | 'workspaceAuth' | 'postgres' | 'redis'>
>;

export class PlatformNetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v }: PlatformNetworkPoliciesProps) {
    super(scope, id);
    const { x } = ctx;
    const toPostgres: k8s.NetworkPolicyEgressRule = {
      to: [{ podSelector: { matchLabels: ctx.selector('postgres') } }],
      ports: [{ port: k8s.IntOrString.fromNumber(POSTGRES_PORT), protocol: 'TCP' }],
    };
    const policies: Array<[Component, Cond, Rule[], Egress?]> = [
      ['frontend', x.truthy(v.frontend.enabled), [{ ports: [FRONTEND_PORT] }]],
      ['workspace-manager', x.truthy(v.workspaceManager.enabled), [{ ports: [WORKSPACE_MANAGER_PORT] }]],
      ['workspace-operator', operatorEnabled(ctx, v), [{ ports: [OPERATOR_METRICS_PORT, OPERATOR_HEALTH_PORT] }]],
      [
        'keycloak',
        x.truthy(v.keycloak.enabled),
        [{ ports: [KEYCLOAK_HTTP_PORT] }, { ports: [KEYCLOAK_MANAGEMENT_PORT], from: ['workspace-manager', 'test'] }],
      ],
      ['workspace-auth', x.truthy(v.workspaceAuth.enabled), [{ ports: [AUTH_PROXY_PORT] }]],
      ['postgres', x.truthy(v.postgres.enabled), [{ ports: [POSTGRES_PORT], from: ['workspace-manager', 'keycloak', 'postgres-bootstrap'] }], []],
      ['redis', x.truthy(v.redis.enabled), [{ ports: [REDIS_PORT], from: ['workspace-manager'] }], []],
      // The bootstrap Job serves nothing and talks only to PostgreSQL.
      ['postgres-bootstrap', x.truthy(v.postgres.enabled), [], [DNS, toPostgres]],
    ];
    for (const [component, enabled, rules, egress] of policies) {
      x.scope(this, enabled, () => new k8s.KubeNetworkPolicy(this, component, {
        metadata: ctx.metadata(component),
        spec: {
          podSelector: { matchLabels: ctx.selector(component) },
          // Empty lists are left out: the API server drops them, and policyTypes alone denies.
          policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress'],
          egress: egress?.length ? egress : undefined,
          ingress: rules.length === 0 ? undefined : rules.map((r) => ({
            ports: r.ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' })),
            from: r.from?.map((c) => ({ podSelector: { matchLabels: ctx.selector(c) } })),
          })),
        },
      }));
    }
  }
}
