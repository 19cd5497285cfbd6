/**
 * Checks that span several keys, which JSON Schema cannot say clearly. Each
 * problem names the key and the fix.
 */
import type { Resources, Values } from './schema.js';
import { BANDWIDTH_OUT_OF_RANGE, bandwidthProblem } from '../workspace/spec-rules.js';
import { compareQuantities, parseQuantity } from './quantity.js';
import { PLAIN_ENV_COMPONENTS, plainEnvProblems } from './plain-env.js';
import { expandHost, hostProblem, MAX_WORKSPACE_ID_LENGTH, wildcardTlsSecret } from './hosts.js';

export function checkValues(v: Values): string[] {
  return [
    ...checkNamespaces(v),
    ...checkHosts(v),
    ...checkExternalServices(v),
    ...checkCoturn(v),
    ...checkGatewayAPI(v),
    ...checkAutoscaling(v),
    ...checkBandwidth(v),
    ...checkDatabaseRoles(v),
    ...checkResources(v),
    ...PLAIN_ENV_COMPONENTS.flatMap((c) => plainEnvProblems(c, v[c].env)),
    ...(['workspaceManager', 'workspaceOperator'] as const)
      .filter((c) => !v[c].serviceAccount.create && !v[c].serviceAccount.name)
      .map((c) => `${c}.serviceAccount.name: required when ${c}.serviceAccount.create is false (the existing ServiceAccount its RBAC binds to)`),
    ...(v.workspaceManager.serviceAccount.create &&
    v.workspaceOperator.serviceAccount.create &&
    v.workspaceManager.serviceAccount.name !== '' &&
    v.workspaceManager.serviceAccount.name === v.workspaceOperator.serviceAccount.name
      ? [`workspaceOperator.serviceAccount.name: "${v.workspaceOperator.serviceAccount.name}" is also the manager's, and both would create it; create it once (create: false on one) or name them apart`]
      : []),
  ];
}

/** Every `resources` block of the values, by key path. */
export function resourceBlocks(v: Values): Array<[string, Resources]> {
  const components = ['frontend', 'workspaceManager', 'workspaceOperator', 'keycloak', 'coturn', 'postgres', 'redis'] as const;
  const workspace = ['runtime', 'browser', 'canvas'] as const;
  return [
    ...components.map((c): [string, Resources] => [`${c}.resources`, v[c].resources]),
    ...workspace.map((c): [string, Resources] => [`kubernetes.workspaceDefaults.${c}.resources`, v.kubernetes.workspaceDefaults[c].resources]),
    ['workspaceAuth.resources', v.workspaceAuth.resources],
    ['workspaceAuth.proxy.resources', v.workspaceAuth.proxy.resources],
  ];
}

/** The API server refuses a request above its limit. */
function checkResources(v: Values): string[] {
  const problems: string[] = [];
  for (const [path, r] of resourceBlocks(v)) {
    for (const [name, request] of Object.entries(r.requests ?? {})) {
      const limit = (r.limits as Record<string, string | undefined> | undefined)?.[name];
      const [rq, lq] = [parseQuantity(request as string), limit === undefined ? undefined : parseQuantity(limit)];
      if (rq && lq && compareQuantities(rq, lq) > 0) {
        problems.push(`${path}.requests.${name}: ${request} is above the limit ${limit}; raise ${path}.limits.${name} or lower the request`);
      }
    }
  }
  return problems;
}

function checkNamespaces(v: Values): string[] {
  const k = v.kubernetes;
  if (!k.enabled && k.provisioner === 'kubernetes') {
    return ['kubernetes.enabled: false turns Kubernetes workspaces off, but kubernetes.provisioner is "kubernetes"; set it to "docker" or enable Kubernetes'];
  }
  if (k.allowedNamespaces.includes(k.defaultNamespace)) return [];
  return [
    `kubernetes.defaultNamespace: "${k.defaultNamespace}" is not in kubernetes.allowedNamespaces (${k.allowedNamespaces.join(', ')}); add it there or pick one of them`,
  ];
}

