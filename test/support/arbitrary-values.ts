/**
 * fast-check generators of values overlays that are valid by construction,
 * across every toggle and list the chart exposes. Shared by the synth
 * property test and the chart equivalence test.
 */
import fc from 'fast-check';
import type { JsonObject } from '../../lib/values/merge.js';

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const domain = fc.tuple(label, fc.constantFrom('com', 'org', 'io', 'dev')).map(([a, b]) => `${a}.${b}`);
/** Requests, and limits at or above them (the API server refuses a request above its limit). */
const resources = fc
  .record({ cpu: fc.integer({ min: 1, max: 4000 }), memory: fc.integer({ min: 1, max: 4000 }), headroom: fc.integer({ min: 1, max: 4 }), gi: fc.boolean() })
  .map(({ cpu, memory, headroom, gi }) => ({
    requests: { cpu: `${cpu}m`, memory: `${memory}Mi` },
    limits: { cpu: `${cpu * headroom}m`, memory: gi ? `${Math.ceil((memory * headroom) / 1024)}Gi` : `${memory * headroom}Mi` },
  }));
const image = fc.record({
  repository: fc.tuple(domain, label).map(([d, l]) => `${d}/${l}`),
  tag: fc.stringMatching(/^v[0-9]\.[0-9]{1,2}\.[0-9]$/),
  pullPolicy: fc.constantFrom('IfNotPresent', 'Always'),
  digest: fc.constantFrom('', `sha256:${'0123456789abcdef'.repeat(4)}`),
});
const annotations = fc.dictionary(
  fc.tuple(domain, label).map(([d, l]) => `${d}/${l}`),
  fc.oneof(label, fc.constantFrom('3600', 'true', '1.1')),
  { maxKeys: 3 },
);
const service = fc.record(
  { type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'), port: fc.integer({ min: 1, max: 65535 }), annotations },
  { requiredKeys: [] },
);
/** The scheduling knobs every platform component shares (schema.ts podSettings). */
const scheduling = {
  nodeSelector: fc.dictionary(label, label, { maxKeys: 2 }),
  tolerations: fc.array(
    fc.record(
      { key: label, operator: fc.constantFrom('Exists', 'Equal'), effect: fc.constantFrom('NoSchedule', 'NoExecute'), tolerationSeconds: fc.integer({ min: 0, max: 600 }) },
      { requiredKeys: ['key', 'operator'] },
    ),
    { maxLength: 2 },
  ),
  affinity: fc
    .boolean()
    .map((pinned) =>
      pinned ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['platform'] }] }] } } } : {},
    ),
  podAnnotations: annotations,
  podLabels: fc.dictionary(fc.tuple(domain, label).map(([d, l]) => `${d}/${l}`), label, { maxKeys: 2 }),
  priorityClassName: fc.constantFrom('', 'platform-critical'),
  topologySpreadConstraints: fc.array(
    fc.record(
      {
        maxSkew: fc.integer({ min: 1, max: 3 }),
        topologyKey: fc.constantFrom('topology.kubernetes.io/zone', 'kubernetes.io/hostname'),
        whenUnsatisfiable: fc.constantFrom('DoNotSchedule', 'ScheduleAnyway'),
        labelSelector: fc.constant({ matchLabels: { team: 'platform' } }),
        minDomains: fc.integer({ min: 1, max: 3 }),
      },
      { requiredKeys: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] },
    ),
    { maxLength: 2 },
  ),
};
const settings = fc.record(scheduling, { requiredKeys: [] });
const pod = fc.record(
  {
    replicaCount: fc.integer({ min: 0, max: 5 }),
    resources,
    image,
    env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/).filter((k) => !/PASS|TOKEN|SECRET|KEY|URL|CRED|AUTH/.test(k)), label, { maxKeys: 2 }),
    ...scheduling,
  },
  { requiredKeys: [] },
);
/** An autoscaler, off or on with a floor of one or more (a ceiling at or above it). */
const autoscale = fc.oneof(
  fc.constant({}),
  fc.integer({ min: 1, max: 4 }).chain((min) =>
    fc.record({ enabled: fc.boolean(), minReplicas: fc.constant(min), maxReplicas: fc.integer({ min, max: 8 }), targetCPUUtilizationPercentage: fc.integer({ min: 1, max: 100 }) }),
  ),
);
const hostPatterns = fc.constantFrom(
  {},
  {
    frontendHost: 'app.{baseDomain}',
    workspaceManagerHost: 'api.{baseDomain}',
    keycloakHost: 'sso.{baseDomain}',
    runtimeHostPattern: '{workspaceId}-rt.{baseDomain}',
    browserHostPattern: '{workspaceId}-br.{baseDomain}',
    canvasHostPattern: '{workspaceId}-cv.{baseDomain}',
  },
);

