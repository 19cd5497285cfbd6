/**
 * The values model: one TypeBox definition gives both the JSON Schema (for ajv,
 * `values.schema.json` and the README reference) and the TypeScript type.
 * Every key of the upstream chart (seed 000) is here with its default, except
 * where the production guide (seed 001) overrides it; README lists those.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Chart version and the application version that image tags pin to. */
export const CHART_VERSION = '0.1.0';
export const APP_VERSION = 'v0.1.0';

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A hostname that may hold the `{baseDomain}` / `{workspaceId}` placeholders. */
const HOST_PATTERN = '^([a-z0-9*{}]([-a-zA-Z0-9{}]*[a-zA-Z0-9{}])?)(\\.[a-z0-9{}]([-a-zA-Z0-9{}]*[a-zA-Z0-9{}])?)*$';
const QUANTITY = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
const IMAGE_TAG = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
const IPV4 = '((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const H = '[0-9a-fA-F]{1,4}';
const IPV6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
].join('|');
/** An IPv4 or IPv6 address (no names: policies need an address; Go's RE2 and ajv both read this). */
export const IP_ADDRESS = `^(${IPV4}|${IPV6})$`;
/** Kubernetes label keys ([prefix/]name) and values. */
export const LABEL_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

const str = (def: string, description: string, extra: object = {}) =>
  Type.String({ default: def, description, ...extra });
const bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
const int = (def: number, description: string, extra: object = {}) =>
  Type.Integer({ default: def, description, ...extra });
const obj = <P extends Record<string, TSchema>>(props: P, description: string) =>
  Type.Object(props, { additionalProperties: false, description, default: {} });
const stringMap = (description: string, def: Record<string, string> = {}) =>
  Type.Record(Type.String(), Type.String(), { default: def, description });
/** A label map (selectors, pod labels): keys and values as the API server accepts them. */
const labelMap = (description: string, def: Record<string, string> = {}, extra: object = {}) =>
  Type.Record(Type.String(), Type.String({ pattern: LABEL_VALUE, maxLength: 63 }), {
    default: def,
    description,
    propertyNames: { pattern: LABEL_KEY, maxLength: 317 },
    ...extra,
  });

const quantity = () => Type.String({ pattern: QUANTITY });
const ResourceList = Type.Object(
  { cpu: Type.Optional(quantity()), memory: Type.Optional(quantity()), 'ephemeral-storage': Type.Optional(quantity()) },
  { additionalProperties: false },
);
const resources = (req: [string, string], lim: [string, string], description: string) =>
  Type.Object(
    { requests: Type.Optional(ResourceList), limits: Type.Optional(ResourceList) },
    {
      additionalProperties: false,
      description,
      default: { requests: { cpu: req[0], memory: req[1] }, limits: { cpu: lim[0], memory: lim[1] } },
    },
  );

const image = (repository: string, tag: string, what: string) =>
  obj(
    {
      repository: str(repository, `${what} image repository`, { minLength: 1 }),
      tag: str(tag, `${what} image tag (pinned; never "latest")`, { pattern: IMAGE_TAG }),
      pullPolicy: Type.Union([Type.Literal('IfNotPresent'), Type.Literal('Always'), Type.Literal('Never')], {
        default: 'IfNotPresent',
        description: `${what} image pull policy`,
      }),
    },
    `${what} image`,
  );

/** Scheduling and pod knobs every platform workload shares. */
const podSettings = (replicas: number | undefined) => ({
  ...(replicas === undefined ? {} : { replicas: int(replicas, 'Replica count', { minimum: 0 }) }),
  nodeSelector: stringMap('Node labels the pods must match'),
  tolerations: Type.Array(Type.Record(Type.String(), Type.Unknown()), { default: [], description: 'Pod tolerations' }),
  affinity: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Pod affinity rules' }),
  podAnnotations: stringMap('Extra annotations on the pods'),
});

const persistence = (size: string, what: string) =>
  obj(
    {
      enabled: bool(true, `Keep ${what} data on a PersistentVolumeClaim (an emptyDir otherwise)`),
      size: str(size, `${what} volume size`, { pattern: QUANTITY }),
      storageClass: str('', 'StorageClass for the volume ("" uses global.storageClass, then the cluster default)'),
    },
    `${what} persistence`,
  );

