/**
 * Hostile values files, as raw YAML text (parsing is part of what is tested):
 * the cases a fuzzing session found, and generated ones that put hostile
 * values at every kind of key. Shared by the synth/helm parity test and the
 * API-server dry-run test.
 */
import fc from 'fast-check';

export interface HostileInput {
  name: string;
  yaml: string;
  /**
   * Helm's Go YAML reader silently resolves this (first document, last duplicate key) before any
   * chart code runs, so no chart can refuse it; synth refuses it on purpose.
   */
  helmReadsLeniently?: boolean;
}

const deep = (depth: number): string => {
  let node = 'x: 1';
  for (let i = 0; i < depth; i++) node = `a${i}: {${node}}`;
  return `frontend:\n  affinity: {${node}}\n`;
};

/** Found by hand or by the adversarial session of issue 13. */
export const CURATED: HostileInput[] = [
  { name: 'a section set to null', yaml: 'frontend: null\n' },
  { name: 'a nested section set to null', yaml: 'keycloak:\n  auth: null\n' },
  { name: 'a map entry deleted with null', yaml: 'ingress:\n  annotations:\n    nginx.ingress.kubernetes.io/proxy-read-timeout: null\n' },
  { name: "the manager's database role named as the superuser", yaml: 'postgres:\n  auth:\n    appUsername: postgres\n' },
  { name: "Keycloak's database the application's", yaml: 'postgres:\n  auth:\n    keycloakDatabase: aileron\n' },
  { name: 'a null env value no default has', yaml: 'workspaceManager:\n  env:\n    FOO: null\n' },
  { name: 'a null pod annotation no default has', yaml: 'frontend:\n  podAnnotations:\n    example.com/a: null\n' },
  { name: '__proto__ in an env map', yaml: 'workspaceManager:\n  env:\n    __proto__: x\n' },
  { name: '__proto__ as a section', yaml: '__proto__:\n  enabled: true\n' },
  { name: '.inf as a replica count', yaml: 'frontend:\n  replicaCount: .inf\n' },
  { name: '.nan as a port', yaml: 'coturn:\n  port: .nan\n' },
  { name: 'a YAML 1.1 boolean for a string', yaml: 'keycloak:\n  realm: on\n' },
  { name: 'a YAML 1.1 boolean for a boolean', yaml: 'cilium:\n  enabled: yes\n' },
  { name: 'two documents', yaml: 'frontend: {replicaCount: 2}\n---\nfrontend: {replicaCount: 3}\n', helmReadsLeniently: true },
  { name: 'a duplicate key', yaml: 'frontend:\n  replicaCount: 1\n  replicaCount: 2\n', helmReadsLeniently: true },
  { name: 'a !!binary value', yaml: 'keycloak:\n  clientId: !!binary YWlsZXJvbg==\n' },
  { name: 'an uppercase host pattern', yaml: 'publicRouting:\n  frontendHost: App.{baseDomain}\n' },
  { name: 'a host label starting with "-"', yaml: 'publicRouting:\n  keycloakHost: -sso.{baseDomain}\n' },
  { name: 'a 70-character host label', yaml: `publicRouting:\n  frontendHost: ${'a'.repeat(70)}.{baseDomain}\n` },
  { name: 'a 1,000-deep affinity', yaml: deep(1000) },
  { name: 'a control character in ingress.className', yaml: 'ingress:\n  className: "nginx\\u0007"\n' },
  { name: 'a 1 MB clientId', yaml: `keycloak:\n  clientId: ${'x'.repeat(1_000_000)}\n` },
  { name: 'a StorageClass with a space', yaml: 'global:\n  storageClass: fast ssd\n' },
  { name: 'an uppercase StorageClass', yaml: 'postgres:\n  persistence:\n    storageClass: Fast_SSD\n' },
  { name: 'an empty nodeSelector key', yaml: 'frontend:\n  nodeSelector:\n    "": x\n' },
  { name: 'an annotation key with "="', yaml: 'ingress:\n  annotations:\n    "A=B": x\n' },
  { name: 'an env key with a space', yaml: 'workspaceManager:\n  env:\n    MY PASSWORD: x\n' },
  { name: 'an existingSecret that is no name', yaml: 'redis:\n  auth:\n    existingSecret: Not A Name\n' },
  { name: 'a 300-character TLS secret name', yaml: `ingress:\n  tls:\n    - secretName: ${'a'.repeat(300)}\n` },
  { name: 'a request above its limit', yaml: 'frontend:\n  resources:\n    requests: {memory: 2Gi}\n    limits: {memory: 1Gi}\n' },
  { name: 'a zero CPU limit', yaml: 'redis:\n  resources:\n    limits: {cpu: "0"}\n' },
  { name: 'a zero volume size', yaml: 'postgres:\n  persistence:\n    size: "0"\n' },
  { name: 'memory in millibytes', yaml: 'frontend:\n  resources:\n    requests: {memory: 500m}\n' },
  { name: 'a default namespace outside the allowed ones', yaml: 'kubernetes:\n  defaultNamespace: elsewhere\n' },
  { name: 'relay ports in the wrong order', yaml: 'coturn:\n  minRelayPort: 60000\n  maxRelayPort: 50000\n' },
  { name: 'CoTURN in a workspace namespace', yaml: 'coturn:\n  namespace: workspace-system\n' },
  { name: 'Gateway API on with no Gateway to attach to', yaml: 'gatewayAPI:\n  enabled: true\n' },
  { name: 'a parentRef without a name', yaml: 'gatewayAPI:\n  parentRefs:\n    - {namespace: gw}\n' },
  { name: 'our Gateway with no class', yaml: 'gatewayAPI:\n  enabled: true\n  createGateway: true\n' },
  { name: 'our HTTPS Gateway with no certificate', yaml: 'publicRouting: {scheme: https}\ngatewayAPI:\n  enabled: true\n  createGateway: true\n  gatewayClassName: eg\n' },
  {
    name: 'our HTTPS Gateway with the wildcard of ingress.tls',
    yaml: 'publicRouting: {scheme: https, baseDomain: example.com}\ningress:\n  tls: [{secretName: wild, hosts: ["*.{baseDomain}"]}]\ngatewayAPI:\n  enabled: true\n  createGateway: true\n  gatewayClassName: eg\n',
  },
  { name: "Cilium's Gateway without Cilium policies", yaml: 'gatewayAPI:\n  enabled: true\n  parentRefs: [{name: gw, namespace: gw}]\n  implementation: cilium\n' },
  { name: 'a request timeout in words', yaml: 'gatewayAPI:\n  requestTimeout: 1 hour\n' },
  { name: 'an autoscaler whose floor is above its ceiling', yaml: 'frontend:\n  autoscaling: {enabled: true, minReplicas: 5, maxReplicas: 2}\n' },
  { name: 'an autoscaler with no replicas at all', yaml: 'workspaceManager:\n  autoscaling: {enabled: true, minReplicas: 0}\n' },
  { name: 'a bandwidth below what the kubelet accepts', yaml: 'kubernetes:\n  workspaceDefaults:\n    bandwidth: {ingress: "500"}\n' },
  { name: 'a bandwidth above what the kubelet accepts', yaml: 'kubernetes:\n  workspaceDefaults:\n    bandwidth: {egress: 2P}\n' },
  { name: 'a bandwidth in bytes', yaml: 'kubernetes:\n  workspaceDefaults:\n    bandwidth: {egress: 10Mi}\n' },
  { name: 'valid: bandwidth limits', yaml: 'kubernetes:\n  workspaceDefaults:\n    bandwidth: {ingress: 50M, egress: 1.5G}\n' },
  { name: 'an idle timeout in words', yaml: 'workspaceLifecycle:\n  idleTimeout: 2 hours\n' },
  { name: 'a negative max age', yaml: 'workspaceLifecycle:\n  maxAge: -1h\n' },
  { name: 'an idle timeout as a bare number', yaml: 'workspaceLifecycle:\n  idleTimeout: 7200\n' },
  { name: 'valid: no idle stop, quoted', yaml: 'workspaceLifecycle:\n  idleTimeout: "0"\n  limits: {idleTimeout: 0s}\n' },
  { name: 'a negative per-user cap', yaml: 'kubernetes:\n  maxRunningWorkspacesPerUser: -1\n' },
  { name: 'a fractional cluster cap', yaml: 'kubernetes:\n  maxRunningWorkspaces: 2.5\n' },
  { name: 'a quota of no workspaces', yaml: 'kubernetes:\n  namespaceQuota: {workspaces: 0}\n' },
  { name: 'a quota limit that is not a quantity', yaml: 'kubernetes:\n  namespaceQuota:\n    hard: {requests.cpu: lots}\n' },
  { name: 'a LimitRange maximum on an unknown resource', yaml: 'kubernetes:\n  namespaceLimitRange:\n    max: {gpus: "1"}\n' },
  { name: 'valid: a quota with storage and a GPU', yaml: 'kubernetes:\n  namespaceQuota:\n    workspaces: 3\n    hard: {requests.storage: 100Gi, requests.nvidia.com/gpu: "2"}\n' },
  { name: 'CoTURN in default, created by the chart', yaml: 'coturn:\n  namespace: default\n' },
  { name: 'CoTURN in kube-system, not created', yaml: 'coturn:\n  namespace: kube-system\n  createNamespace: false\n' },
  { name: 'a TURN host name', yaml: 'coturn:\n  host: turn.example.com\n' },
  { name: 'a metadata TURN host', yaml: 'coturn:\n  host: 169.254.169.254\n' },
  { name: 'an IPv6 TURN host', yaml: 'coturn:\n  host: "2001:db8::7"\n' },
  { name: 'a newline in a credential', yaml: 'coturn:\n  credential: "a\\nallowed-peer-ip=10.0.0.1"\n' },
  { name: 'Kubernetes off with the kubernetes provisioner', yaml: 'kubernetes:\n  enabled: false\n' },
  { name: 'valid: Kubernetes off, docker provisioner', yaml: 'kubernetes:\n  enabled: false\n  provisioner: docker\n' },
  { name: 'an upstream renamed key', yaml: 'publicRouting:\n  nextjsHostPattern: "nextjs-{workspaceId}.{baseDomain}"\n' },
  { name: 'a TURN external IP name', yaml: 'coturn:\n  externalIp: turn.example.com\n' },
  { name: 'a credential in the frontend env', yaml: 'frontend:\n  env:\n    API_TOKEN: abc\n' },
  { name: 'a URL with a password in the operator env', yaml: 'workspaceOperator:\n  env:\n    PROXY: "http://u:p@proxy:3128"\n' },
  { name: 'an env name the chart sets', yaml: 'workspaceOperator:\n  env:\n    WORKERS: "9"\n' },
  { name: 'valid: plain env on every component', yaml: 'frontend: {env: {TZ: UTC}}\nworkspaceOperator: {env: {TZ: UTC}}\ncoturn: {env: {TZ: UTC}}\npostgres: {env: {TZ: UTC}}\nredis: {env: {TZ: UTC}}\n' },
  { name: 'an existing ServiceAccount without its name', yaml: 'workspaceOperator:\n  serviceAccount:\n    create: false\n' },
  { name: 'valid: an existing ServiceAccount', yaml: 'workspaceOperator:\n  serviceAccount:\n    create: false\n    name: platform-operator\n' },
  { name: 'one ServiceAccount created twice', yaml: 'workspaceManager: {serviceAccount: {name: shared}}\nworkspaceOperator: {serviceAccount: {name: shared}}\n' },
  { name: 'valid: one existing ServiceAccount shared', yaml: 'workspaceManager: {serviceAccount: {create: false, name: shared}}\nworkspaceOperator: {serviceAccount: {create: false, name: shared}}\n' },
  { name: 'postgres off without DATABASE_URL', yaml: 'postgres:\n  enabled: false\n' },
  { name: 'a runtime pattern without {workspaceId}', yaml: 'publicRouting:\n  runtimeHostPattern: runtime.{baseDomain}\n' },
  { name: 'a frontend host with {workspaceId}', yaml: 'publicRouting:\n  frontendHost: "{workspaceId}.{baseDomain}"\n' },
  { name: 'a number for a string', yaml: 'keycloak:\n  clientId: 12345\n' },
  { name: 'a string for a number', yaml: 'coturn:\n  nodePort: "30478"\n' },
  { name: 'a float replica count', yaml: 'frontend:\n  replicaCount: 1.5\n' },
  { name: 'a negative replica count', yaml: 'frontend:\n  replicaCount: -1\n' },
  { name: 'a list for a map', yaml: 'frontend:\n  nodeSelector: [a, b]\n' },
  { name: 'an unknown key', yaml: 'frontend:\n  replicaCountz: 2\n' },
  { name: 'an empty file', yaml: '' },
  { name: 'a comment only', yaml: '# nothing\n' },
  { name: 'a list at the top', yaml: '- a\n- b\n' },
  { name: 'a scalar at the top', yaml: 'hello\n' },
  { name: 'valid: TLS and cert-manager', yaml: 'publicRouting: {scheme: https}\ningress:\n  tls: [{secretName: aileron-tls, hosts: ["*.{baseDomain}", "{baseDomain}"]}]\n' },
  { name: 'valid: traefik controller labels', yaml: 'networkPolicy:\n  ingressController:\n    namespaceLabels: {kubernetes.io/metadata.name: kube-system}\n    podLabels: {app.kubernetes.io/name: traefik}\n' },
];