export const validValues = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    baseDomain: domain,
    patterns: hostPatterns,
    namespaces: fc.uniqueArray(label, { minLength: 1, maxLength: 4 }),
    createNamespaces: fc.boolean(),
    cilium: fc.boolean(),
    ingressEnabled: fc.boolean(),
    className: fc.constantFrom('nginx', 'traefik', ''),
    annotations,
    tls: fc.array(fc.record({ secretName: label, hosts: fc.array(domain, { maxLength: 2 }) }), { maxLength: 2 }),
    pullSecrets: fc.array(label.map((name) => ({ name })), { maxLength: 2 }),
    storageClass: fc.constantFrom('', 'fast-ssd'),
    toggles: fc.record({
      frontend: fc.boolean(),
      workspaceManager: fc.boolean(),
      workspaceOperator: fc.boolean(),
      keycloak: fc.boolean(),
      coturn: fc.boolean(),
      postgres: fc.boolean(),
      redis: fc.boolean(),
    }),
    persistence: fc.record({ postgres: fc.boolean(), redis: fc.boolean() }),
    existingSecrets: fc.record({ postgres: fc.boolean(), keycloak: fc.boolean(), coturn: fc.boolean(), manager: fc.boolean() }),
    pods: fc.record({ frontend: pod, workspaceManager: pod, workspaceOperator: pod, keycloak: pod }),
    backing: fc.record({ coturn: settings, postgres: settings, redis: settings }),
    services: fc.record({ frontend: service, workspaceManager: service, keycloak: service }),
    autoscaling: fc.record({ frontend: autoscale, workspaceManager: autoscale }),
    coturnNodePort: fc.integer({ min: 30000, max: 32767 }),
    coturnHost: fc.constantFrom('192.168.65.3', '10.0.0.7', '203.0.113.10', '2001:db8::7', 'fd00::10'),
    serviceType: fc.constantFrom('ClusterIP', 'NodePort'),
    kubernetesEnabled: fc.boolean(),
    accounts: fc.constantFrom({}, { create: false, name: 'existing-sa' }, { create: true, name: 'custom-sa' }),
    names: fc.constantFrom({}, { nameOverride: 'ws' }, { fullnameOverride: 'platform' }, { nameOverride: 'ws', fullnameOverride: 'team-a' }),
    coturnExternalIp: fc.constantFrom('', '203.0.113.20'),
    // A name no generated label takes (it holds a hyphen): never a workspace namespace.
    coturnNamespace: fc.constantFrom('', 'relay-1'),
    gatewayAPI: fc.constantFrom<JsonObject>(
      { enabled: false, parentRefs: [] },
      { enabled: true, parentRefs: [{ name: 'public', namespace: 'gateway-system' }] },
      { enabled: true, parentRefs: [{ name: 'edge-1', namespace: 'edge', sectionName: 'https' }, { name: 'edge-2', namespace: 'edge' }] },
      // The chart's own Gateway (a certificate comes with it below), beside a shared one, with the implementation's timeouts.
      { enabled: true, parentRefs: [], createGateway: true, gatewayClassName: 'envoy-gateway' },
      { enabled: true, parentRefs: [{ name: 'public', namespace: 'gateway-system' }], createGateway: true, gatewayClassName: 'eg', requestTimeout: '' },
      {
        enabled: true,
        parentRefs: [{ name: 'public', namespace: 'gateway-system' }],
        implementation: 'other',
        dataPlane: { namespaceLabels: { 'kubernetes.io/metadata.name': 'nginx-gateway' }, podLabels: { 'app.kubernetes.io/name': 'nginx-gateway-fabric', 'app.kubernetes.io/component': null } },
        requestTimeout: '1h',
      },
    ),
    ingressController: fc.constantFrom(
      {},
      { namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, podLabels: { 'app.kubernetes.io/name': 'traefik' } },
      { namespaceLabels: { 'kubernetes.io/metadata.name': 'edge' }, podLabels: { 'app.kubernetes.io/name': null, app: 'edge-proxy' } },
    ),
    domains: fc.array(domain, { maxLength: 4 }),
    managerEnv: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,10}$/), label, { maxKeys: 3 }),
    // What the namespace quota is derived from (the chart does the arithmetic at install time), and the lifecycle.
    workspaces: fc.record({
      defaults: fc.record({ runtime: resources, browser: resources, canvas: resources, proxy: resources }),
      bandwidth: fc.constantFrom({}, { ingress: '50M' }, { ingress: '100M', egress: '1.5G' }),
      quota: fc.record({
        enabled: fc.boolean(),
        workspaces: fc.integer({ min: 1, max: 500 }),
        hard: fc.constantFrom<Record<string, string | number>>({}, { 'requests.storage': '500Gi' }, { pods: 7, 'count/services': '30' }),
      }),
      limitRange: fc.record({ enabled: fc.boolean(), max: fc.constantFrom<Record<string, string>>({}, { cpu: '8', memory: '16Gi' }) }),
      perUser: fc.integer({ min: 0, max: 10 }),
      cluster: fc.integer({ min: 0, max: 1000 }),
      lifecycle: fc.record({
        idleTimeout: fc.constantFrom('2h', '0', '45m', '1h30m'),
        maxAge: fc.constantFrom('0', '12h', '90s'),
        warnBefore: fc.constantFrom('10m', '30s'),
      }),
    }),
    metrics: fc.record({
      serviceMonitor: fc.record({ enabled: fc.boolean(), keycloak: fc.boolean(), interval: fc.constantFrom('30s', '1m'), labels: fc.constantFrom({}, { release: 'prom' }) }),
      prometheusRule: fc.record({ enabled: fc.boolean(), workspaceFailedFor: fc.constantFrom('15m', '1h'), startP95Seconds: fc.integer({ min: 1, max: 3600 }), reconcileErrorPercent: fc.integer({ min: 1, max: 100 }) }),
      dashboard: fc.record({ enabled: fc.boolean() }),
    }),
    auth: fc.record({
      enabled: fc.boolean(),
      adminGroup: fc.constantFrom('', 'workspace-admins'),
      ownerClaim: fc.constantFrom('sub', 'preferred_username'),
      callbackHost: fc.constantFrom('auth.{baseDomain}', 'login.{baseDomain}'),
      existingSecret: fc.boolean(),
      sessionLifetimeSeconds: fc.integer({ min: 300, max: 86400 }),
    }),
  })
  .map((r) => {
    const t = r.toggles;
    const managerEnv: Record<string, string> = { ...r.managerEnv };
    if (!t.postgres) managerEnv.DATABASE_URL = 'postgresql://app:pw@db.example.com:5432/aileron';
    if (!t.redis) managerEnv.REDIS_URL = 'rediss://:pw@cache.example.com:6379';
    if (!t.keycloak) managerEnv.KEYCLOAK_SERVER_URL = 'https://sso.example.com';
    return {
      ...r.names,
      publicRouting: { scheme: r.scheme, baseDomain: r.baseDomain, ...r.patterns },
      ingress: {
        enabled: r.ingressEnabled,
        className: r.className,
        annotations: r.annotations,
        tls: r.tls,
        ...((r.gatewayAPI as { createGateway?: boolean }).createGateway ? { workspaceTls: { clusterIssuer: 'letsencrypt' } } : {}),
      },
      gatewayAPI: r.gatewayAPI,
      global: { imagePullSecrets: r.pullSecrets, storageClass: r.storageClass },
      cilium: { enabled: r.cilium },
      networkPolicy: { ingressController: r.ingressController },
      firewall: { defaults: { workspace: { allowedDomains: r.domains }, browser: { allowedDomains: r.domains.slice(0, 2) } } },
      kubernetes: {
        allowedNamespaces: r.namespaces,
        defaultNamespace: r.namespaces[0],
        createNamespaces: r.createNamespaces,
        serviceType: r.serviceType,
        enabled: r.kubernetesEnabled,
        provisioner: r.kubernetesEnabled ? 'kubernetes' : 'docker',
        workspaceDefaults: {
          runtime: { resources: r.workspaces.defaults.runtime },
          browser: { resources: r.workspaces.defaults.browser },
          canvas: { resources: r.workspaces.defaults.canvas },
          bandwidth: r.workspaces.bandwidth,
        },
        namespaceQuota: r.workspaces.quota,
        namespaceLimitRange: r.workspaces.limitRange,
        maxRunningWorkspacesPerUser: r.workspaces.perUser,
        maxRunningWorkspaces: r.workspaces.cluster,
      },
      workspaceLifecycle: r.workspaces.lifecycle,
      metrics: r.metrics,
      frontend: { enabled: t.frontend, ...r.pods.frontend, service: r.services.frontend, autoscaling: r.autoscaling.frontend },
      workspaceManager: {
        enabled: t.workspaceManager,
        ...r.pods.workspaceManager,
        service: r.services.workspaceManager,
        autoscaling: r.autoscaling.workspaceManager,
        env: managerEnv,
        existingSecret: r.existingSecrets.manager ? 'manager-creds' : '',
        serviceAccount: r.accounts,
      },
      workspaceOperator: {
        enabled: t.workspaceOperator,
        ...r.pods.workspaceOperator,
        serviceAccount: 'name' in r.accounts ? { ...r.accounts, name: `${r.accounts.name}-operator` } : r.accounts,
      },
      keycloak: {
        enabled: t.keycloak,
        ...r.pods.keycloak,
        service: r.services.keycloak,
        auth: { existingSecret: r.existingSecrets.keycloak ? 'kc-admin' : '' },
        env: t.postgres ? {} : { KC_DB_URL: 'jdbc:postgresql://db.example.com:5432/keycloak', KC_DB_USERNAME: 'kc', KC_DB_PASSWORD: 'pw' },
      },
      coturn: { enabled: t.coturn, ...r.backing.coturn, nodePort: r.coturnNodePort, host: r.coturnHost, externalIp: r.coturnExternalIp, existingSecret: r.existingSecrets.coturn ? 'turn' : '', namespace: r.coturnNamespace },
      postgres: {
        enabled: t.postgres,
        ...r.backing.postgres,
        persistence: { enabled: r.persistence.postgres },
        auth: { existingSecret: r.existingSecrets.postgres ? 'db' : '' },
      },
      redis: { enabled: t.redis, ...r.backing.redis, persistence: { enabled: r.persistence.redis } },
      workspaceAuth: {
        enabled: r.auth.enabled,
        proxy: { resources: r.workspaces.defaults.proxy },
        adminGroup: r.auth.adminGroup,
        ownerClaim: r.auth.ownerClaim,
        callbackHost: r.auth.callbackHost,
        existingSecret: r.auth.existingSecret ? 'workspace-auth' : '',
        sessionLifetimeSeconds: r.auth.sessionLifetimeSeconds,
        // Without the bundled Keycloak, the proxies need the external IdP's issuer.
        issuerUrl: t.keycloak ? '' : 'https://sso.example.com/realms/aileron',
      },
    };
  });

