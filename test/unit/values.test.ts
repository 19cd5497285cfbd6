import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { defaultValues, loadValues, ValuesError } from '../../lib/values/load.js';
import { deepMerge, parseSet } from '../../lib/values/merge.js';
import { ValuesSchema } from '../../lib/values/schema.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValuesError) return err.problems;
    throw err;
  }
  throw new Error('expected a ValuesError');
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'values-')), name);
  writeFileSync(file, text);
  return file;
}

describe('defaults follow the upstream chart', () => {
  const v = defaultValues();
  test.each([
    ['publicRouting.scheme', v.publicRouting.scheme, 'http'],
    ['publicRouting.baseDomain', v.publicRouting.baseDomain, 'aileron.local'],
    ['publicRouting.frontendHost', v.publicRouting.frontendHost, '{baseDomain}'],
    ['publicRouting.workspaceManagerHost', v.publicRouting.workspaceManagerHost, 'workspace-manager.{baseDomain}'],
    ['publicRouting.keycloakHost', v.publicRouting.keycloakHost, 'keycloak.{baseDomain}'],
    ['publicRouting.runtimeHostPattern', v.publicRouting.runtimeHostPattern, 'workspace-runtime-{workspaceId}.{baseDomain}'],
    ['publicRouting.browserHostPattern', v.publicRouting.browserHostPattern, 'workspace-browser-{workspaceId}.{baseDomain}'],
    ['publicRouting.canvasHostPattern', v.publicRouting.canvasHostPattern, 'workspace-canvas-{workspaceId}.{baseDomain}'],
    ['kubernetes.provisioner', v.kubernetes.provisioner, 'kubernetes'],
    ['kubernetes.defaultNamespace', v.kubernetes.defaultNamespace, 'workspace-system'],
    ['kubernetes.allowedNamespaces', v.kubernetes.allowedNamespaces, ['workspace-system']], // the production guide wins over upstream's [workspace-system, default] (README deviations)
    ['kubernetes.serviceType', v.kubernetes.serviceType, 'ClusterIP'],
    ['kubernetes.nodePort', v.kubernetes.nodePort, ''],
    ['kubernetes.nodeAddress', v.kubernetes.nodeAddress, '127.0.0.1'],
    ['kubernetes.pvcName', v.kubernetes.pvcName, 'workspace-runtime-pvc'],
    ['kubernetes.watchNamespace', v.kubernetes.watchNamespace, ''],
    ['kubernetes.knowledgeBases.pvcName', v.kubernetes.knowledgeBases.pvcName, 'knowledge-bases-pvc'],
    ['kubernetes.knowledgeBases.size', v.kubernetes.knowledgeBases.size, '20Gi'],
    ['kubernetes.knowledgeBases.accessModes', v.kubernetes.knowledgeBases.accessModes, ['ReadWriteMany']],
    ['kubernetes.knowledgeBases.storageClassName', v.kubernetes.knowledgeBases.storageClassName, 'hostpath'],
    ['ingress.enabled', v.ingress.enabled, true],
    ['ingress.className', v.ingress.className, 'nginx'],
    ['ingress.tls', v.ingress.tls, []],
    ['cilium.enabled', v.cilium.enabled, false],
    ['global.imagePullSecrets', v.global.imagePullSecrets, []],
    ['global.storageClass', v.global.storageClass, ''],
    ['coturn.port', v.coturn.port, 3478],
    ['coturn.nodePort', v.coturn.nodePort, 30478],
    ['coturn.host', v.coturn.host, '192.168.65.3'],
    ['coturn.frontendHost', v.coturn.frontendHost, ''],
    ['coturn.username', v.coturn.username, 'aileron'],
    ['coturn.realm', v.coturn.realm, 'aileron.localhost'],
    ['postgres.auth.username', v.postgres.auth.username, 'postgres'],
    ['postgres.auth.appDatabase', v.postgres.auth.appDatabase, 'aileron'],
    ['postgres.auth.keycloakDatabase', v.postgres.auth.keycloakDatabase, 'keycloak'],
    ['postgres.persistence.size', v.postgres.persistence.size, '10Gi'],
    ['redis.persistence.size', v.redis.persistence.size, '5Gi'],
    ['keycloak.auth.adminUser', v.keycloak.auth.adminUser, 'admin'],
    ['frontend.image.repository', v.frontend.image.repository, 'ailerondocker/workspace-ui'],
    ['workspaceManager.image.repository', v.workspaceManager.image.repository, 'ailerondocker/workspace-manager'],
    // This project's operator, not upstream's (README deviations).
    ['workspaceOperator.image.repository', v.workspaceOperator.image.repository, 'ghcr.io/aileron-k8s/aileron-k8s-operator'],
  ])('%s', (_key, actual, expected) => expect(actual).toEqual(expected));

  test('every component is on by default', () => {
    for (const c of ['frontend', 'workspaceManager', 'workspaceOperator', 'postgres', 'redis', 'keycloak', 'coturn'] as const) {
      expect(v[c].enabled).toBe(true);
    }
  });

  test('the WebSocket timeouts are the default ingress annotations', () => {
    expect(v.ingress.annotations).toEqual({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
    });
  });

  test('firewall defaults list the upstream domains', () => {
    expect(v.firewall.defaults.workspace.allowedDomains).toEqual(
      expect.arrayContaining(['github.com', 'registry.npmjs.org', 'pypi.org', 'api.anthropic.com']),
    );
    expect(v.firewall.defaults.browser.allowedDomains).toEqual(['github.com', 'google.com', 'gstatic.com', 'googleapis.com']);
  });
});