const key = fc.constantFrom(
  'frontend.replicaCount',
  'frontend.image.tag',
  'frontend.image.repository',
  'frontend.nodeSelector.disk',
  'frontend.podAnnotations.example\\.com/x',
  'ingress.className',
  'ingress.annotations.x',
  'keycloak.clientId',
  'keycloak.realm',
  'keycloak.env.KC_LOG_LEVEL',
  'workspaceManager.env.LOG_LEVEL',
  'global.storageClass',
  'postgres.persistence.size',
  'redis.auth.existingSecret',
  'coturn.host',
  'coturn.realm',
  'coturn.username',
  'kubernetes.nodeAddress',
  'kubernetes.watchNamespace',
  'kubernetes.runtimeImage',
  'kubernetes.workspaceStorage.size',
  'workspaceOperator.resources.limits.memory',
  'workspaceOperator.resources.requests.cpu',
  'publicRouting.baseDomain',
  'networkPolicy.ingressController.podLabels.app',
);
const hostileValue = fc.constantFrom<unknown>(
  '',
  ' ',
  'UPPER',
  'a b',
  'with\ttab',
  'x'.repeat(300),
  '-leading',
  'trailing-',
  'ok-value',
  '0',
  '-1',
  '1.5',
  '500m',
  '2Gi',
  0,
  -1,
  3,
  1.5,
  true,
  null,
  [],
  {},
  ['a'],
  { nested: 1 },
  '10.0.0.1',
  '::1',
  'a.b.c',
  'é',
);

/** Sets a dotted key path (`\\.` escapes a dot) to a value in a fresh object. */
function at(path: string, value: unknown): Record<string, unknown> {
  const parts = path.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
  const root: Record<string, unknown> = {};
  let node = root;
  for (const p of parts.slice(0, -1)) node = node[p] = {} as Record<string, unknown>;
  node[parts.at(-1)!] = value;
  return root;
}

export function generatedInputs(count: number, seed: number): HostileInput[] {
  return fc.sample(fc.tuple(key, hostileValue), { numRuns: count, seed }).map(([k, v], i) => ({
    name: `generated ${i}: ${k} = ${JSON.stringify(v)}`,
    yaml: JSON.stringify(at(k, v)),
  }));
}