/** A mutation that breaks one key, with the key path the error must name. */
export const invalidMutation = fc.constantFrom(
  { set: 'publicRouting.scheme=gopher', key: 'publicRouting.scheme' },
  { set: 'publicRouting.baseDomain=Not_A_Domain', key: 'publicRouting.baseDomain' },
  { set: 'kubernetes.defaultNamespace=not-allowed-ns', key: 'kubernetes.defaultNamespace' },
  { set: 'kubernetes.allowedNamespaces[0]=Bad_Label', key: 'kubernetes.allowedNamespaces[0]' },
  { set: 'coturn.nodePort=99', key: 'coturn.nodePort' },
  { set: 'coturn.port=0', key: 'coturn.port' },
  { set: 'frontend.replicaCount=-1', key: 'frontend.replicaCount' },
  { set: 'frontend.image.tag=bad tag', key: 'frontend.image.tag' },
  { set: 'postgres.persistence.size=big', key: 'postgres.persistence.size' },
  { set: 'redis.enabled=maybe', key: 'redis.enabled' },
  { set: 'workspaceOperator.logLevel=loud', key: 'workspaceOperator.logLevel' },
  { set: 'kubernetes.serviceType=LoadBalancer', key: 'kubernetes.serviceType' },
  { set: 'ingress.tls[0].secretName=UPPER', key: 'ingress.tls[0].secretName' },
  { set: 'keycloak.resources.limits.cpu=lots', key: 'keycloak.resources.limits.cpu' },
  { set: 'global.imagePullSecrets[0].nam=x', key: 'global.imagePullSecrets[0].nam' },
  { set: 'publicRouting.runtimeHostPattern=runtime.{baseDomain}', key: 'publicRouting.runtimeHostPattern' },
  { set: 'unknownTopLevel=1', key: 'unknownTopLevel' },
  { set: 'coturn.host=turn.example.com', key: 'coturn.host' },
  { set: 'coturn.host=169.254.169.254', key: 'coturn.host' },
  { set: 'workspaceLifecycle.idleTimeout=2 hours', key: 'workspaceLifecycle.idleTimeout' },
  { set: 'workspaceLifecycle.limits.maxAge=-1h', key: 'workspaceLifecycle.limits.maxAge' },
  { set: 'kubernetes.maxRunningWorkspacesPerUser=-1', key: 'kubernetes.maxRunningWorkspacesPerUser' },
  { set: 'kubernetes.namespaceQuota.hard.pods=lots', key: 'kubernetes.namespaceQuota.hard.pods' },
);
