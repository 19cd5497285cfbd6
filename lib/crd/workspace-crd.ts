/**
 * The `workspaces.platform.aileron.io` CRD: spec and status from the upstream chart's
 * example and status table, validated by the API server so a bad Workspace
 * is refused with the field named, before the operator ever sees it.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MAX_WORKSPACE_ID_LENGTH, WORKSPACE_ID_PATTERN } from '../values/hosts.js';
import {
  BANDWIDTH_PATTERN,
  BANDWIDTH_RANGE,
  BYTE_QUANTITY_PATTERN,
  BYTE_RESOURCES,
  DNS_SUBDOMAIN,
  EXTENDED_RESOURCE_PATTERN,
  OPERATOR_ENV,
  OWNER_ID_PATTERN,
  RESERVED_PATHS,
  STANDARD_RESOURCES,
  WORKSPACE_PATH_PATTERN,
} from '../workspace/spec-rules.js';
import { DURATION_PATTERN } from '../values/duration.js';

export const WORKSPACE_API_GROUP = 'platform.aileron.io';
export const WORKSPACE_VERSION = 'v1alpha1';
export const WORKSPACE_KIND = 'Workspace';
export const WORKSPACE_RESOURCE = 'workspaces';
export const WORKSPACE_CRD_NAME = `${WORKSPACE_RESOURCE}.${WORKSPACE_API_GROUP}`;

export const PROVISIONERS = ['kubernetes', 'docker'] as const;
export const DOMAIN_ACCESS_MODES = ['specific', 'all'] as const;
export const WORKSPACE_PHASES = ['Pending', 'Reconciling', 'Running', 'Stopped', 'Failed'] as const;
/** Set by the operator when it stops a Workspace itself: idle or max-age (a user's own stop leaves it unset). */
export const STOPPED_BY_ANNOTATION = 'platform.aileron.io/stopped-by';

type Schema = Record<string, unknown>;

const HOSTNAME = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const obj = (description: string, properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  description,
  properties,
  ...extra,
});

/** A CEL list literal. */
const celList = (items: string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;
/** The quantity of an int-or-string value, in CEL. */
const q = (v: string) => `quantity(string(${v}))`;
const isQ = (v: string) => `isQuantity(string(${v}))`;

// The CEL rules mirror lib/workspace/spec-rules.ts, which the operator applies too.
const quantityMap: Schema = {
  type: 'object',
  maxProperties: 8,
  additionalProperties: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: QUANTITY_PATTERN, maxLength: 64 },
  'x-kubernetes-validations': [
    {
      rule: `self.all(k, k in ${celList(STANDARD_RESOURCES)} || k.matches('${EXTENDED_RESOURCE_PATTERN}'))`,
      message: 'resource names are cpu, memory, ephemeral-storage or an extended resource domain/name',
    },
    { rule: `self.all(k, ${isQ('self[k]')} && !${q('self[k]')}.isLessThan(quantity('0')))`, message: 'quantities must not be negative' },
    { rule: `self.all(k, !k.contains('/') || (${isQ('self[k]')} && ${q('self[k]')}.isInteger()))`, message: 'extended resources come in whole numbers' },
    {
      rule: `self.all(k, !(k in ${celList(BYTE_RESOURCES)}) || string(self[k]).matches('${BYTE_QUANTITY_PATTERN}'))`,
      message: 'memory and ephemeral-storage are whole bytes (not 500m)',
    },
  ],
};
const resources: Schema = obj(
  'Requests and limits; the platform defaults apply when empty',
  { requests: quantityMap, limits: quantityMap },
  {
    'x-kubernetes-validations': [
      {
        rule: `!has(self.requests) || !has(self.limits) || self.requests.all(k, !(k in self.limits) || !${isQ('self.requests[k]')} || !${isQ('self.limits[k]')} || ${q('self.requests[k]')}.compareTo(${q('self.limits[k]')}) <= 0)`,
        message: 'requests must not be above limits',
      },
      {
        rule: `!has(self.requests) || self.requests.all(k, !k.contains('/') || (has(self.limits) && k in self.limits && ${isQ('self.requests[k]')} && ${isQ('self.limits[k]')} && ${q('self.requests[k]')}.compareTo(${q('self.limits[k]')}) == 0))`,
        message: 'an extended resource needs a limit equal to its request',
      },
    ],
  },
);
const image = str('Container image; the platform default applies when empty', { maxLength: 512, pattern: '^[^\\s]+$' });

