import { render, find, envOf, podSpecOf, workloads, exampleFile, type Loose } from '../support/render.js';
import { CHART_ENV, PLAIN_ENV_COMPONENTS } from '../../lib/values/plain-env.js';
import { renderPlatform } from '../../lib/platform/platform-chart.js';
import { defaultValues } from '../../lib/values/load.js';
import { fullname } from '../../lib/platform/context.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';

const defaults = render();
const prod = render({ files: [exampleFile('prod')] });
const external = render({ files: [exampleFile('external-services')] });

describe('plain env', () => {
  test('CHART_ENV lists exactly the env each container gets before the user\'s', () => {
    const names = { frontend: 'aileron-frontend', workspaceOperator: 'aileron-workspace-operator', coturn: 'aileron-coturn', postgres: 'aileron-postgres', redis: 'aileron-redis' };
    for (const c of PLAIN_ENV_COMPONENTS) {
      const obj = defaults.find((o) => o.metadata.name === names[c] && ['Deployment', 'StatefulSet'].includes(o.kind))!;
      expect([c, Object.keys(envOf(obj)).sort()]).toEqual([c, [...CHART_ENV[c]].sort()]);
    }
  });

  test('env on every component reaches its container, after the chart\'s own', () => {
    const objects = render({ set: PLAIN_ENV_COMPONENTS.map((c) => `${c}.env.TZ=UTC`) });
    for (const o of workloads(objects).filter((w) => w.metadata.labels?.['app.kubernetes.io/component'] !== 'postgres-bootstrap')) {
      const env = podSpecOf(o).containers[0].env ?? [];
      // The sign-in callback takes no env: its flags are its whole configuration (OAUTH2_PROXY_* would override them).
      if (['workspace-manager', 'keycloak', 'workspace-auth'].includes(o.metadata.labels!['app.kubernetes.io/component'])) continue;
      expect([o.metadata.name, env.at(-1)]).toEqual([o.metadata.name, { name: 'TZ', value: 'UTC' }]);
    }
  });
});