function checkHosts(v: Values): string[] {
  const r = v.publicRouting;
  const problems: string[] = [];
  const longestId = 'w'.repeat(MAX_WORKSPACE_ID_LENGTH);
  for (const key of ['frontendHost', 'workspaceManagerHost', 'keycloakHost'] as const) {
    if (r[key].includes('{workspaceId}')) {
      problems.push(`publicRouting.${key}: "${r[key]}" must not contain {workspaceId} (only the workspace host patterns do)`);
      continue;
    }
    const why = hostProblem(expandHost(r[key], r));
    if (why) problems.push(`publicRouting.${key}: "${expandHost(r[key], r)}" ${why}`);
  }
  for (const key of ['runtimeHostPattern', 'browserHostPattern', 'canvasHostPattern'] as const) {
    if (!r[key].includes('{workspaceId}')) {
      problems.push(`publicRouting.${key}: "${r[key]}" must contain {workspaceId}, or every workspace would share one host`);
      continue;
    }
    const why = hostProblem(expandHost(r[key], r, longestId));
    if (why) {
      problems.push(
        `publicRouting.${key}: with a ${MAX_WORKSPACE_ID_LENGTH}-character workspaceId the host ${why}; shorten the pattern or publicRouting.baseDomain`,
      );
    }
  }
  for (const [i, tls] of v.ingress.tls.entries()) {
    for (const [j, host] of tls.hosts.entries()) {
      const why = hostProblem(expandHost(host, r), true);
      if (why) problems.push(`ingress.tls[${i}].hosts[${j}]: "${host}" ${why}`);
    }
  }
  return problems;
}

/** With a bundled service off, the manager needs the URL of the external one (the production guide). */
function checkExternalServices(v: Values): string[] {
  const problems: string[] = [];
  const env = v.workspaceManager.env;
  const need = (enabledKey: string, envKey: string, example: string) => {
    if (v.workspaceManager.enabled && !env[envKey] && !v.workspaceManager.existingSecret) {
      problems.push(
        `workspaceManager.env.${envKey}: required when ${enabledKey} is false (for example ${example}), or put it in workspaceManager.existingSecret`,
      );
    }
  };
  if (!v.postgres.enabled) need('postgres.enabled', 'DATABASE_URL', 'postgresql://user:pass@db:5432/aileron?sslmode=require');
  if (!v.redis.enabled) need('redis.enabled', 'REDIS_URL', 'rediss://user:pass@redis:6379');
  if (!v.keycloak.enabled && v.workspaceManager.enabled && !env.KEYCLOAK_SERVER_URL) {
    problems.push('workspaceManager.env.KEYCLOAK_SERVER_URL: required when keycloak.enabled is false (for example https://sso.company.com)');
  }
  if (v.workspaceAuth.enabled && !v.keycloak.enabled && !v.workspaceAuth.issuerUrl) {
    problems.push(
      'workspaceAuth.issuerUrl: required when keycloak.enabled is false (your IdP\'s issuer, for example https://sso.company.com/realms/aileron, with workspaceAuth.clientId and a client secret); or set workspaceAuth.enabled=false to leave workspace endpoints unauthenticated',
    );
  }
  if (v.keycloak.enabled && !v.postgres.enabled && !v.keycloak.env.KC_DB_URL) {
    problems.push(
      'keycloak.env.KC_DB_URL: required when postgres.enabled is false and keycloak.enabled is true (jdbc:postgresql://host:5432/keycloak), with KC_DB_USERNAME and KC_DB_PASSWORD',
    );
  }
  return problems;
}

/** Autoscaled components: the HorizontalPodAutoscaler refuses a minimum above the maximum. */
function checkAutoscaling(v: Values): string[] {
  return AUTOSCALED.filter((c) => v[c].autoscaling.enabled && v[c].autoscaling.minReplicas > v[c].autoscaling.maxReplicas).map(
    (c) => `${c}.autoscaling.minReplicas: ${v[c].autoscaling.minReplicas} is above ${c}.autoscaling.maxReplicas ${v[c].autoscaling.maxReplicas}`,
  );
}

/** Workspace bandwidth defaults the kubelet would refuse (the schema checks their form). */
function checkBandwidth(v: Values): string[] {
  return BANDWIDTH_DIRECTIONS.filter((d) => v.kubernetes.workspaceDefaults.bandwidth[d] && bandwidthProblem(v.kubernetes.workspaceDefaults.bandwidth[d])).map(
    (d) => `kubernetes.workspaceDefaults.bandwidth.${d}: ${v.kubernetes.workspaceDefaults.bandwidth[d]} ${BANDWIDTH_OUT_OF_RANGE}`,
  );
}

export const BANDWIDTH_DIRECTIONS = ['ingress', 'egress'] as const;