const firewallGroup = (what: string): Schema =>
  obj(`Egress policy of the ${what} pod`, {
    networkAccessEnabled: { type: 'boolean', default: true, description: 'false: no internet at all' },
    domainAccessMode: str('specific: only allowedDomains (plus the defaults); all: the internet, but never private ranges', {
      enum: [...DOMAIN_ACCESS_MODES],
      default: 'specific',
    }),
    allowedDomains: {
      type: 'array',
      description: 'Extra domains, on top of the firewall defaults',
      maxItems: 256,
      items: { type: 'string', maxLength: 253, pattern: HOSTNAME },
    },
  });

const bandwidth = (description: string): Schema =>
  str(description, {
    pattern: BANDWIDTH_PATTERN,
    maxLength: 32,
    'x-kubernetes-validations': [
      {
        rule: `isQuantity(self) && quantity(self).compareTo(quantity('${BANDWIDTH_RANGE.min}')) >= 0 && quantity(self).compareTo(quantity('${BANDWIDTH_RANGE.max}')) <= 0`,
        message: `must be ${BANDWIDTH_RANGE.min} to ${BANDWIDTH_RANGE.max} bits per second`,
      },
    ],
  });

const timestamp = (what: string) => str(`Set to a new time to restart ${what}`, { format: 'date-time' });