describe('names and labels', () => {
  test('fullname follows Helm: a release holding the chart name is used as is', () => {
    expect(fullname('aileron')).toBe('aileron');
    expect(fullname('prod')).toBe('prod-aileron');
    expect(fullname('my-aileron-test')).toBe('my-aileron-test');
  });

  test('nameOverride and fullnameOverride follow helm create\'s rules, truncated to 63 without a trailing "-"', () => {
    const o = (nameOverride = '', fullnameOverride = '') => ({ nameOverride, fullnameOverride });
    expect(fullname('prod', o('ws'))).toBe('prod-ws');
    expect(fullname('team-ws-1', o('ws'))).toBe('team-ws-1');
    expect(fullname('prod', o('ws', 'platform'))).toBe('platform');
    expect(fullname(`${'r'.repeat(55)}-x`, o())).toBe(`${'r'.repeat(55)}-x-aileron`.slice(0, 63));
    expect(fullname(`${'r'.repeat(62)}-x`, o())).toBe('r'.repeat(62));
    const named = render({ set: ['nameOverride=ws', 'fullnameOverride=platform'] });
    const manager = find(named, 'Deployment', 'platform-workspace-manager', 'aileron');
    expect((manager.spec as Loose).selector.matchLabels['app.kubernetes.io/name']).toBe('ws');
  });

  test('the manager Deployment is aileron-workspace-manager, as in the upstream kubectl examples', () => {
    expect(find(defaults, 'Deployment', 'aileron-workspace-manager', 'aileron')).toBeDefined();
    expect(find(defaults, 'Deployment', 'aileron-workspace-operator', 'aileron')).toBeDefined();
    expect(find(defaults, 'Deployment', 'aileron-coturn', 'aileron-turn')).toBeDefined();
    expect(find(defaults, 'StatefulSet', 'aileron-postgres', 'aileron')).toBeDefined();
  });

  test('--release and --namespace rename and move everything', () => {
    const objs = render({}, { release: 'prod', namespace: 'platform' });
    const manager = find(objs, 'Deployment', 'prod-aileron-workspace-manager', 'platform');
    expect(manager.metadata.labels!['app.kubernetes.io/instance']).toBe('prod');
    expect(envOf(manager).KEYCLOAK_SERVER_URL).toBe('http://prod-aileron-keycloak.platform.svc.cluster.local:8080');
  });

  test('every object carries the standard labels (the shared CRD names no release)', () => {
    for (const o of defaults.filter((x) => x.kind !== 'CustomResourceDefinition')) {
      const labels = o.metadata.labels ?? {};
      for (const key of ['name', 'instance', 'component', 'part-of', 'version', 'managed-by']) {
        expect([o.kind, o.metadata.name, labels[`app.kubernetes.io/${key}`]]).toEqual([o.kind, o.metadata.name, expect.any(String)]);
      }
    }
  });

  test('selectors use only stable labels, never construct-path hashes', () => {
    for (const w of workloads(defaults).filter((w) => w.kind !== 'Job')) {
      const selector = (w.spec as Loose).selector.matchLabels;
      expect(Object.keys(selector).sort()).toEqual(['app.kubernetes.io/component', 'app.kubernetes.io/instance', 'app.kubernetes.io/name']);
      expect(JSON.stringify(w)).not.toContain('cdk8s.io/metadata.addr');
    }
  });

  test('a config change rolls the pods that read it (checksum annotation)', () => {
    const before = find(defaults, 'Deployment', 'aileron-workspace-manager').spec as Loose;
    const after = find(render({ set: ['kubernetes.nodeAddress=10.0.0.9'] }), 'Deployment', 'aileron-workspace-manager').spec as Loose;
    expect(before.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(after.template.metadata.annotations['checksum/config']).not.toBe(before.template.metadata.annotations['checksum/config']);
  });
});

describe('secure by default', () => {
  const all = [defaults, prod, external].flat();

  test('every container has requests and limits for cpu and memory', () => {
    for (const w of workloads(all)) {
      for (const c of podSpecOf(w).containers) {
        expect([w.metadata.name, c.resources.requests.cpu, c.resources.requests.memory, c.resources.limits.cpu, c.resources.limits.memory]).toEqual([
          w.metadata.name,
          expect.any(String),
          expect.any(String),
          expect.any(String),
          expect.any(String),
        ]);
      }
    }
  });

  test('every pod runs as a non-root uid with seccomp, no privilege escalation and no capabilities', () => {
    for (const w of workloads(all)) {
      const spec = podSpecOf(w);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of spec.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  test('only the operator and the manager get a ServiceAccount token', () => {
    const withToken = workloads(defaults)
      .filter((w) => podSpecOf(w).automountServiceAccountToken !== false)
      .map((w) => w.metadata.name);
    expect(withToken.sort()).toEqual(['aileron-workspace-manager', 'aileron-workspace-operator']);
  });

  test('no credential appears in a plain env value or an argument', () => {
    const secrets = all
      .filter((o) => o.kind === 'Secret')
      .flatMap((s) => Object.entries(s.stringData as Record<string, string>))
      .filter(([key]) => !/user/i.test(key))
      .map(([, value]) => value);
    const podText = JSON.stringify(workloads(all).map((w) => podSpecOf(w)));
    expect(secrets.length).toBeGreaterThan(5);
    expect(secrets.filter((value) => podText.includes(value))).toEqual([]);
    expect(podText.includes('user:pass@')).toBe(false); // the external URLs from values
    for (const w of workloads(all)) {
      for (const c of podSpecOf(w).containers) {
        for (const e of c.env ?? []) if (/PASSWORD|SECRET|CREDENTIAL/.test(e.name) && !e.name.endsWith("_NAME")) expect(e.valueFrom?.secretKeyRef).toBeDefined();
      }
    }
  });

  test('existingSecret means no Secret is rendered and the workload reads the named one', () => {
    expect(prod.find((o) => o.kind === 'Secret' && o.metadata.name === 'aileron-postgres')).toBeUndefined();
    const pg = find(prod, 'StatefulSet', 'aileron-postgres');
    expect(envOf(pg).POSTGRES_PASSWORD.secretKeyRef.name).toBe('aileron-db');
    expect(envOf(find(prod, 'Deployment', 'aileron-keycloak')).KC_BOOTSTRAP_ADMIN_PASSWORD.secretKeyRef.name).toBe('aileron-keycloak-admin');
    expect(envOf(find(prod, 'Deployment', 'aileron-workspace-manager')).SECRET_KEY.secretKeyRef.name).toBe('aileron-manager');
  });

  test('credentials not given are generated, never defaulted', () => {
    const objs = renderPlatform({ values: defaultValues() });
    const again = renderPlatform({ values: defaultValues() });
    const pw = (o: typeof objs) => (find(o, 'Secret', 'aileron-postgres').stringData as Loose)['postgres-password'];
    expect(pw(objs)).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(pw(objs)).not.toBe(pw(again));
  });
});

describe('frontend', () => {
  test('nginx listens unprivileged on 8080 from the frontend-nginx ConfigMap and proxies the API', () => {
    const cm = find(defaults, 'ConfigMap', 'aileron-frontend-nginx');
    expect((cm.data as Loose)['nginx.conf']).toContain('listen 8080;');
    expect((cm.data as Loose)['nginx.conf']).toContain('proxy_pass http://aileron-workspace-manager.aileron.svc.cluster.local:3001');
    const svc = find(defaults, 'Service', 'aileron-frontend');
    expect((svc.spec as Loose).ports[0]).toMatchObject({ port: 80, targetPort: 'http' });
  });
});

describe('workspace manager', () => {
  test('a Role on workspaces in each allowed namespace, bound to its ServiceAccount', () => {
    const objs = render({ files: [exampleFile('custom-namespaces')] });
    for (const ns of ['team-a', 'team-b', 'workspace-system']) {
      const role = find(objs, 'Role', 'aileron-workspace-manager', ns);
      expect(role.rules).toEqual([{ apiGroups: ['platform.aileron.io'], resources: ['workspaces'], verbs: expect.arrayContaining(['create', 'delete', 'watch']) }]);
      const binding = find(objs, 'RoleBinding', 'aileron-workspace-manager', ns);
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'aileron-workspace-manager', namespace: 'aileron' }]);
    }
  });

  test('database and Redis URLs are composed from secretKeyRef variables', () => {
    const env = envOf(find(defaults, 'Deployment', 'aileron-workspace-manager'));
    expect(env.DATABASE_PASSWORD.secretKeyRef).toEqual({ name: 'aileron-postgres', key: 'app-password' });
    expect(env.DATABASE_URL).toBe('postgresql://aileron:$(DATABASE_PASSWORD)@aileron-postgres.aileron.svc.cluster.local:5432/aileron');
    expect(env.REDIS_URL).toBe('redis://:$(REDIS_PASSWORD)@aileron-redis.aileron.svc.cluster.local:6379/0');
    expect(env.CELERY_RESULT_BACKEND).toMatch(/\/1$/);
  });

  test('with external services, the URLs come from the manager Secret', () => {
    const manager = find(external, 'Deployment', 'aileron-workspace-manager');
    const env = envOf(manager);
    expect(env.DATABASE_URL.secretKeyRef).toEqual({ name: 'aileron-workspace-manager', key: 'DATABASE_URL' });
    expect(env.REDIS_URL.secretKeyRef.key).toBe('REDIS_URL');
    expect(env.KEYCLOAK_SERVER_URL).toBe('https://sso.company.com');
    const secret = find(external, 'Secret', 'aileron-workspace-manager');
    expect((secret.stringData as Loose).DATABASE_URL).toContain('rds-instance');
    expect(external.some((o) => o.metadata.name === 'aileron-postgres')).toBe(false);
  });

  test('mounts the knowledge-bases PVC at /host/knowledge-bases', () => {
    const spec = podSpecOf(find(defaults, 'Deployment', 'aileron-workspace-manager'));
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'knowledge-bases', mountPath: '/host/knowledge-bases' });
    expect(spec.volumes).toContainEqual({ name: 'knowledge-bases', persistentVolumeClaim: { claimName: 'knowledge-bases-pvc' } });
  });
});