describe('production guide overrides', () => {
  const v = defaultValues();
  test('no default passwords', () => {
    expect(v.postgres.auth.password).toBe('');
    expect(v.keycloak.auth.adminPassword).toBe('');
    expect(v.coturn.credential).toBe('');
    expect(v.redis.auth.password).toBe('');
    expect(v.workspaceManager.env.SECRET_KEY).toBeUndefined();
  });

  test('no image is tagged latest', () => {
    const tags = [v.frontend, v.workspaceManager, v.workspaceOperator, v.keycloak, v.coturn, v.postgres, v.redis].map((c) => c.image.tag);
    for (const tag of tags) expect(tag).not.toMatch(/^(latest|dev)$/);
    for (const image of [v.kubernetes.runtimeImage, v.kubernetes.browserImage, v.kubernetes.canvasImage]) {
      expect(image).not.toMatch(/:latest$|^[^:]+$/);
    }
  });

  test('requests and limits follow 001 recommended table', () => {
    expect(v.frontend.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    expect(v.workspaceManager.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect(v.keycloak.resources).toEqual({ requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1000m', memory: '1Gi' } });
    expect(v.postgres.resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '1Gi' } });
    expect(v.coturn.resources).toEqual({ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } });
    expect(v.kubernetes.workspaceDefaults.browser.resources).toEqual({
      requests: { cpu: '1000m', memory: '1Gi' },
      limits: { cpu: '2000m', memory: '2Gi' },
    });
  });
});

describe('merge order: defaults, each -f in order, then --set', () => {
  test('later files win, maps merge, lists replace', () => {
    const a = tempFile('a.yaml', 'publicRouting: {baseDomain: a.example.com, scheme: https}\nkubernetes: {allowedNamespaces: [workspace-system, x]}\n');
    const b = tempFile('b.yaml', 'publicRouting: {baseDomain: b.example.com}\nkubernetes: {allowedNamespaces: [workspace-system]}\n');
    const v = loadValues({ files: [a, b] });
    expect(v.publicRouting.baseDomain).toBe('b.example.com');
    expect(v.publicRouting.scheme).toBe('https');
    expect(v.kubernetes.allowedNamespaces).toEqual(['workspace-system']);
  });

  test('--set beats every file', () => {
    const a = tempFile('a.yaml', 'publicRouting: {baseDomain: a.example.com}\n');
    expect(loadValues({ files: [a], set: ['publicRouting.baseDomain=c.example.com'] }).publicRouting.baseDomain).toBe('c.example.com');
  });

  test('null in a later file deletes a key, as in Helm', () => {
    expect(deepMerge({ a: { b: 1, c: 2 } }, { a: { b: null } })).toEqual({ a: { c: 2 } });
  });
});

describe('--set syntax', () => {
  test('indexes, escaped dots, lists and typed scalars', () => {
    expect(parseSet('kubernetes.allowedNamespaces[1]=team-a')).toEqual([{ path: ['kubernetes', 'allowedNamespaces', 1], value: 'team-a' }]);
    expect(parseSet('ingress.annotations.a\\.b/c=x')).toEqual([{ path: ['ingress', 'annotations', 'a.b/c'], value: 'x' }]);
    expect(parseSet('a={x,y},b=true,c=3')).toEqual([
      { path: ['a'], value: ['x', 'y'] },
      { path: ['b'], value: true },
      { path: ['c'], value: 3 },
    ]);
    expect(parseSet('a=3', true)).toEqual([{ path: ['a'], value: '3' }]);
  });

  test('the upstream namespace override example works as written', () => {
    const v = loadValues({
      set: [
        'kubernetes.defaultNamespace=workspace-system',
        'kubernetes.allowedNamespaces[0]=workspace-system',
        'kubernetes.allowedNamespaces[1]=team-a',
        'kubernetes.allowedNamespaces[2]=team-b',
      ],
    });
    expect(v.kubernetes.allowedNamespaces).toEqual(['workspace-system', 'team-a', 'team-b']);
  });

  test('a pair without "=" is an error that shows the argument', () => {
    expect(problemsOf(() => loadValues({ set: ['publicRouting.scheme'] }))[0]).toMatch(/--set publicRouting\.scheme: .*no "="/);
  });
});

describe('errors name the key and what was expected', () => {
  test.each([
    [{ publicRouting: { scheme: 'ftp' } }, /^publicRouting\.scheme: must be one of "http", "https" \(got "ftp"\)/],
    [{ frontend: { imagee: {} } }, /^frontend\.imagee: unknown key \(did you mean "image"\?\)/],
    [{ coturn: { nodePort: 80 } }, /^coturn\.nodePort: must be >= 30000/],
    [{ postgres: { persistence: { size: 'lots' } } }, /^postgres\.persistence\.size: "lots" is not whole bytes above zero, such as 10Gi/],
    [{ global: { storageClass: 'Fast_SSD' } }, /^global\.storageClass: "Fast_SSD" is not a Kubernetes object name/],
    [{ frontend: { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } } }, /^frontend\.resources\.requests\.memory: 2Gi is above the limit 1Gi/],
    [{ frontend: { resources: { limits: { cpu: '0' } } } }, /^frontend\.resources\.limits\.cpu: "0" is not a CPU amount above zero/],
    [{ workspaceManager: { env: { 'MY PASSWORD': 'x' } } }, /^workspaceManager\.env\.MY PASSWORD: the key must be an environment variable name/],
    [{ frontend: { nodeSelector: { '': 'x' } } }, /^frontend\.nodeSelector\.: the key must be a label key/],
    [{ ingress: { annotations: { 'A=B': 'x' } } }, /^ingress\.annotations\.A=B: the key must be a label key/],
    [{ postgres: { auth: { existingSecret: 'Not A Name' } } }, /^postgres\.auth\.existingSecret: "Not A Name" is not a Kubernetes object name/],
    [{ ingress: { tls: [{ secretName: 'a'.repeat(300) }] } }, /^ingress\.tls\[0\]\.secretName: is 300 characters long; at most 253/],
    [{ ingress: { className: 'nginx\u0007' } }, /^ingress\.className: "nginx\\u0007" is not/],
    [{ coturn: { credential: 'line\nbreak' } }, /^coturn\.credential: .* is not printable text/],
    [{ coturn: { host: '169.254.169.254' } }, /^coturn\.host: "169\.254\.169\.254" is loopback, link-local \(cloud metadata lives there\)/],
    [{ frontend: { image: { tag: 'has space' } } }, /^frontend\.image\.tag: /],
    [{ kubernetes: { defaultNamespace: 'elsewhere' } }, /^kubernetes\.defaultNamespace: "elsewhere" is not in kubernetes\.allowedNamespaces/],
    [{ publicRouting: { canvasHostPattern: 'canvas.{baseDomain}' } }, /^publicRouting\.canvasHostPattern: .* must contain \{workspaceId\}/],
    [{ redis: { enabled: false } }, /^workspaceManager\.env\.REDIS_URL: required when redis\.enabled is false/],
    [{ coturn: { minRelayPort: 60000, maxRelayPort: 50000 } }, /^coturn\.minRelayPort: 60000 is above coturn\.maxRelayPort 50000/],
    [{ coturn: { namespace: 'workspace-system' } }, /^coturn\.namespace: workspace-system is a workspace namespace \(kubernetes\.allowedNamespaces\).*give CoTURN a namespace of its own/],
    [{ coturn: { namespace: 'kube-system' } }, /^coturn\.namespace: kube-system exists in every cluster.*or set coturn\.createNamespace=false/],
    [{ gatewayAPI: { enabled: true } }, /^gatewayAPI\.parentRefs: required when gatewayAPI\.enabled is true: name the Gateway/],
    [{ gatewayAPI: { parentRefs: [{ name: 'gw', namespace: '' }] } }, /^gatewayAPI\.parentRefs\[0\]\.namespace: /],
    [{ gatewayAPI: { enabled: true, createGateway: true } }, /^gatewayAPI\.gatewayClassName: required when gatewayAPI\.createGateway is true/],
    [
      { publicRouting: { scheme: 'https' }, gatewayAPI: { enabled: true, createGateway: true, gatewayClassName: 'eg' } },
      /^gatewayAPI\.createGateway: the HTTPS listener for \*\.<baseDomain> needs a certificate: set ingress\.workspaceTls\.secretName/,
    ],
    [{ gatewayAPI: { enabled: true, createGateway: true, gatewayClassName: 'cilium', implementation: 'cilium' } }, /^gatewayAPI\.implementation: Cilium's Gateway .* set cilium\.enabled=true/],
    [{ workspaceManager: { autoscaling: { enabled: true, minReplicas: 4, maxReplicas: 3 } } }, /^workspaceManager\.autoscaling\.minReplicas: 4 is above workspaceManager\.autoscaling\.maxReplicas 3$/],
    [{ gatewayAPI: { requestTimeout: '1 hour' } }, /^gatewayAPI\.requestTimeout: "1 hour" is not a duration such as 0s, 30m or 1h/],
    [{ gatewayAPI: { parentRefs: [{ name: 'gw' }] } }, /^gatewayAPI\.parentRefs\[0\]/],
    [{ global: { imagePullSecrets: [{ name: 'x', extra: 1 }] } }, /^global\.imagePullSecrets\[0\]\.extra: unknown key/],
  ])('%j', (overlay, message) => {
    const problems = problemsOf(() => loadValues({ overlays: [overlay as never] }));
    expect(problems.some((p) => message.test(p))).toBe(true);
  });

  test('a file that is not YAML names the file', () => {
    const bad = tempFile('bad.yaml', 'a: [\n');
    expect(problemsOf(() => loadValues({ files: [bad] }))[0]).toContain('bad.yaml: not valid YAML');
  });
});

describe('the schema documents every key', () => {
  test('every key has a description and a default (resources and affinity are documented as a whole)', () => {
    const missing: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (!props) return;
      for (const [key, child] of Object.entries(props)) {
        const at = path ? `${path}.${key}` : key;
        if (!child.description || child.default === undefined) missing.push(at);
        if (child.type === 'object' && key !== 'resources' && key !== 'affinity') walk(child, at);
      }
    };
    walk(ValuesSchema as unknown as Record<string, unknown>, '');
    expect(missing).toEqual([]);
  });
});