const specSchema: Schema = obj(
  'Desired workspace',
  {
    workspaceId: str(
      `Workspace id: a DNS label of at most ${MAX_WORKSPACE_ID_LENGTH} characters, so every derived name and host stays valid`,
      {
        pattern: WORKSPACE_ID_PATTERN,
        minLength: 1,
        maxLength: MAX_WORKSPACE_ID_LENGTH,
        'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'workspaceId is immutable' }],
      },
    ),
    ownerId: str('Id of the owning user: the only user (with workspaceAuth.adminGroup) its endpoints let in, matched against the workspaceAuth.ownerClaim claim', {
      minLength: 1,
      maxLength: 253,
      pattern: OWNER_ID_PATTERN,
    }),
    provisioner: str('Provisioner', { enum: [...PROVISIONERS], default: 'kubernetes' }),
    runtime: obj('Runtime container', { imageKey: str('Named image variant', { maxLength: 63 }), image, resources }),
    browser: obj('Browser (neko) container', {
      enabled: { type: 'boolean', default: true, description: 'Run the browser component' },
      image,
      resources,
    }),
    canvas: obj('Canvas container', {
      enabled: { type: 'boolean', default: true, description: 'Run the canvas component' },
      image,
      resources,
    }),
    workspacePath: str('Where the workspace volume is mounted: an absolute path outside the ones the pods use', {
      default: '/workspace',
      pattern: WORKSPACE_PATH_PATTERN,
      maxLength: 1024,
      'x-kubernetes-validations': [
        {
          rule: `!${celList(RESERVED_PATHS)}.exists(p, self == p || self.startsWith(p + '/'))`,
          message: `may not be or lie under ${RESERVED_PATHS.join(', ')}`,
        },
      ],
    }),
    targetNamespace: str('Namespace the pods run in; must be allowed by the platform', {
      pattern: DNS_LABEL,
      maxLength: 63,
    }),
    git: obj('Repository cloned into the workspace', {
      url: str('Clone URL', { maxLength: 2048 }),
      branch: str('Branch', { maxLength: 255 }),
    }),
    envVars: {
      type: 'array',
      description: `Environment of the runtime container; each key once, and not one the operator sets (${OPERATOR_ENV.join(', ')})`,
      maxItems: 128,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['key'],
      'x-kubernetes-validations': [
        { rule: `self.all(e, !(e.key in ${celList(OPERATOR_ENV)}))`, message: `${OPERATOR_ENV.join(', ')} are set by the operator; use another name` },
      ],
      items: obj(
        'One variable',
        { key: str('Name', { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 256 }), value: str('Value', { maxLength: 4096 }) },
        { required: ['key'] },
      ),
    },
    knowledgeBases: {
      type: 'array',
      description: 'Knowledge bases mounted at /knowledge/<alias>; each alias once',
      maxItems: 32,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['alias'],
      items: obj(
        'One knowledge base',
        {
          kbId: str('Folder of the knowledge base on the shared volume', { pattern: '^[A-Za-z0-9][-A-Za-z0-9_.]*$', maxLength: 253 }),
          alias: str('Mount name under /knowledge', { pattern: DNS_LABEL, maxLength: 63 }),
          readOnly: { type: 'boolean', default: true, description: 'Mount read-only' },
        },
        { required: ['kbId', 'alias'] },
      ),
    },
    storage: obj('Workspace volume overrides', {
      size: {
        'x-kubernetes-int-or-string': true,
        anyOf: [{ type: 'integer' }, { type: 'string' }],
        pattern: QUANTITY_PATTERN,
        description: 'Volume size, a positive quantity such as 10Gi',
        'x-kubernetes-validations': [{ rule: `${isQ('self')} && ${q('self')}.isGreaterThan(quantity('0'))`, message: 'must be a positive quantity such as 10Gi' }],
      },
      storageClassName: str('StorageClass', { maxLength: 253, pattern: DNS_SUBDOMAIN }),
    }),
    firewall: obj('Per-group egress policy (enforced with Cilium)', {
      workspace: firewallGroup('runtime and canvas'),
      browser: firewallGroup('browser'),
    }),
    bandwidth: obj('Bandwidth of each of its pods, in bits per second (the kubernetes.io/{ingress,egress}-bandwidth annotations); the platform defaults apply where unset', {
      ingress: bandwidth('Into each pod, for example 50M'),
      egress: bandwidth('Out of each pod, for example 20M'),
    }),
    started: {
      type: 'boolean',
      default: true,
      description: 'false stops the workspace: its pods go away and nothing routes to it; its volume, Secrets and policies stay, and true brings it back on the same data',
    },
    lifecycle: obj('This workspace\'s own stop deadlines, within the platform\'s limits (workspaceLifecycle.limits)', {
      idleTimeout: str('Stop after this long without activity (0: never), for example 4h', { pattern: DURATION_PATTERN, maxLength: 32 }),
      maxAge: str('Stop this long after a start, active or not (0: never), for example 12h', { pattern: DURATION_PATTERN, maxLength: 32 }),
    }),
    operations: obj('Restart triggers', {
      restartWorkspaceAt: timestamp('every component'),
      restartRuntimeAt: timestamp('the runtime'),
      restartBrowserAt: timestamp('the browser'),
      restartCanvasAt: timestamp('the canvas'),
    }),
  },
  {
    required: ['workspaceId', 'ownerId'],
    'x-kubernetes-validations': [
      {
        // Moving a workspace would orphan every object in the old namespace.
        rule: 'has(self.targetNamespace) == has(oldSelf.targetNamespace) && (!has(self.targetNamespace) || self.targetNamespace == oldSelf.targetNamespace)',
        message: 'targetNamespace is immutable; create a new Workspace to move one',
      },
    ],
  },
);