describe('workspace operator', () => {
  const clusterRules = (objs: typeof defaults) => find(objs, 'ClusterRole', 'aileron-workspace-operator').rules as Loose[];
  const namespaceRules = (objs: typeof defaults) => find(objs, 'ClusterRole', 'aileron-workspace-operator-workspace-objects').rules as Loose[];

  test('cluster-wide, only Workspaces, the Events about them, and reading a namespace\'s Pod Security label', () => {
    expect(clusterRules(defaults).map((r) => r.resources).flat()).toEqual(['workspaces', 'workspaces/status', 'workspaces/finalizers', 'events', 'namespaces']);
    expect(clusterRules(defaults).at(-1).verbs).toEqual(['get']);
    expect(JSON.stringify(clusterRules(defaults))).not.toContain('delete');
  });

  test('what it renders, granted in each workspace namespace only, by RoleBindings', () => {
    const bindings = defaults.filter((o) => o.kind === 'RoleBinding' && o.metadata.name === 'aileron-workspace-operator-workspace-objects');
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual([...defaultValues().kubernetes.allowedNamespaces].sort());
    expect((bindings[0] as Loose).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'aileron-workspace-operator-workspace-objects' });
    expect(namespaceRules(defaults).map((r) => r.resources).flat()).toEqual(['services', 'persistentvolumeclaims', 'secrets', 'deployments', 'ingresses', 'networkpolicies', 'ciliumnetworkpolicies', 'httproutes']);
  });

  test('in its own namespace: its Lease, and by name the platform ConfigMap and the Secret it copies', () => {
    const role = find(defaults, 'Role', 'aileron-workspace-operator-own-namespace', 'aileron');
    expect(role.rules).toEqual([
      expect.objectContaining({ apiGroups: ['coordination.k8s.io'], resources: ['leases'] }),
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['aileron-platform-config'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['aileron-workspace-auth'] },
    ]);
  });

  test("in CoTURN's namespace: the TURN credential it copies, by name, and nothing without CoTURN", () => {
    expect(find(defaults, 'Role', 'aileron-workspace-operator-turn-credentials', 'aileron-turn').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['aileron-coturn'] },
    ]);
    expect((find(defaults, 'RoleBinding', 'aileron-workspace-operator-turn-credentials', 'aileron-turn') as Loose).subjects).toEqual([
      { kind: 'ServiceAccount', name: 'aileron-workspace-operator', namespace: 'aileron' },
    ]);
    const own = render({ set: ['coturn.existingSecret=turn-from-vault', 'coturn.namespace=relay'] });
    expect(find(own, 'Role', 'aileron-workspace-operator-turn-credentials', 'relay').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['turn-from-vault'] },
    ]);
    const platform = JSON.parse((find(own, 'ConfigMap', 'aileron-platform-config').data as Loose).WORKSPACE_PLATFORM);
    expect(platform.turn).toMatchObject({ secretName: 'turn-from-vault', secretNamespace: 'relay' });
    expect(render({ set: ['coturn.enabled=false'] }).filter((o) => o.metadata.name.endsWith('-turn-credentials'))).toEqual([]);
  });

  test('WATCH_NAMESPACE reaches the operator through platform-config', () => {
    const objs = render({ files: [exampleFile('custom-namespaces')] });
    expect((find(objs, 'ConfigMap', 'aileron-platform-config').data as Loose).WATCH_NAMESPACE).toBe('team-a');
    expect(podSpecOf(find(objs, 'Deployment', 'aileron-workspace-operator')).containers[0].envFrom).toEqual([
      { configMapRef: { name: 'aileron-platform-config' } },
    ]);
  });
});

