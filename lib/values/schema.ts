/**
 * The values model: one TypeBox definition gives both the JSON Schema (for ajv,
 * `values.schema.json` and the README reference) and the TypeScript type.
 * Every key of the upstream chart is here with its default, except
 * where the production guide overrides it; README lists those.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import pkg from '../../package.json' with { type: 'json' };
import { DURATION_PATTERN } from './duration.js';
import { BANDWIDTH_PATTERN } from '../workspace/spec-rules.js';

/** One version source, package.json: the chart's version, and the appVersion its own image's tag pins to. */
export const CHART_VERSION: string = pkg.version;
export const APP_VERSION = `v${pkg.version}`;
/** The operator image this project publishes (.github/workflows/release.yaml); upstream's operator is another program. */
export const OPERATOR_IMAGE = 'ghcr.io/aileron-k8s/aileron-k8s-operator';
/** upstream's own operator image, which `migrate` rewrites to ours. */
export const UPSTREAM_OPERATOR_IMAGE = 'ailerondocker/workspace-operator';
/** The postgres user of the Debian-based images. */
export const POSTGRES_UID = 999;

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** A hostname that may hold the `{baseDomain}` / `{workspaceId}` placeholders: lowercase, labels start and end alphanumeric. */
const HOST_CHAR = '([a-z0-9]|\\{baseDomain\\}|\\{workspaceId\\})';
const HOST_LABEL = `(\\*|${HOST_CHAR}((-|${HOST_CHAR})*${HOST_CHAR})?)`;
const HOST_PATTERN = `^${HOST_LABEL}(\\.${HOST_LABEL})*$`;
const QUANTITY = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
/** A CPU amount above zero (a limit of 0 is refused by the API server). */
const POSITIVE_CPU = '^(0*[1-9][0-9]*(\\.[0-9]+)?|0*\\.[0-9]*[1-9][0-9]*)m?$';
/** Whole bytes: memory and storage (500m of memory is a fraction of a byte). */
const BYTES = '^[0-9]+(\\.[0-9]+)?(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
/** Whole bytes above zero: volume sizes and memory limits. */
const POSITIVE_BYTES = '^(0*[1-9][0-9]*(\\.[0-9]+)?|0*\\.[0-9]*[1-9][0-9]*)(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
/** A DNS subdomain (StorageClass, Secret, IngressClass, ClusterIssuer names), or "" for none. */
const OPTIONAL_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$';
/** Environment variable names as Kubernetes has always accepted them. */
const ENV_NAME = '^[-._a-zA-Z][-._a-zA-Z0-9]*$';
/** No control characters (they break YAML, logs and the realm JSON). */
const PRINTABLE = '^[^\\x00-\\x1f\\x7f]*$';
/** A DNS label, or "" for the default name. */
const OPTIONAL_LABEL = `^(|${DNS_LABEL.slice(1, -1)})$`;
/** One folder name inside a volume (no "..", no "/"), or "" for the volume root. */
const SUBDIRECTORY = '^([A-Za-z0-9_-][A-Za-z0-9_.-]*)?$';
/** A bandwidth in bits per second (`50M`, `1G`), or "" for none. */
const OPTIONAL_BANDWIDTH = `^(${BANDWIDTH_PATTERN.slice(1, -1)})?$`;
/** A Prometheus duration (`30s`, `15m`, `1h30m`). */
const PROMETHEUS_DURATION = '^([0-9]+(ms|s|m|h|d|w|y))+$';
/** A Gateway API Duration (GEP-2257: number-unit pairs of h, m, s and ms), or "" for none. */
const GATEWAY_DURATION = '^(|([0-9]{1,5}(h|m|s|ms)){1,4})$';
const IMAGE_TAG = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';
/** A sha256 content digest, or "" for none. */
const IMAGE_DIGEST = '^(|sha256:[a-f0-9]{64})$';
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
/** Passwords: printable (a newline would add lines to config files such as coturn's), bounded. */
const SECRET_TEXT = { pattern: PRINTABLE, maxLength: 1024 };
/** An image reference: no whitespace. */
const IMAGE_REF = { pattern: '^[^\\s]+$', maxLength: 512 };
/** A host name or an IP address. */
const HOST_OR_IP = `^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*|${IPV4}|${IPV6})$`;

/** Loopback, unspecified, link-local (cloud metadata) and multicast addresses: never a TURN server workspaces may reach. */
export const NOT_A_TURN_HOST = '^(0\\.|127\\.|169\\.254\\.|2(2[4-9]|3[0-9])\\.|::$|::1$|[fF][eE][89aAbB][0-9a-fA-F]?:|[fF][fF][0-9a-fA-F]{0,2}:)';
/** Kubernetes label keys ([prefix/]name) and values. */
export const LABEL_KEY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