const componentStatus = (what: string): Schema =>
  obj(`${what} status`, {
    phase: str('Pending, Running, Failed or Disabled'),
    ready: { type: 'boolean' },
    internalUrl: str('Cluster-internal Service URL'),
    externalUrl: str('Public Ingress URL'),
    lastRestartedAt: str('Last restart the operator carried out', { format: 'date-time' }),
  });

const firewallStatus = (what: string): Schema =>
  obj(`${what} firewall as enforced`, {
    networkAccessEnabled: { type: 'boolean' },
    domainAccessMode: str('Mode in force'),
    effectiveAllowedDomains: { type: 'array', items: { type: 'string' } },
    enforcedBy: str('CiliumNetworkPolicy, NetworkPolicy or None'),
  });

const statusSchema: Schema = obj('Observed state, written by the operator', {
  phase: str('Overall phase', { enum: [...WORKSPACE_PHASES] }),
  observedGeneration: { type: 'integer', format: 'int64' },
  targetNamespace: str('Namespace where the pods are deployed'),
  components: obj('Per-component status', {
    runtime: componentStatus('Runtime'),
    browser: componentStatus('Browser'),
    canvas: componentStatus('Canvas'),
  }),
  firewall: obj('Firewall in force', { workspace: firewallStatus('Workspace'), browser: firewallStatus('Browser') }),
  startedAt: str('When the workspace last started (max age counts from here)', { format: 'date-time' }),
  lastActivityTime: str('Last request or open WebSocket its owner had through the workspace proxies, written at most once a minute', { format: 'date-time' }),
  appliedHash: str(
    'Digest of what the operator rendered and the cluster holds in full (the inputs: generation, platform settings, operator build; and every object\'s applied hash); a restarted operator that finds it matching renders nothing',
    { maxLength: 64 },
  ),
  conditions: {
    type: 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['type'],
    items: obj(
      'Condition (Ready, Progressing, Degraded, StoppingSoon)',
      {
        type: str('Type', { maxLength: 316 }),
        status: str('Status', { enum: ['True', 'False', 'Unknown'] }),
        reason: str('CamelCase reason', { maxLength: 1024 }),
        message: str('Human-readable message', { maxLength: 32768 }),
        observedGeneration: { type: 'integer', format: 'int64' },
        lastTransitionTime: str('Last change of status', { format: 'date-time' }),
      },
      { required: ['type', 'status', 'lastTransitionTime'] },
    ),
  },
});

/**
 * The CRD is cluster-wide and shared by every release (Helm keeps it in
 * crds/, untemplated), so its labels name no release.
 */
export function crdLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': 'aileron', 'app.kubernetes.io/part-of': 'aileron', 'app.kubernetes.io/component': 'crd' };
}

export function workspaceCrdManifest(labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: WORKSPACE_CRD_NAME, labels: Object.keys(labels).length > 0 ? labels : undefined },
    spec: {
      group: WORKSPACE_API_GROUP,
      scope: 'Namespaced',
      names: {
        kind: WORKSPACE_KIND,
        listKind: `${WORKSPACE_KIND}List`,
        plural: WORKSPACE_RESOURCE,
        singular: 'workspace',
        shortNames: ['ws'],
        categories: ['aileron'],
      },
      versions: [
        {
          name: WORKSPACE_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Owner', type: 'string', jsonPath: '.spec.ownerId' },
            { name: 'Started', type: 'boolean', jsonPath: '.spec.started' },
            { name: 'Last Activity', type: 'date', jsonPath: '.status.lastActivityTime', priority: 1 },
            { name: 'Namespace', type: 'string', jsonPath: '.status.targetNamespace' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'An Aileron cloud workspace: runtime, browser and canvas with their hosts and firewall',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: specSchema,
                status: statusSchema,
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}

export class WorkspaceCrd extends Construct {
  constructor(scope: Construct, id: string, labels: Record<string, string>) {
    super(scope, id);
    const manifest = workspaceCrdManifest(labels) as { apiVersion: string; kind: string; metadata: { name: string } };
    new ApiObject(this, 'crd', manifest);
  }
}