describe('keycloak', () => {
  test('imports the realm from the keycloak-realm ConfigMap with redirects to the frontend', () => {
    const realm = JSON.parse((find(prod, 'ConfigMap', 'aileron-keycloak-realm').data as Loose)['realm.json']);
    expect(realm.clients[0].redirectUris).toEqual(['https://example.com/*']);
    expect(realm.sslRequired).toBe('external');
    const kc = find(defaults, 'Deployment', 'aileron-keycloak');
    expect(podSpecOf(kc).containers[0].args).toEqual(['start', '--import-realm']);
    expect(envOf(kc).KC_DB_URL).toBe('jdbc:postgresql://aileron-postgres.aileron.svc.cluster.local:5432/keycloak');
  });
});

describe('coturn', () => {
  test('hostNetwork Deployment and a NodePort Service on 30478 for UDP and TCP', () => {
    const spec = podSpecOf(find(defaults, 'Deployment', 'aileron-coturn'));
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const svc = find(defaults, 'Service', 'aileron-coturn').spec as Loose;
    expect(svc.type).toBe('NodePort');
    expect(svc.ports.map((p: Loose) => [p.protocol, p.port, p.nodePort])).toEqual([
      ['UDP', 3478, 30478],
      ['TCP', 3478, 30478],
    ]);
  });

  test('an empty frontendHost falls back to host', () => {
    expect((find(defaults, 'ConfigMap', 'aileron-platform-config').data as Loose).TURN_FRONTEND_HOST).toBe('192.168.65.3');
    const dd = render({ set: ['coturn.frontendHost=127.0.0.1'] });
    expect((find(dd, 'ConfigMap', 'aileron-platform-config').data as Loose).TURN_FRONTEND_HOST).toBe('127.0.0.1');
  });

  test('credentials never reach the command line; nodeSelector pins the node', () => {
    const spec = podSpecOf(find(prod, 'Deployment', 'aileron-coturn'));
    expect(spec.containers[0].command.join(' ')).toContain('"$TURN_CREDENTIAL"');
    expect(spec.nodeSelector).toEqual({ role: 'turn' });
  });
});