/** What each pattern means, for error messages (a regex is no help to a user). */
export const PATTERN_HINTS: Record<string, string> = {
  [DURATION_PATTERN]: 'a duration such as 2h, 90m, 1h30m or 45s, or 0 for never',
  [DNS_LABEL]: 'a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit',
  [DNS_SUBDOMAIN]: 'a DNS name: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit',
  [OPTIONAL_LABEL]: 'a DNS label (lowercase letters, digits and "-"), or "" for the default name',
  [SUBDIRECTORY]: 'one folder name (letters, digits, "_", "-" and ".", not starting with "."), or "" for the volume root',
  [PROMETHEUS_DURATION]: 'a Prometheus duration such as 30s, 15m or 1h30m',
  [OPTIONAL_BANDWIDTH]: 'bits per second such as 50M or 1G, or "" for no limit',
  [GATEWAY_DURATION]: 'a duration such as 0s, 30m or 1h (up to four number-unit pairs of h, m, s, ms), or "" for none',
  [OPTIONAL_NAME]: 'a Kubernetes object name (lowercase letters, digits, "-" and "."), or "" for none',
  [HOST_PATTERN]: 'a lowercase host name, where {baseDomain} and {workspaceId} may stand for parts',
  [QUANTITY]: 'a quantity such as 500m, 2 or 1Gi',
  [POSITIVE_CPU]: 'a CPU amount above zero, such as 500m or 2',
  [BYTES]: 'whole bytes, such as 512Mi or 1Gi (not 500m)',
  [POSITIVE_BYTES]: 'whole bytes above zero, such as 10Gi',
  [IMAGE_TAG]: 'an image tag: letters, digits, "_", "." and "-", at most 128',
  [IMAGE_DIGEST]: 'an image digest: sha256: and 64 lowercase hex digits, or "" for none',
  [IP_ADDRESS]: 'an IPv4 or IPv6 address (policies need an address, not a name)',
  [LABEL_KEY]: 'a label key: [prefix/]name, the name of letters, digits, "-", "_" and "." and at most 63 characters',
  [LABEL_VALUE]: 'a label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
  [ENV_NAME]: 'an environment variable name: letters, digits, "_", "-" and ".", not starting with a digit',
  [PRINTABLE]: 'printable text, without control characters or line breaks',
  [IMAGE_REF.pattern]: 'an image reference without spaces',
  [HOST_OR_IP]: 'a host name or an IP address',
  [`not ${NOT_A_TURN_HOST}`]:
    'loopback, link-local (cloud metadata lives there), unspecified or multicast; give the node or load-balancer address pods and browsers reach TURN at',
};

const str = (def: string, description: string, extra: object = {}) =>
  Type.String({ default: def, description, ...extra });
const bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
const int = (def: number, description: string, extra: object = {}) =>
  Type.Integer({ default: def, description, ...extra });
const obj = <P extends Record<string, TSchema>>(props: P, description: string) =>
  Type.Object(props, { additionalProperties: false, description, default: {} });
/** An environment map: keys are variable names. `__proto__` is refused by name, as JavaScript would eat it. */
const envMap = (description: string) =>
  Type.Record(Type.String(), Type.String({ maxLength: 32768 }), {
    default: {},
    description,
    maxProperties: 128,
    propertyNames: { pattern: ENV_NAME, maxLength: 256, not: { const: '__proto__' } },
  });
/** Annotations: label-syntax keys; at most 32 values of 7500 characters keeps them under the API's 256 KiB. */
const annotationMap = (description: string, def: Record<string, string> = {}) =>
  Type.Record(Type.String(), Type.String({ maxLength: 7500 }), {
    default: def,
    description,
    maxProperties: 32,
    propertyNames: { pattern: LABEL_KEY, maxLength: 317 },
  });
/** A label map (selectors, pod labels): keys and values as the API server accepts them. */
const labelMap = (description: string, def: Record<string, string> = {}, extra: object = {}) =>
  Type.Record(Type.String(), Type.String({ pattern: LABEL_VALUE, maxLength: 63 }), {
    default: def,
    description,
    propertyNames: { pattern: LABEL_KEY, maxLength: 317 },
    ...extra,
  });

const quantity = (pattern: string) => Type.Optional(Type.String({ pattern, maxLength: 32 }));
const Requests = Type.Object(
  { cpu: quantity(QUANTITY), memory: quantity(BYTES), 'ephemeral-storage': quantity(BYTES) },
  { additionalProperties: false },
);
const Limits = Type.Object(
  { cpu: quantity(POSITIVE_CPU), memory: quantity(POSITIVE_BYTES), 'ephemeral-storage': quantity(POSITIVE_BYTES) },
  { additionalProperties: false },
);
const resources = (req: [string, string], lim: [string, string], description: string) =>
  Type.Object(
    { requests: Type.Optional(Requests), limits: Type.Optional(Limits) },
    {
      additionalProperties: false,
      description,
      default: { requests: { cpu: req[0], memory: req[1] }, limits: { cpu: lim[0], memory: lim[1] } },
    },
  );

const image = (repository: string, tag: string, what: string) =>
  obj(
    {
      repository: str(repository, `${what} image repository`, { minLength: 1, maxLength: 255, pattern: '^[a-z0-9]([-a-z0-9._:/]*[a-z0-9])?$' }),
      tag: str(tag, `${what} image tag (pinned; never "latest")`, { pattern: IMAGE_TAG }),
      digest: str('', `${what} image digest (sha256:...); when set the image is pulled by it, the tag kept for readers`, {
        pattern: IMAGE_DIGEST,
      }),
      pullPolicy: Type.Union([Type.Literal('IfNotPresent'), Type.Literal('Always'), Type.Literal('Never')], {
        default: 'IfNotPresent',
        description: `${what} image pull policy`,
      }),
    },
    `${what} image`,
  );