const existingSecret = (keys: string) =>
  str('', `Name of an existing Secret holding ${keys}; when set, no Secret is rendered for these credentials`);

const firewallGroup = (domains: string[], what: string) =>
  obj(
    {
      allowedDomains: Type.Array(Type.String({ pattern: '^(\\*\\.)?' + DNS_SUBDOMAIN.slice(1) }), {
        default: domains,
        description: `Domains ${what} pods may reach when Cilium is enabled`,
      }),
    },
    `Firewall defaults for ${what} pods`,
  );

const workspaceComponent = (req: [string, string], lim: [string, string], what: string) =>
  obj({ resources: resources(req, lim, `Default requests/limits for ${what} containers`) }, `${what} defaults`);

export const ValuesSchema = Type.Object(
  {
    global: obj(
      {
        imagePullSecrets: Type.Array(
          Type.Object({ name: Type.String({ pattern: DNS_SUBDOMAIN }) }, { additionalProperties: false }),
          { default: [], description: 'Image pull secrets for every pod' },
        ),
        storageClass: str('', 'Default StorageClass for every PVC ("" = cluster default)'),
      },
      'Settings shared by every component',
    ),
    publicRouting: obj(
      {
        scheme: Type.Union([Type.Literal('http'), Type.Literal('https')], {
          default: 'http',
          description: 'Public URL scheme: http or https',
        }),
        baseDomain: str('aileron.local', 'Base domain', { pattern: DNS_SUBDOMAIN, maxLength: 200 }),
        frontendHost: str('{baseDomain}', 'Frontend host', { pattern: HOST_PATTERN }),
        workspaceManagerHost: str('workspace-manager.{baseDomain}', 'Workspace manager host', { pattern: HOST_PATTERN }),
        keycloakHost: str('keycloak.{baseDomain}', 'Keycloak host', { pattern: HOST_PATTERN }),
        runtimeHostPattern: str('workspace-runtime-{workspaceId}.{baseDomain}', 'Workspace runtime host pattern', {
          pattern: HOST_PATTERN,
        }),
        browserHostPattern: str('workspace-browser-{workspaceId}.{baseDomain}', 'Workspace browser host pattern', {
          pattern: HOST_PATTERN,
        }),
        canvasHostPattern: str('workspace-canvas-{workspaceId}.{baseDomain}', 'Workspace canvas host pattern', {
          pattern: HOST_PATTERN,
        }),
      },
      'Public hosts; {baseDomain} and {workspaceId} are placeholders',
    ),
    ingress: obj(
      {
        enabled: bool(true, 'Render the platform Ingress (frontend, manager, Keycloak)'),
        className: str('nginx', 'IngressClass name'),
        annotations: stringMap('Annotations on the platform and workspace Ingresses (WebSocket timeouts by default)', {
          'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
          'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
          'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
        }),
        tls: Type.Array(
          Type.Object(
            {
              secretName: Type.String({ pattern: DNS_SUBDOMAIN }),
              hosts: Type.Array(Type.String({ pattern: HOST_PATTERN }), { default: [] }),
            },
            { additionalProperties: false },
          ),
          { default: [], description: 'TLS for the platform Ingress' },
        ),
        workspaceTls: obj(
          {
            secretName: str(
              '',
              'Wildcard TLS Secret for workspace hosts; "" uses the first ingress.tls entry with a wildcard host',
            ),
            clusterIssuer: str('', 'cert-manager ClusterIssuer that issues a certificate per workspace Ingress'),
          },
          'TLS for the per-workspace Ingresses when publicRouting.scheme is https',
        ),
      },
      'Ingress settings',
    ),
    kubernetes: obj(
      {
        provisioner: Type.Union([Type.Literal('kubernetes'), Type.Literal('docker')], {
          default: 'kubernetes',
          description: 'Default provisioner (RUNTIME_PROVISIONER)',
        }),
        defaultNamespace: str('workspace-system', 'Default workspace namespace (RUNTIME_K8S_NAMESPACE)', {
          pattern: DNS_LABEL,
          maxLength: 63,
        }),
        allowedNamespaces: Type.Array(Type.String({ pattern: DNS_LABEL, maxLength: 63 }), {
          default: ['workspace-system', 'default'],
          minItems: 1,
          uniqueItems: true,
          description: 'Namespaces workspaces may run in (RUNTIME_K8S_ALLOWED_NAMESPACES)',
        }),
        createNamespaces: bool(
          true,
          'Create the allowed namespaces (except default and kube-*) labelled for Pod Security "restricted"; kept on uninstall',
        ),
        serviceType: Type.Union([Type.Literal('ClusterIP'), Type.Literal('NodePort')], {
          default: 'ClusterIP',
          description: 'Workspace Service type (RUNTIME_K8S_SERVICE_TYPE)',
        }),
        nodePort: Type.Union([Type.Literal(''), Type.Integer({ minimum: 30000, maximum: 32767 })], {
          default: '',
          description: 'Workspace NodePort (RUNTIME_K8S_NODE_PORT); "" lets Kubernetes pick',
        }),
        nodeAddress: str('127.0.0.1', 'Node address for NodePort URLs (RUNTIME_K8S_NODE_ADDRESS)'),
        pvcName: str('workspace-runtime-pvc', 'Workspace working-directory PVC name (RUNTIME_K8S_PVC_NAME)', {
          pattern: DNS_SUBDOMAIN,
        }),
        runtimeImage: str(`ailerondocker/workspace-runtime:${APP_VERSION}`, 'Workspace runtime image (RUNTIME_K8S_IMAGE)'),
        browserImage: str(
          `ailerondocker/workspace-browser:${APP_VERSION}`,
          'Workspace browser image (RUNTIME_K8S_BROWSER_IMAGE)',
        ),
        canvasImage: str(`ailerondocker/workspace-canvas:${APP_VERSION}`, 'Workspace canvas image (RUNTIME_K8S_CANVAS_IMAGE)'),
        watchNamespace: str('', 'Namespace the operator watches (WATCH_NAMESPACE); "" = all namespaces'),
        knowledgeBases: obj(
          {
            pvcName: str('knowledge-bases-pvc', 'Dedicated shared PVC name for knowledge bases', { pattern: DNS_SUBDOMAIN }),
            size: str('20Gi', 'Knowledge-base PVC capacity', { pattern: QUANTITY }),
            accessModes: Type.Array(
              Type.Union([
                Type.Literal('ReadWriteOnce'),
                Type.Literal('ReadWriteMany'),
                Type.Literal('ReadOnlyMany'),
                Type.Literal('ReadWriteOncePod'),
              ]),
              { default: ['ReadWriteMany'], minItems: 1, description: 'Knowledge-base PVC access modes' },
            ),
            storageClassName: str(
              'hostpath',
              'Local-dev fallback; switch to a shared RWX class such as nfs in production',
            ),
          },
          'Knowledge-base storage',
        ),
        workspaceStorage: obj(
          {
            size: str('10Gi', 'Per-workspace PVC size', { pattern: QUANTITY }),
            storageClassName: str('', 'StorageClass for per-workspace PVCs ("" uses global.storageClass)'),
            accessModes: Type.Array(
              Type.Union([Type.Literal('ReadWriteOnce'), Type.Literal('ReadWriteMany'), Type.Literal('ReadWriteOncePod')]),
              { default: ['ReadWriteOnce'], minItems: 1, description: 'Per-workspace PVC access modes' },
            ),
            deleteWithWorkspace: bool(false, 'Delete the workspace PVC when its Workspace is deleted (kept by default)'),
          },
          'Per-workspace storage created by the operator',
        ),
        workspaceDefaults: obj(
          {
            runtime: workspaceComponent(['500m', '512Mi'], ['2000m', '2Gi'], 'runtime'),
            browser: workspaceComponent(['1000m', '1Gi'], ['2000m', '2Gi'], 'browser'),
            canvas: workspaceComponent(['250m', '256Mi'], ['1000m', '512Mi'], 'canvas'),
          },
          'Resources for workspace pods when the Workspace spec sets none',
        ),
      },
      'Workspace scheduling settings read by the manager and the operator',
    ),
    cilium: obj({ enabled: bool(false, 'Create a CiliumNetworkPolicy per workspace group (needs Cilium)') }, 'Cilium'),
    networkPolicy: obj(
      {
        enabled: bool(
          true,
          'Ingress NetworkPolicies for the platform pods: PostgreSQL and Redis accept only their clients, the others only their service ports',
        ),
        ingressController: obj(
          {
            namespaceLabels: labelMap(
              'Labels of the namespace the ingress controller runs in',
              { 'kubernetes.io/metadata.name': 'ingress-nginx' },
              { minProperties: 1 },
            ),
            podLabels: labelMap('Labels of the ingress controller pods (maps merge with the defaults: set a default key to null to drop it)', {
              'app.kubernetes.io/name': 'ingress-nginx',
            }),
          },
          'The only pods, besides the workspace manager and the workspace itself, that may connect to workspace pods (their public ports only)',
        ),
      },
      'Platform NetworkPolicies (needs a CNI that enforces them)',
    ),
    firewall: obj(
      {
        defaults: obj(
          {
            workspace: firewallGroup(
              [
                'github.com',
                'api.github.com',
                'objects.githubusercontent.com',
                'raw.githubusercontent.com',
                'registry.npmjs.org',
                'npmjs.com',
                'pypi.org',
                'files.pythonhosted.org',
                'api.anthropic.com',
              ],
              'workspace runtime',
            ),
            browser: firewallGroup(['github.com', 'google.com', 'gstatic.com', 'googleapis.com'], 'workspace browser'),
          },
          'Default domain allowlists',
        ),
      },
      'Workspace firewall',
    ),
    frontend: obj(
      {
        enabled: bool(true, 'Enable the frontend'),
        image: image('ailerondocker/workspace-ui', APP_VERSION, 'Frontend'),
        ...podSettings(1),
        resources: resources(['100m', '128Mi'], ['500m', '256Mi'], 'Frontend container resources'),
      },
      'Frontend (nginx serving the UI)',
    ),
    workspaceManager: obj(
      {
        enabled: bool(true, 'Enable the workspace manager'),
        image: image('ailerondocker/workspace-manager', APP_VERSION, 'Workspace manager'),
        ...podSettings(1),
        resources: resources(['250m', '256Mi'], ['1000m', '512Mi'], 'Workspace manager container resources'),
        env: stringMap(
          'Extra environment; credentials (SECRET_KEY, *PASSWORD*, *TOKEN*, DATABASE_URL, REDIS_URL, CELERY_*, URLs with user:pass@) go to a Secret, never plain env',
        ),
        existingSecret: existingSecret('SECRET_KEY (and any secret-like env keys)'),
      },
      'Workspace manager (API)',
    ),
    workspaceOperator: obj(
      {
        enabled: bool(true, 'Enable the workspace operator'),
        image: image('ailerondocker/workspace-operator', APP_VERSION, 'Workspace operator'),
        ...podSettings(1),
        resources: resources(['100m', '128Mi'], ['500m', '256Mi'], 'Workspace operator container resources'),
        leaderElection: bool(true, 'Elect one active replica through a Lease'),
        workers: int(4, 'Workspaces reconciled in parallel', { minimum: 1, maximum: 64 }),
        apiQps: int(50, 'Client-side limit on Kubernetes API requests per second (bursts to twice this)', { minimum: 1, maximum: 5000 }),
        logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], {
          default: 'info',
          description: 'Operator log level',
        }),
      },
      'Workspace operator',
    ),
    keycloak: obj(
      {
        enabled: bool(true, 'Enable the bundled Keycloak'),
        image: image('quay.io/keycloak/keycloak', '26.0.7', 'Keycloak'),
        ...podSettings(1),
        resources: resources(['500m', '512Mi'], ['1000m', '1Gi'], 'Keycloak container resources'),
        auth: obj(
          {
            adminUser: str('admin', 'Keycloak admin user', { minLength: 1 }),
            adminPassword: str('', 'Keycloak admin password; "" generates a strong one'),
            existingSecret: existingSecret('admin-user and admin-password'),
          },
          'Keycloak admin credentials',
        ),
        realm: str('aileron', 'Realm imported at start', { pattern: '^[A-Za-z0-9_-]+$' }),
        clientId: str('aileron', 'OIDC client id of the platform in that realm', { minLength: 1 }),
        env: stringMap('Extra Keycloak environment (for example KC_HOSTNAME_STRICT)'),
      },
      'Keycloak (OIDC)',
    ),
    coturn: obj(
      {
        enabled: bool(true, 'Enable the TURN server'),
        image: image('coturn/coturn', '4.6.3', 'CoTURN'),
        port: int(3478, 'coturn listening port (inside the container, on the node with hostNetwork)', {
          minimum: 1,
          maximum: 65535,
        }),
        nodePort: int(30478, 'K8s NodePort', { minimum: 30000, maximum: 32767 }),
        host: str('192.168.65.3', 'Externally reachable node IP, v4 or v6 (backend: pods reach TURN here; the one private address workspaces may reach)', {
          pattern: IP_ADDRESS,
        }),
        frontendHost: str('', 'IP browsers use to reach TURN; "" falls back to host'),
        username: str('aileron', 'TURN username', { minLength: 1 }),
        credential: str('', 'TURN credential; "" generates a strong one'),
        existingSecret: existingSecret('username and credential'),
        realm: str('aileron.localhost', 'TURN realm', { minLength: 1 }),
        minRelayPort: int(49152, 'First UDP relay port', { minimum: 1024, maximum: 65535 }),
        maxRelayPort: int(65535, 'Last UDP relay port', { minimum: 1024, maximum: 65535 }),
        ...podSettings(undefined),
        resources: resources(['100m', '64Mi'], ['500m', '128Mi'], 'CoTURN container resources'),
      },
      'CoTURN (WebRTC relay for the workspace browser)',
    ),
    postgres: obj(
      {
        enabled: bool(true, 'Enable the bundled PostgreSQL'),
        image: image('postgres', '16.6', 'PostgreSQL'),
        ...podSettings(undefined),
        resources: resources(['250m', '256Mi'], ['1000m', '1Gi'], 'PostgreSQL container resources'),
        auth: obj(
          {
            username: str('postgres', 'DB user', { pattern: '^[a-z_][a-z0-9_]*$' }),
            password: str('', 'DB password; "" generates a strong one'),
            appDatabase: str('aileron', 'Application DB', { pattern: '^[a-z_][a-z0-9_]*$' }),
            keycloakDatabase: str('keycloak', 'Keycloak DB', { pattern: '^[a-z_][a-z0-9_]*$' }),
            existingSecret: existingSecret('postgres-password'),
          },
          'PostgreSQL credentials',
        ),
        persistence: persistence('10Gi', 'PostgreSQL'),
      },
      'PostgreSQL',
    ),
    crds: obj(
      {
        upgradeWithRelease: bool(
          false,
          'Helm only: render the Workspace CRD as a template so helm upgrade updates it (install with --skip-crds); kept on uninstall',
        ),
      },
      'CRD handling (Helm never upgrades crds/)',
    ),
    tests: obj(
      { image: image('curlimages/curl', '8.11.1', '`helm test`') },
      '`helm test` hook (Helm only): checks the manager and Keycloak through their Services',
    ),
    redis: obj(
      {
        enabled: bool(true, 'Enable the bundled Redis'),
        image: image('redis', '7.4.1', 'Redis'),
        ...podSettings(undefined),
        resources: resources(['100m', '128Mi'], ['500m', '256Mi'], 'Redis container resources'),
        auth: obj(
          {
            password: str('', 'Redis password; "" generates a strong one'),
            existingSecret: existingSecret('redis-password'),
          },
          'Redis credentials (auth is always on)',
        ),
        persistence: persistence('5Gi', 'Redis'),
      },
      'Redis',
    ),
  },
  { additionalProperties: false, $id: 'https://aileron.io/schemas/aileron-values.json', title: 'aileron values' },
);

export type Values = Static<typeof ValuesSchema>;
export type Resources = Values['frontend']['resources'];
export type ImageValues = Values['frontend']['image'];