describe('postgres and redis', () => {
  test('StatefulSets with claim templates of the configured size and class', () => {
    const pg = find(prod, 'StatefulSet', 'aileron-postgres').spec as Loose;
    expect(pg.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
    const redis = find(defaults, 'StatefulSet', 'aileron-redis').spec as Loose;
    expect(redis.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('5Gi');
  });

  test('persistence off gives an emptyDir and no claim', () => {
    const objs = render({ set: ['postgres.persistence.enabled=false'] });
    const pg = find(objs, 'StatefulSet', 'aileron-postgres').spec as Loose;
    expect(pg.volumeClaimTemplates).toBeUndefined();
    expect(pg.template.spec.volumes).toContainEqual(expect.objectContaining({ name: 'data', emptyDir: expect.anything() }));
  });

  test('the bootstrap Job (a hook Job, replaced on each run) gets each service role, database and password from the values and the Secret', () => {
    const job = find(defaults, 'Job', 'aileron-postgres-bootstrap');
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation' });
    const env = envOf(job);
    expect([env.PGUSER, env.APP_USER, env.APP_DATABASE, env.KEYCLOAK_USER, env.KEYCLOAK_DATABASE]).toEqual(['postgres', 'aileron', 'aileron', 'keycloak', 'keycloak']);
    expect([env.APP_PASSWORD.secretKeyRef.key, env.KEYCLOAK_PASSWORD.secretKeyRef.key]).toEqual(['app-password', 'keycloak-password']);
    // What the SQL does is proven on a real PostgreSQL (test/e2e/postgres-upstream-data.test.ts).
  });

  test('Keycloak and the manager connect as their own roles, never as the superuser', () => {
    expect(envOf(find(defaults, 'Deployment', 'aileron-keycloak')).KC_DB_USERNAME).toBe('keycloak');
    expect(envOf(find(defaults, 'Deployment', 'aileron-keycloak')).KC_DB_PASSWORD.secretKeyRef.key).toBe('keycloak-password');
    expect(envOf(find(defaults, 'Deployment', 'aileron-workspace-manager')).DATABASE_URL).toMatch(/^postgresql:\/\/aileron:/);
  });
});

describe('config maps', () => {
  test('workspace-routing records the routing contract', () => {
    expect(find(defaults, 'ConfigMap', 'aileron-workspace-routing').data).toMatchObject({
      RUNTIME_SERVICE_NAME_TEMPLATE: 'workspace-runtime-{workspaceId}',
      BROWSER_SERVICE_NAME_TEMPLATE: 'workspace-browser-{workspaceId}',
      CANVAS_SERVICE_NAME_TEMPLATE: 'workspace-canvas-{workspaceId}',
      RUNTIME_SERVICE_PORT: '3002',
      BROWSER_SERVICE_PORT: '6080',
      CANVAS_SERVICE_PORT: '3003',
      RUNTIME_HOST_PATTERN: 'workspace-runtime-{workspaceId}.aileron.local',
    });
  });

  test('platform-config carries the env variables of the Kubernetes settings table', () => {
    expect(find(defaults, 'ConfigMap', 'aileron-platform-config').data).toMatchObject({
      RUNTIME_PROVISIONER: 'kubernetes',
      RUNTIME_K8S_NAMESPACE: 'workspace-system',
      RUNTIME_K8S_ALLOWED_NAMESPACES: 'workspace-system',
      RUNTIME_K8S_SERVICE_TYPE: 'ClusterIP',
      RUNTIME_K8S_NODE_PORT: '',
      RUNTIME_K8S_NODE_ADDRESS: '127.0.0.1',
      RUNTIME_K8S_PVC_NAME: 'workspace-runtime-pvc',
      RUNTIME_K8S_IMAGE: 'ailerondocker/workspace-runtime:v0.1.0',
      WATCH_NAMESPACE: '',
      FIREWALL_DEFAULTS_CONFIGMAP_NAME: 'aileron-firewall-defaults',
    });
  });

  test('firewall-defaults has workspace and browser groups', () => {
    const data = find(prod, 'ConfigMap', 'aileron-firewall-defaults').data as Loose;
    expect(data.WORKSPACE_ALLOWED_DOMAINS).toBe('github.com,api.github.com,registry.npmjs.org,pypi.org,api.anthropic.com');
    expect(data.BROWSER_ALLOWED_DOMAINS).toBe('github.com');
  });
});

describe('ingress', () => {
  test('host routing for frontend, manager, keycloak and the sign-in callback, TLS and annotations from values', () => {
    const ing = find(prod, 'Ingress', 'aileron');
    const spec = ing.spec as Loose;
    expect(spec.rules.map((r: Loose) => [r.host, r.http.paths[0].backend.service.name])).toEqual([
      ['example.com', 'aileron-frontend'],
      ['workspace-manager.example.com', 'aileron-workspace-manager'],
      ['keycloak.example.com', 'aileron-keycloak'],
      ['auth.example.com', 'aileron-workspace-auth'],
    ]);
    expect(spec.tls).toEqual([{ secretName: 'aileron-tls', hosts: ['example.com', '*.example.com'] }]);
    expect(spec.ingressClassName).toBe('nginx');
    expect(ing.metadata.annotations).toMatchObject({ 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600', 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
  });

  test('custom host patterns are expanded', () => {
    const hosts = ((find(render({ files: [exampleFile('custom-hosts')] }), 'Ingress', 'aileron').spec as Loose).rules as Loose[]).map((r) => r.host);
    expect(hosts).toEqual(['app.dev.example.org', 'api.dev.example.org', 'sso.dev.example.org', 'auth.dev.example.org']);
  });

  test('disabled components get no rule, and no ingress at all when all are off', () => {
    const hosts = ((find(render({ set: ['keycloak.enabled=false', 'workspaceManager.env.KEYCLOAK_SERVER_URL=https://sso', 'workspaceAuth.enabled=false'] }), 'Ingress', 'aileron').spec as Loose).rules as Loose[]).map((r) => r.host);
    expect(hosts).toEqual(['aileron.local', 'workspace-manager.aileron.local']);
    expect(render({ files: [exampleFile('minimal')] }).some((o) => o.kind === 'Ingress')).toBe(false);
  });
});

describe('storage and namespaces', () => {
  test('the knowledge-bases PVC uses its values and survives uninstall', () => {
    const pvc = find(defaults, 'PersistentVolumeClaim', 'knowledge-bases-pvc', 'aileron');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'hostpath', resources: { requests: { storage: '20Gi' } } });
    expect(pvc.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });

  const enforced = (objects: K8sObject[]) =>
    objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels!['pod-security.kubernetes.io/enforce']]);

  test('workspace namespaces and the release namespace are created restricted; CoTURN alone runs privileged, in its own; default is never touched', () => {
    expect(enforced(defaults)).toEqual([
      ['aileron', 'restricted'],
      ['workspace-system', 'restricted'],
      ['aileron-turn', 'privileged'],
    ]);
    const inTurn = defaults.filter((o) => o.metadata.namespace === 'aileron-turn').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(inTurn.sort()).toEqual([
      'Deployment/aileron-coturn',
      'Role/aileron-workspace-operator-turn-credentials',
      'RoleBinding/aileron-workspace-operator-turn-credentials',
      'Secret/aileron-coturn',
      'Service/aileron-coturn',
    ]);
    expect(enforced(render({ set: ['coturn.enabled=false'] }))).toEqual([
      ['aileron', 'restricted'],
      ['workspace-system', 'restricted'],
    ]);
  });

  test('each workspace namespace gets a quota derived from the workspace defaults, and the runtime\'s defaults for bare containers', () => {
    const hard = (objects: K8sObject[]) => (find(objects, 'ResourceQuota', 'aileron-workspaces', 'workspace-system').spec as Loose).hard;
    // 20 workspaces of runtime 500m/512Mi, browser 1000m/1Gi, canvas 250m/256Mi and three proxies of 10m/32Mi.
    expect(hard(defaults)).toEqual({
      'requests.cpu': '35600m',
      'requests.memory': String(20 * (512 + 1024 + 256 + 96) * 2 ** 20),
      'limits.cpu': '112000m',
      'limits.memory': String(20 * (2048 + 2048 + 512 + 192) * 2 ** 20),
      pods: '60',
      persistentvolumeclaims: '20',
    });
    // Fewer workspaces, no sign-in proxies, a limit of the user's own, and one replaced.
    const set = ['kubernetes.namespaceQuota.workspaces=2', 'workspaceAuth.enabled=false', 'kubernetes.namespaceQuota.hard.requests\\.storage=100Gi', 'kubernetes.namespaceQuota.hard.pods=5'];
    expect(hard(render({ set }))).toMatchObject({ 'requests.cpu': '3500m', 'requests.storage': '100Gi', pods: 5 });
    expect((find(defaults, 'LimitRange', 'aileron-workspaces', 'workspace-system').spec as Loose).limits).toEqual([
      { type: 'Container', default: { cpu: '2000m', memory: '2Gi' }, defaultRequest: { cpu: '500m', memory: '512Mi' } },
    ]);
    expect(render({ set: ['kubernetes.namespaceQuota.enabled=false', 'kubernetes.namespaceLimitRange.enabled=false'] }).filter((o) => o.metadata.name === 'aileron-workspaces')).toEqual([]);
  });

  test('coturn.namespace names it; set to the release namespace (as migrate does), that namespace runs privileged', () => {
    expect(enforced(render({ set: ['coturn.namespace=relay'] }))).toContainEqual(['relay', 'privileged']);
    expect(enforced(render({ set: ['coturn.namespace=relay', 'coturn.createNamespace=false'] })).map(([name]) => name)).not.toContain('relay');
    const shared = render({ set: ['coturn.namespace=aileron'] });
    expect(enforced(shared)).toEqual([
      ['aileron', 'privileged'],
      ['workspace-system', 'restricted'],
    ]);
    expect(find(shared, 'Deployment', 'aileron-coturn', 'aileron')).toBeDefined();
  });
});

describe('workspace CRD', () => {
  const crd = find(defaults, 'CustomResourceDefinition', 'workspaces.platform.aileron.io');
  const spec = crd.spec as Loose;
  const version = spec.versions[0];
  const schema = version.schema.openAPIV3Schema.properties;

  test('names, short name, status subresource and printer columns', () => {
    expect(spec.group).toBe('platform.aileron.io');
    expect(spec.names).toMatchObject({ kind: 'Workspace', plural: 'workspaces', shortNames: ['ws'] });
    expect(version.name).toBe('v1alpha1');
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: Loose) => c.name)).toEqual(['Phase', 'Owner', 'Started', 'Last Activity', 'Namespace', 'Age']);
  });

  test('spec has every field of the upstream example', () => {
    expect(Object.keys(schema.spec.properties)).toEqual(
      expect.arrayContaining(['workspaceId', 'ownerId', 'provisioner', 'runtime', 'browser', 'canvas', 'workspacePath', 'targetNamespace', 'git', 'envVars', 'firewall', 'operations']),
    );
    expect(Object.keys(schema.spec.properties.operations.properties).sort()).toEqual(['restartBrowserAt', 'restartCanvasAt', 'restartRuntimeAt', 'restartWorkspaceAt']);
  });

  test('status has phase, targetNamespace, components, firewall and conditions', () => {
    expect(Object.keys(schema.status.properties)).toEqual(
      expect.arrayContaining(['phase', 'observedGeneration', 'targetNamespace', 'components', 'firewall', 'conditions']),
    );
    expect(Object.keys(schema.status.properties.components.properties.runtime.properties)).toEqual(
      expect.arrayContaining(['phase', 'internalUrl', 'externalUrl']),
    );
  });

  test('validation: workspaceId is a short DNS label, enums for provisioner and domainAccessMode', () => {
    expect(schema.spec.properties.workspaceId).toMatchObject({ pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$', maxLength: 40 });
    expect(schema.spec.properties.provisioner.enum).toEqual(['kubernetes', 'docker']);
    expect(schema.spec.properties.firewall.properties.workspace.properties.domainAccessMode.enum).toEqual(['specific', 'all']);
    expect(schema.spec.required).toEqual(['workspaceId', 'ownerId']);
  });
});