/** Scheduling and pod knobs every platform workload shares. */
/** A HorizontalPodAutoscaler on CPU for a stateless component; with it on, the Deployment leaves replicas to it. */
const autoscaling = (what: string) =>
  obj(
    {
      enabled: bool(false, `Scale the ${what} with a HorizontalPodAutoscaler on CPU; the Deployment then leaves replicas (and replicaCount) to it`),
      minReplicas: int(2, 'Fewest replicas (2 or more keeps one serving through a node drain)', { minimum: 1, maximum: 100 }),
      maxReplicas: int(5, 'Most replicas', { minimum: 1, maximum: 100 }),
      targetCPUUtilizationPercentage: int(75, 'Average CPU use the autoscaler aims at, in percent of the CPU request', { minimum: 1, maximum: 100 }),
    },
    `Autoscaling of the ${what}`,
  );

const podSettings = (replicas: number | undefined) => ({
  ...(replicas === undefined ? {} : { replicaCount: int(replicas, 'Replica count', { minimum: 0, maximum: 100 }) }),
  nodeSelector: labelMap('Node labels the pods must match', {}, { maxProperties: 32 }),
  tolerations: Type.Array(
    Type.Object(
      {
        key: Type.Optional(Type.String({ maxLength: 317 })),
        operator: Type.Optional(Type.Union([Type.Literal('Exists'), Type.Literal('Equal')])),
        value: Type.Optional(Type.String({ maxLength: 63 })),
        effect: Type.Optional(Type.Union([Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')])),
        tolerationSeconds: Type.Optional(Type.Integer()),
      },
      { additionalProperties: false },
    ),
    { default: [], maxItems: 64, description: 'Pod tolerations' },
  ),
  affinity: Type.Object(
    {
      nodeAffinity: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      podAffinity: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      podAntiAffinity: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { additionalProperties: false, default: {}, description: 'Pod affinity rules (nodeAffinity, podAffinity, podAntiAffinity)' },
  ),
  podAnnotations: annotationMap('Extra annotations on the pods'),
  podLabels: labelMap('Extra labels on the pods (the chart\'s own labels win, so selectors keep matching)', {}, { maxProperties: 32 }),
  priorityClassName: str('', 'PriorityClass of the pods ("" = the cluster default)', { pattern: OPTIONAL_NAME, maxLength: 253 }),
  topologySpreadConstraints: Type.Array(
    Type.Object(
      {
        maxSkew: Type.Integer({ minimum: 1 }),
        topologyKey: Type.String({ pattern: LABEL_KEY, maxLength: 317 }),
        whenUnsatisfiable: Type.Union([Type.Literal('DoNotSchedule'), Type.Literal('ScheduleAnyway')]),
        labelSelector: Type.Optional(
          Type.Object(
            {
              matchLabels: Type.Optional(Type.Record(Type.String(), Type.String({ pattern: LABEL_VALUE, maxLength: 63 }))),
              matchExpressions: Type.Optional(
                Type.Array(
                  Type.Object(
                    {
                      key: Type.String({ pattern: LABEL_KEY, maxLength: 317 }),
                      operator: Type.Union([Type.Literal('In'), Type.Literal('NotIn'), Type.Literal('Exists'), Type.Literal('DoesNotExist')]),
                      values: Type.Optional(Type.Array(Type.String({ pattern: LABEL_VALUE, maxLength: 63 }))),
                    },
                    { additionalProperties: false },
                  ),
                ),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        minDomains: Type.Optional(Type.Integer({ minimum: 1 })),
        matchLabelKeys: Type.Optional(Type.Array(Type.String({ pattern: LABEL_KEY, maxLength: 317 }))),
        nodeAffinityPolicy: Type.Optional(Type.Union([Type.Literal('Honor'), Type.Literal('Ignore')])),
        nodeTaintsPolicy: Type.Optional(Type.Union([Type.Literal('Honor'), Type.Literal('Ignore')])),
      },
      { additionalProperties: false },
    ),
    {
      default: [],
      maxItems: 8,
      description: 'How the pods spread over zones or nodes (labelSelector defaults to the component\'s own pods)',
    },
  ),
});

/** The Service in front of a component (Helm convention). The Ingress follows it by port name. */
const serviceSettings = (port: number, what: string) =>
  obj(
    {
      type: Type.Union([Type.Literal('ClusterIP'), Type.Literal('NodePort'), Type.Literal('LoadBalancer')], {
        default: 'ClusterIP',
        description: 'Service type',
      }),
      port: int(port, 'Service port (the container port does not change)', { minimum: 1, maximum: 65535 }),
      annotations: annotationMap('Annotations on the Service (cloud load balancers read these)'),
    },
    `${what} Service`,
  );

/** The ServiceAccount of a component that calls the Kubernetes API (its RBAC binds to it). */
const serviceAccountSettings = (what: string) =>
  obj(
    {
      create: bool(true, `Create the ${what} ServiceAccount; false uses an existing one, named in name`),
      name: str('', 'ServiceAccount name ("" = <fullname>-<component>); required when create is false', {
        pattern: OPTIONAL_NAME,
        maxLength: 253,
      }),
    },
    `${what} ServiceAccount (Helm convention)`,
  );

const persistence = (size: string, what: string) =>
  obj(
    {
      enabled: bool(true, `Keep ${what} data on a PersistentVolumeClaim (an emptyDir otherwise)`),
      size: str(size, `${what} volume size`, { pattern: POSITIVE_BYTES, maxLength: 32 }),
      storageClass: str('', 'StorageClass for the volume ("" uses global.storageClass, then the cluster default)', {
        pattern: OPTIONAL_NAME,
        maxLength: 253,
      }),
      existingClaim: str('', 'An existing PersistentVolumeClaim to keep the data on (an upstream release\'s, say); "" makes one per StatefulSet', {
        pattern: OPTIONAL_NAME,
        maxLength: 253,
      }),
    },
    `${what} persistence`,
  );

/** A PostgreSQL role or database name: lowercase, unquoted, at most 63 bytes (PostgreSQL's identifier limit). */
const pgName = (def: string, description: string) => str(def, description, { pattern: '^[a-z_][a-z0-9_]*$', maxLength: 63 });

const existingSecret = (keys: string) =>
  str('', `Name of an existing Secret holding ${keys}; when set, no Secret is rendered for these credentials`, {
    pattern: OPTIONAL_NAME,
    maxLength: 253,
  });

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

/** A duration of the workspace lifecycle. */
const duration = (def: string, description: string) => str(def, description, { pattern: DURATION_PATTERN, maxLength: 32 });

/** ResourceQuota hard limits: quantities by resource name (requests.cpu, limits.memory, pods, count/services). */
const quotaMap = (description: string) =>
  Type.Record(Type.String(), Type.Union([Type.String({ pattern: QUANTITY, maxLength: 32 }), Type.Integer({ minimum: 0 })]), {
    default: {},
    description,
    maxProperties: 64,
    propertyNames: { pattern: '^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$', maxLength: 253 },
  });

const workspaceComponent = (req: [string, string], lim: [string, string], what: string) =>
  obj({ resources: resources(req, lim, `Default requests/limits for ${what} containers`) }, `${what} defaults`);

export const ValuesSchema = Type.Object(
  {
    nameOverride: str('', 'Replaces the chart name in object names and the app.kubernetes.io/name label (Helm convention)', {
      pattern: '^([a-z]([-a-z0-9]*[a-z0-9])?)?$',
      maxLength: 30,
    }),
    fullnameOverride: str('', 'Replaces <release>-<name> as the prefix of every object name (Helm convention)', {
      pattern: '^([a-z]([-a-z0-9]*[a-z0-9])?)?$',
      maxLength: 30,
    }),
    global: obj(
      {
        imagePullSecrets: Type.Array(
          Type.Object({ name: Type.String({ pattern: DNS_SUBDOMAIN }) }, { additionalProperties: false }),
          { default: [], description: 'Image pull secrets for every pod' },
        ),
        storageClass: str('', 'Default StorageClass for every PVC ("" = cluster default)', { pattern: OPTIONAL_NAME, maxLength: 253 }),
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
        className: str('nginx', 'IngressClass name ("" = the cluster default)', { pattern: OPTIONAL_NAME, maxLength: 253 }),
        annotations: annotationMap('Annotations on the platform and workspace Ingresses (ingress-nginx WebSocket timeouts by default; its nginx.ingress.kubernetes.io/ keys only where className is nginx or "")', {
          'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
          'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
          'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
        }),
        tls: Type.Array(
          Type.Object(
            {
              secretName: Type.String({ pattern: DNS_SUBDOMAIN, maxLength: 253 }),
              hosts: Type.Array(Type.String({ pattern: HOST_PATTERN }), { default: [] }),
            },
            { additionalProperties: false },
          ),
          { default: [], description: 'TLS for the platform Ingress' },
        ),
        workspaceTls: obj(
          {
            secretName: str('', 'Wildcard TLS Secret for workspace hosts; "" uses the first ingress.tls entry with a wildcard host', {
              pattern: OPTIONAL_NAME,
              maxLength: 253,
            }),
            clusterIssuer: str('', 'cert-manager ClusterIssuer that issues a certificate per workspace Ingress', {
              pattern: OPTIONAL_NAME,
              maxLength: 253,
            }),
          },
          'TLS for the per-workspace Ingresses when publicRouting.scheme is https',
        ),
      },
      'Ingress settings',
    ),
    gatewayAPI: obj(
      {
        enabled: bool(false, 'Route the platform hosts (frontend, manager, Keycloak, sign-in callback) and every workspace host through Gateway API HTTPRoutes, attached to parentRefs'),
        parentRefs: Type.Array(
          Type.Object(
            {
              name: Type.String({ pattern: DNS_SUBDOMAIN, maxLength: 253 }),
              namespace: Type.String({ pattern: DNS_LABEL, maxLength: 63 }),
              sectionName: Type.Optional(Type.String({ pattern: DNS_SUBDOMAIN, maxLength: 253 })),
            },
            { additionalProperties: false },
          ),
          {
            default: [],
            description: 'The Gateways the routes attach to: {name, namespace, sectionName (default: every listener)}; namespace is required, since routes live in the release namespace and in each workspace namespace. With createGateway, the chart\'s own Gateway is added',
          },
        ),
        createGateway: bool(false, 'Render a Gateway of gatewayClassName in the release namespace (named <fullname>): HTTPS on *.<baseDomain> with the workspace TLS Secret (ingress.workspaceTls, or cert-manager\'s ClusterIssuer), HTTP redirecting to it; plain HTTP when publicRouting.scheme is http'),
        gatewayClassName: str('', 'The GatewayClass of the chart\'s Gateway (eg, envoy-gateway, cilium); required with createGateway', {
          pattern: OPTIONAL_NAME,
          maxLength: 253,
        }),
        implementation: Type.Union([Type.Literal('envoy-gateway'), Type.Literal('cilium'), Type.Literal('other')], {
          default: 'envoy-gateway',
          description:
            'Who runs the Gateway\'s data plane, for the workspace firewall: envoy-gateway and other admit the pods of dataPlane; cilium admits Cilium\'s own Envoy (the "ingress" entity, which only a CiliumNetworkPolicy can name: needs cilium.enabled)',
        }),
        dataPlane: obj(
          {
            namespaceLabels: labelMap('Labels of the namespace the Gateway\'s proxies run in (Envoy Gateway\'s by default)', { 'kubernetes.io/metadata.name': 'envoy-gateway-system' }, { minProperties: 1 }),
            podLabels: labelMap('Labels of the Gateway\'s proxy pods (Envoy Gateway\'s by default; maps merge with the defaults: set a default key to null to drop it)', {
              'app.kubernetes.io/name': 'envoy',
              'app.kubernetes.io/component': 'proxy',
              'app.kubernetes.io/managed-by': 'envoy-gateway',
            }),
          },
          'In Gateway mode, the only pods besides the manager and the workspace itself that may connect to workspace pods (their public ports only), in place of networkPolicy.ingressController',
        ),
        requestTimeout: str('0s', 'HTTPRoute timeouts.request on every route: "0s" turns the timeout off, so terminal, browser and canvas WebSockets stay open; "" leaves it to the implementation (for those without HTTPRouteRequestTimeout support)', {
          pattern: GATEWAY_DURATION,
        }),
      },
      'Gateway API routing (ingress-nginx, the default class of the Ingress, is retired)',
    ),
    kubernetes: obj(
      {
        enabled: bool(
          true,
          'Kubernetes workspaces: the operator, workspace namespaces and the manager\'s Workspace access. false needs provisioner docker',
        ),
        provisioner: Type.Union([Type.Literal('kubernetes'), Type.Literal('docker')], {
          default: 'kubernetes',
          description: 'Default provisioner (RUNTIME_PROVISIONER)',
        }),
        defaultNamespace: str('workspace-system', 'Default workspace namespace (RUNTIME_K8S_NAMESPACE)', {
          pattern: DNS_LABEL,
          maxLength: 63,
        }),
        allowedNamespaces: Type.Array(Type.String({ pattern: DNS_LABEL, maxLength: 63 }), {
          default: ['workspace-system'],
          minItems: 1,
          uniqueItems: true,
          description: 'Namespaces workspaces may run in (RUNTIME_K8S_ALLOWED_NAMESPACES); each must enforce Pod Security "restricted" (the chart labels those it creates)',
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
        nodeAddress: str('127.0.0.1', 'Node address for NodePort URLs (RUNTIME_K8S_NODE_ADDRESS)', { pattern: HOST_OR_IP, maxLength: 253 }),
        pvcName: str('workspace-runtime-pvc', 'Workspace working-directory PVC name (RUNTIME_K8S_PVC_NAME)', {
          pattern: DNS_SUBDOMAIN,
        }),
        runtimeImage: str(`ailerondocker/workspace-runtime:${APP_VERSION}`, 'Workspace runtime image (RUNTIME_K8S_IMAGE)', IMAGE_REF),
        browserImage: str(`ailerondocker/workspace-browser:${APP_VERSION}`, 'Workspace browser image (RUNTIME_K8S_BROWSER_IMAGE)', IMAGE_REF),
        canvasImage: str(`ailerondocker/workspace-canvas:${APP_VERSION}`, 'Workspace canvas image (RUNTIME_K8S_CANVAS_IMAGE)', IMAGE_REF),
        watchNamespace: str('', 'Namespace the operator watches (WATCH_NAMESPACE); "" = all namespaces', {
          pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$',
          maxLength: 63,
        }),
        knowledgeBases: obj(
          {
            pvcName: str('knowledge-bases-pvc', 'Dedicated shared PVC name for knowledge bases', { pattern: DNS_SUBDOMAIN }),
            size: str('20Gi', 'Knowledge-base PVC capacity', { pattern: POSITIVE_BYTES, maxLength: 32 }),
            accessModes: Type.Array(
              Type.Union([
                Type.Literal('ReadWriteOnce'),
                Type.Literal('ReadWriteMany'),
                Type.Literal('ReadOnlyMany'),
                Type.Literal('ReadWriteOncePod'),
              ]),
              { default: ['ReadWriteMany'], minItems: 1, description: 'Knowledge-base PVC access modes' },
            ),
            storageClassName: str('hostpath', 'Local-dev fallback; switch to a shared RWX class such as nfs in production', {
              pattern: OPTIONAL_NAME,
              maxLength: 253,
            }),
          },
          'Knowledge-base storage',
        ),
        workspaceStorage: obj(
          {
            size: str('10Gi', 'Per-workspace PVC size', { pattern: POSITIVE_BYTES, maxLength: 32 }),
            storageClassName: str('', 'StorageClass for per-workspace PVCs ("" uses global.storageClass)', {
              pattern: OPTIONAL_NAME,
              maxLength: 253,
            }),
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
            bandwidth: obj(
              {
                ingress: str('', 'Bits per second into each workspace pod (kubernetes.io/ingress-bandwidth), for example 50M; "" for no limit', { pattern: OPTIONAL_BANDWIDTH, maxLength: 32 }),
                egress: str('', 'Bits per second out of each workspace pod (kubernetes.io/egress-bandwidth), for example 20M; "" for no limit', { pattern: OPTIONAL_BANDWIDTH, maxLength: 32 }),
              },
              'Bandwidth of workspace pods when the Workspace spec sets none (enforced by the CNI: see README)',
            ),
          },
          'Resources for workspace pods when the Workspace spec sets none',
        ),
        maxRunningWorkspacesPerUser: int(0, 'Workspaces one owner (spec.ownerId) may have running at once; a start over it stays Stopped with reason UserLimitReached. 0: no limit', {
          minimum: 0,
          maximum: 100000,
        }),
        maxRunningWorkspaces: int(0, 'Workspaces running at once in the whole cluster (this release\'s operator); a start over it stays Stopped with reason ClusterLimitReached. 0: no limit', {
          minimum: 0,
          maximum: 1000000,
        }),
        namespaceQuota: obj(
          {
            enabled: bool(true, 'A ResourceQuota in every workspace namespace the chart creates, so one namespace\'s workspaces cannot take the cluster'),
            workspaces: int(20, 'How many workspaces at the default sizes (workspaceDefaults, all three components and their sign-in proxies) the quota holds: CPU and memory requests and limits, pods and volume claims are this many times one workspace\'s', {
              minimum: 1,
              maximum: 100000,
            }),
            hard: quotaMap('Hard limits that replace the derived ones key by key, or add others (for example requests.storage: 500Gi, requests.nvidia.com/gpu: 4)'),
          },
          'Per-namespace quota for workspaces',
        ),
        namespaceLimitRange: obj(
          {
            enabled: bool(true, 'A LimitRange in every workspace namespace the chart creates: containers without resources get the runtime\'s defaults'),
            max: Type.Record(Type.String(), Type.String({ pattern: QUANTITY, maxLength: 32 }), {
              default: {},
              description: 'The most one container may ask for as a limit, by resource (cpu, memory, ephemeral-storage; empty: no maximum); a Workspace asking more is refused by the API server',
              propertyNames: { enum: ['cpu', 'memory', 'ephemeral-storage'] },
            }),
          },
          'Per-namespace container defaults for workspaces',
        ),
      },
      'Workspace scheduling settings read by the manager and the operator',
    ),
    workspaceLifecycle: obj(
      {
        idleTimeout: duration('2h', 'Stop a workspace after this long without its owner\'s requests or open WebSockets (0: never); the volume stays'),
        maxAge: duration('0', 'Stop a workspace this long after it started, active or not (0: never)'),
        warnBefore: duration('10m', 'How long before an idle or max-age stop the Workspace shows StoppingSoon and a Warning Event'),
        limits: obj(
          {
            idleTimeout: duration('24h', 'The longest spec.lifecycle.idleTimeout a Workspace may ask for (0: any, including never)'),
            maxAge: duration('0', 'The longest spec.lifecycle.maxAge a Workspace may ask for (0: any, including never)'),
          },
          'What a Workspace may set for itself in spec.lifecycle',
        ),
      },
      'Idle and max-age stops (the operator\'s); a stop keeps the volume, and spec.started: true brings the workspace back',
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
        autoscaling: autoscaling('frontend'),
        resources: resources(['100m', '128Mi'], ['500m', '256Mi'], 'Frontend container resources'),
        service: serviceSettings(80, 'Frontend'),
        env: envMap('Extra plain environment (no credentials: this component has no Secret of its own)'),
      },
      'Frontend (nginx serving the UI)',
    ),
    workspaceManager: obj(
      {
        enabled: bool(true, 'Enable the workspace manager'),
        image: image('ailerondocker/workspace-manager', APP_VERSION, 'Workspace manager'),
        ...podSettings(1),
        autoscaling: autoscaling('workspace manager'),
        resources: resources(['250m', '256Mi'], ['1000m', '512Mi'], 'Workspace manager container resources'),
        service: serviceSettings(3001, 'Workspace manager'),
        env: envMap(
          'Extra environment; credentials (SECRET_KEY, *PASSWORD*, *TOKEN*, DATABASE_URL, REDIS_URL, CELERY_*, URLs with user:pass@) go to a Secret, never plain env',
        ),
        existingSecret: existingSecret('SECRET_KEY (and any secret-like env keys)'),
        serviceAccount: serviceAccountSettings('workspace manager'),
      },
      'Workspace manager (API)',
    ),
    workspaceOperator: obj(
      {
        enabled: bool(true, 'Enable the workspace operator'),
        image: image(OPERATOR_IMAGE, APP_VERSION, 'Workspace operator (this project\'s: operator/Dockerfile)'),
        ...podSettings(1),
        resources: resources(['100m', '256Mi'], ['500m', '512Mi'], 'Workspace operator container resources (peak RSS measured 149 MB through a burst of 10,000 workspaces and 134 MB through a restart over them: see docs/benchmarks.md)'),
        env: envMap('Extra plain environment (no credentials: this component has no Secret of its own)'),
        serviceAccount: serviceAccountSettings('workspace operator'),
        leaderElection: bool(true, 'Elect one active replica through a Lease'),
        workers: int(16, 'Workspaces reconciled in parallel (measured: see docs/benchmarks.md)', { minimum: 1, maximum: 64 }),
        apiQps: int(1000, 'Client-side limit on Kubernetes API requests per second (bursts to twice this); the API server paces beyond that with 429 and Retry-After, which the operator honours (measured: see docs/benchmarks.md)', { minimum: 1, maximum: 5000 }),
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
        image: image('quay.io/keycloak/keycloak', '26.5.6', 'Keycloak (the version the real-Keycloak test imports the realm into)'),
        ...podSettings(1),
        resources: resources(['500m', '512Mi'], ['1000m', '1Gi'], 'Keycloak container resources'),
        service: serviceSettings(8080, 'Keycloak'),
        auth: obj(
          {
            adminUser: str('admin', 'Keycloak admin user', { minLength: 1, maxLength: 255, pattern: PRINTABLE }),
            adminPassword: str('', 'Keycloak admin password; "" generates a strong one', SECRET_TEXT),
            existingSecret: existingSecret('admin-user and admin-password'),
          },
          'Keycloak admin credentials',
        ),
        realm: str('aileron', 'Realm imported at start', { pattern: '^[A-Za-z0-9_-]+$' }),
        clientId: str('aileron', 'OIDC client id of the platform in that realm', { minLength: 1, maxLength: 255, pattern: PRINTABLE }),
        env: envMap('Extra Keycloak environment (for example KC_HOSTNAME_STRICT)'),
      },
      'Keycloak (OIDC)',
    ),
    workspaceAuth: obj(
      {
        enabled: bool(true, 'Put an authenticating proxy (oauth2-proxy) in front of every workspace port, letting in only the Workspace\'s owner (and workspaceAuth.adminGroup); false leaves workspace endpoints open to anyone who knows a host name'),
        image: image('quay.io/oauth2-proxy/oauth2-proxy', 'v7.15.6', 'oauth2-proxy (7.15.2 fixed authentication bypasses; see the README)'),
        ownerClaim: str('sub', 'Token claim matched against a Workspace\'s spec.ownerId', { pattern: '^[A-Za-z0-9_.:-]{1,128}$' }),
        adminGroup: str('', 'Keycloak group whose members may open every workspace ("" = none); they get the realm role aileron-workspace-admin', {
          pattern: '^([A-Za-z0-9_.-]{1,64})?$',
        }),
        callbackHost: str('auth.{baseDomain}', 'The one host Keycloak redirects to after sign-in (Keycloak refuses wildcard hosts in redirect URIs)', { pattern: HOST_PATTERN }),
        clientId: str('aileron-workspaces', 'OIDC client of the workspace proxies (a confidential client in the bundled realm)', { pattern: '^[A-Za-z0-9_.:-]{1,128}$' }),
        clientSecret: str('', 'OIDC client secret; "" generates a strong one (the bundled realm imports it)', SECRET_TEXT),
        cookieSecret: str('', 'Cookie encryption key (16, 24 or 32 characters); "" generates one, kept across upgrades', {
          pattern: '^(|.{16}|.{24}|.{32})$',
        }),
        existingSecret: existingSecret('client-secret and cookie-secret'),
        issuerUrl: str('', 'OIDC issuer of an external IdP; "" uses the bundled Keycloak\'s realm (required when keycloak.enabled is false)', {
          pattern: '^(|https?://[^\\s]+)$',
          maxLength: 512,
        }),
        sessionLifetimeSeconds: int(3600, 'How long a sign-in lasts on workspace hosts (the cookie, and the client\'s token lifespan in the bundled realm)', {
          minimum: 300,
          maximum: 86400,
        }),
        proxy: obj(
          { resources: resources(['10m', '32Mi'], ['200m', '64Mi'], 'Resources of the proxy container in each workspace pod') },
          'The proxy in each workspace pod',
        ),
        ...podSettings(1),
        resources: resources(['10m', '32Mi'], ['200m', '64Mi'], 'Resources of the sign-in callback proxy (a Deployment on callbackHost)'),
      },
      'Owner-only access to workspace endpoints: an oauth2-proxy in every workspace pod, signed in through Keycloak',
    ),
    coturn: obj(
      {
        enabled: bool(true, 'Enable the TURN server'),
        image: image('coturn/coturn', '4.17.0', 'CoTURN'),
        port: int(3478, 'coturn listening port (inside the container, on the node with hostNetwork)', {
          minimum: 1,
          maximum: 65535,
        }),
        nodePort: int(30478, 'K8s NodePort', { minimum: 30000, maximum: 32767 }),
        host: str('192.168.65.3', 'Externally reachable node IP, v4 or v6 (backend: pods reach TURN here; the one private address workspaces may reach)', {
          pattern: IP_ADDRESS,
          not: { pattern: NOT_A_TURN_HOST },
        }),
        externalIp: str('', 'Address coturn advertises for its relays (--external-ip), when the node reaches the world through another IP; "" uses host', {
          pattern: `^(|${IP_ADDRESS.slice(1, -1)})$`,
        }),
        frontendHost: str('', 'Address browsers use to reach TURN (IP or host name); "" falls back to host', {
          pattern: `^(|${HOST_OR_IP.slice(1, -1)})$`,
          maxLength: 253,
        }),
        username: str('aileron', 'TURN username', { minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$' }),
        credential: str('', 'TURN credential; "" generates a strong one', SECRET_TEXT),
        existingSecret: existingSecret('username and credential'),
        serviceName: str('', 'Name of the TURN Service; "" is <fullname>-coturn. `migrate --from-release` keeps an upstream release\'s, so its NodePort passes over in place', {
          pattern: OPTIONAL_LABEL,
          maxLength: 63,
        }),
        namespace: str('', 'Namespace CoTURN runs in; "" is <release>-turn. Its hostNetwork needs Pod Security "privileged" there, so the release namespace can enforce "restricted". `migrate --from-release` sets the release namespace, keeping an upstream NodePort in place', {
          pattern: OPTIONAL_LABEL,
          maxLength: 63,
        }),
        createNamespace: bool(true, 'Create coturn.namespace (labelled Pod Security "privileged", auditing at "restricted") unless it is the release namespace; false when it exists already'),
        realm: str('aileron.localhost', 'TURN realm', { minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$' }),
        minRelayPort: int(49152, 'First UDP relay port', { minimum: 1024, maximum: 65535 }),
        maxRelayPort: int(65535, 'Last UDP relay port', { minimum: 1024, maximum: 65535 }),
        ...podSettings(undefined),
        resources: resources(['100m', '64Mi'], ['500m', '128Mi'], 'CoTURN container resources'),
        env: envMap('Extra plain environment (no credentials: this component has no Secret of its own)'),
      },
      'CoTURN (WebRTC relay for the workspace browser)',
    ),
    postgres: obj(
      {
        enabled: bool(true, 'Enable the bundled PostgreSQL'),
        image: image('postgres', '16.14', 'PostgreSQL (16.12 and later carry the February 2026 security fixes)'),
        ...podSettings(undefined),
        resources: resources(['250m', '256Mi'], ['1000m', '1Gi'], 'PostgreSQL container resources'),
        env: envMap('Extra plain environment (no credentials: this component has no Secret of its own)'),
        auth: obj(
          {
            username: pgName('postgres', 'DB superuser: the bootstrap Job alone connects as it'),
            password: str('', 'DB superuser password; "" generates a strong one', SECRET_TEXT),
            appUsername: pgName('aileron', 'Role the workspace manager connects as, owner of appDatabase only (its password: key app-password)'),
            keycloakUsername: pgName('keycloak', 'Role Keycloak connects as, owner of keycloakDatabase only (its password: key keycloak-password)'),
            appDatabase: pgName('aileron', 'Application DB'),
            keycloakDatabase: pgName('keycloak', 'Keycloak DB'),
            existingSecret: existingSecret('postgres-password, app-password and keycloak-password'),
          },
          'PostgreSQL credentials',
        ),
        persistence: persistence('10Gi', 'PostgreSQL'),
        dataSubdirectory: str('pgdata', 'Folder of the volume that holds the data (PGDATA); "" is the volume root, where the upstream chart keeps it', {
          pattern: SUBDIRECTORY,
          maxLength: 64,
        }),
        runAsUser: int(POSTGRES_UID, 'User id the server runs as, which must own the data: 999 in the Debian-based images, 70 in the -alpine ones (the upstream chart\'s)', {
          minimum: 1,
          maximum: 2147483647,
        }),
      },
      'PostgreSQL',
    ),
    metrics: obj(
      {
        serviceMonitor: obj(
          {
            enabled: bool(false, 'A prometheus-operator ServiceMonitor for the workspace operator (and Keycloak\'s management /metrics): needs the monitoring.coreos.com CRDs'),
            interval: str('30s', 'Scrape interval', { pattern: PROMETHEUS_DURATION, maxLength: 32 }),
            labels: labelMap('Labels your Prometheus selects ServiceMonitors and PrometheusRules by (kube-prometheus-stack: release: <its release>)'),
            keycloak: bool(true, 'Scrape Keycloak\'s metrics too (its management port, 9000)'),
          },
          'Prometheus scraping',
        ),
        prometheusRule: obj(
          {
            enabled: bool(false, 'A PrometheusRule with the operator\'s alerts (runbook: README, Alerts)'),
            workspaceFailedFor: str('15m', 'How long workspaces may stay Failed or Degraded before an alert', { pattern: PROMETHEUS_DURATION, maxLength: 32 }),
            startP95Seconds: int(300, 'Alert when the 95th percentile of Workspace creation to Running exceeds this many seconds', { minimum: 1, maximum: 86400 }),
            reconcileErrorPercent: int(10, 'Alert when more than this share of reconciles fail, in percent', { minimum: 1, maximum: 100 }),
            throttledPerSecond: int(1, 'Alert when the API server answers the operator with 429 more often than this, per second, for 15 minutes', { minimum: 1, maximum: 10000 }),
          },
          'Alerts',
        ),
        dashboard: obj(
          {
            enabled: bool(false, 'A Grafana dashboard as a ConfigMap, for the Grafana sidecar (grafana_dashboard label)'),
            labels: labelMap('Labels the Grafana sidecar finds dashboards by', { grafana_dashboard: '1' }),
          },
          'Grafana dashboard',
        ),
        scrapers: obj(
          {
            namespaceLabels: labelMap('Labels of the namespace Prometheus runs in ({}: any namespace)'),
            podLabels: labelMap('Labels of the Prometheus pods', { 'app.kubernetes.io/name': 'prometheus' }),
          },
          'Who may scrape Keycloak\'s management port (its NetworkPolicy); the operator\'s metrics port is open to the cluster',
        ),
      },
      'Monitoring with prometheus-operator and Grafana',
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
      { image: image('curlimages/curl', '8.21.0', '`helm test`') },
      '`helm test` hook (Helm only): checks the manager and Keycloak through their Services',
    ),
    redis: obj(
      {
        enabled: bool(true, 'Enable the bundled Redis'),
        image: image('redis', '7.4.6', 'Redis (7.4.6 fixed CVE-2025-49844, code execution through Lua)'),
        ...podSettings(undefined),
        resources: resources(['100m', '128Mi'], ['500m', '256Mi'], 'Redis container resources'),
        env: envMap('Extra plain environment (no credentials: this component has no Secret of its own)'),
        auth: obj(
          {
            password: str('', 'Redis password; "" generates a strong one', SECRET_TEXT),
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