/** The components values may autoscale (stateless, behind a Service). */
export const AUTOSCALED = ['frontend', 'workspaceManager'] as const;

/** The problems of Gateway mode; the chart's validation (templates/validate.ts) says the same. */
function checkGatewayAPI(v: Values): string[] {
  const g = v.gatewayAPI;
  if (!g.enabled) return [];
  const problems: string[] = [];
  if (g.parentRefs.length === 0 && !g.createGateway) {
    problems.push(GATEWAY_PROBLEMS.noGateway);
  }
  if (g.createGateway && !g.gatewayClassName) problems.push(GATEWAY_PROBLEMS.noClass);
  if (g.createGateway && v.publicRouting.scheme === 'https' && !v.ingress.workspaceTls.secretName && !wildcardTlsSecret(v) && !v.ingress.workspaceTls.clusterIssuer) {
    problems.push(GATEWAY_PROBLEMS.noCertificate);
  }
  if (g.implementation === 'cilium' && v.kubernetes.enabled && !v.cilium.enabled) problems.push(GATEWAY_PROBLEMS.ciliumEntity);
  return problems;
}

/** What Gateway mode refuses, word for word in synth and the chart. */
export const GATEWAY_PROBLEMS = {
  noGateway:
    'gatewayAPI.parentRefs: required when gatewayAPI.enabled is true: name the Gateway the routes attach to ({name: my-gateway, namespace: gateway-system}), or set gatewayAPI.createGateway=true with gatewayAPI.gatewayClassName',
  noClass: 'gatewayAPI.gatewayClassName: required when gatewayAPI.createGateway is true: the GatewayClass of your implementation (for example envoy-gateway or cilium)',
  noCertificate:
    'gatewayAPI.createGateway: the HTTPS listener for *.<baseDomain> needs a certificate: set ingress.workspaceTls.secretName (a wildcard Secret), an ingress.tls entry with the wildcard host, or ingress.workspaceTls.clusterIssuer for cert-manager',
  ciliumEntity:
    'gatewayAPI.implementation: Cilium\'s Gateway reaches workspace pods as the "ingress" entity, which only a CiliumNetworkPolicy can admit: set cilium.enabled=true, or name the data plane\'s pods (gatewayAPI.implementation=other with gatewayAPI.dataPlane)',
} as const;

function checkCoturn(v: Values): string[] {
  const c = v.coturn;
  const problems: string[] = [];
  if (c.minRelayPort > c.maxRelayPort) problems.push(`coturn.minRelayPort: ${c.minRelayPort} is above coturn.maxRelayPort ${c.maxRelayPort}`);
  if (!c.enabled || !c.namespace) return problems;
  if (v.kubernetes.enabled && v.kubernetes.allowedNamespaces.includes(c.namespace)) {
    problems.push(`coturn.namespace: ${c.namespace} is a workspace namespace (kubernetes.allowedNamespaces), where untrusted code runs under Pod Security "restricted"; give CoTURN a namespace of its own`);
  }
  if (c.createNamespace && (c.namespace === 'default' || c.namespace.startsWith('kube-'))) {
    problems.push(`coturn.namespace: ${c.namespace} exists in every cluster and is not the chart's to create; name a namespace of its own, or set coturn.createNamespace=false`);
  }
  return problems;
}

/**
 * Keys of postgres.auth that must differ, and why: the bootstrap sets each service role's password, so a service
 * role named as the superuser, or as the other, would take over that role. The chart's validation uses this list too.
 */
export const DISTINCT_DATABASE_NAMES: Array<[key: string, other: string, why: string]> = [
  ['appUsername', 'username', "is the superuser (postgres.auth.username); name the manager's role apart"],
  ['keycloakUsername', 'username', "is the superuser (postgres.auth.username); name Keycloak's role apart"],
  ['keycloakUsername', 'appUsername', "is also the manager's role (postgres.auth.appUsername); each service gets its own"],
  ['keycloakDatabase', 'appDatabase', "is also the application's (postgres.auth.appDatabase); each service gets its own"],
];

function checkDatabaseRoles(v: Values): string[] {
  if (!v.postgres.enabled) return [];
  const a = v.postgres.auth as Record<string, string>;
  return DISTINCT_DATABASE_NAMES.filter(([key, other]) => a[key] === a[other]).map(([key, , why]) => `postgres.auth.${key}: "${a[key]}" ${why}`);
}