describe('autoscaling', () => {
  test('off by default: the Deployment holds replicaCount, no HorizontalPodAutoscaler', () => {
    const objects = render({});
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect((find(objects, 'Deployment', 'aileron-frontend').spec as Loose).replicas).toBe(1);
  });

  test('on: an autoscaling/v2 HPA on CPU, the Deployment without replicas, and a disruption budget for its floor', () => {
    const set = ['workspaceManager.autoscaling.enabled=true', 'workspaceManager.autoscaling.maxReplicas=6', 'workspaceManager.replicaCount=1'];
    const objects = render({ set });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'aileron-workspace-manager');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'aileron-workspace-manager' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }],
    });
    expect('replicas' in (find(objects, 'Deployment', 'aileron-workspace-manager').spec as Loose)).toBe(false);
    // replicaCount 1, but the autoscaler keeps two or more: one may go in a drain.
    expect((find(objects, 'PodDisruptionBudget', 'aileron-workspace-manager').spec as Loose).maxUnavailable).toBe(1);
    // A floor of one runs one pod at times: no budget that would block a drain.
    expect(render({ set: [...set, 'workspaceManager.autoscaling.minReplicas=1'] }).filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'aileron-workspace-manager')).toEqual([]);
  });
});

describe('Gateway API routing', () => {
  const routes = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'HTTPRoute');

  test('off by default: the Ingress routes the platform hosts', () => {
    expect(routes(defaults)).toEqual([]);
  });

  test('on: one HTTPRoute per public host, on the Gateways named, to the Services the Ingress uses', () => {
    const objects = render({ files: [exampleFile('gateway-api')] });
    expect(objects.filter((o) => o.kind === 'Ingress' && o.metadata.namespace === 'aileron')).toEqual([]);
    const got = routes(objects).map((r) => [r.metadata.name, (r.spec as Loose).hostnames, (r.spec as Loose).rules[0].backendRefs]);
    expect(got).toEqual([
      ['aileron-frontend', ['example.com'], [{ name: 'aileron-frontend', port: 80 }]],
      ['aileron-workspace-manager', ['workspace-manager.example.com'], [{ name: 'aileron-workspace-manager', port: 3001 }]],
      ['aileron-keycloak', ['keycloak.example.com'], [{ name: 'aileron-keycloak', port: 8080 }]],
      ['aileron-workspace-auth', ['auth.example.com'], [{ name: 'aileron-workspace-auth', port: 4180 }]],
    ]);
    for (const r of routes(objects)) {
      expect((r.spec as Loose).parentRefs).toEqual([{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }]);
      expect(r.apiVersion).toBe('gateway.networking.k8s.io/v1');
    }
    // A component turned off has no route.
    expect(routes(render({ files: [exampleFile('gateway-api')], set: ['workspaceAuth.enabled=false'] })).map((r) => r.metadata.name)).toEqual([
      'aileron-frontend',
      'aileron-workspace-manager',
      'aileron-keycloak',
    ]);
  });
});

describe('ingress annotations follow the class', () => {
  const annotationsOf = (objects: K8sObject[]) => ({
    platform: find(objects, 'Ingress', 'aileron', 'aileron').metadata.annotations,
    workspaces: JSON.parse((find(objects, 'ConfigMap', 'aileron-platform-config').data as Loose).WORKSPACE_PLATFORM).ingress.annotations,
  });

  test("class nginx (the default): ingress-nginx's WebSocket timeouts on the platform and workspace Ingresses", () => {
    const { platform, workspaces } = annotationsOf(defaults);
    expect(Object.keys(platform!).sort()).toEqual(['nginx.ingress.kubernetes.io/proxy-http-version', 'nginx.ingress.kubernetes.io/proxy-read-timeout', 'nginx.ingress.kubernetes.io/proxy-send-timeout']);
    expect(workspaces).toEqual(platform);
  });

  test('another class: only the annotations that are not ingress-nginx\'s', () => {
    const { platform, workspaces } = annotationsOf(render({ files: [exampleFile('custom-hosts')] }));
    expect(platform).toEqual({ 'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure' });
    expect(workspaces).toEqual(platform);
  });
});
