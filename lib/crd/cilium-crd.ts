/**
 * CiliumNetworkPolicy (cilium.io/v2): the subset of fields aileron-k8s emits,
 * written for this project from Cilium's documented policy API (the full CRD
 * ships with Cilium). It feeds `cdk8s import` for typed policies and the
 * offline schema checks of what the operator renders.
 */
type Schema = Record<string, unknown>;

const strings: Schema = { type: 'array', items: { type: 'string' } };
const selector: Schema = {
  type: 'object',
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string' },
          operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: strings,
        },
      },
    },
  },
};
const entities: Schema = {
  type: 'array',
  items: {
    type: 'string',
    enum: ['all', 'world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged', 'none'],
  },
};
const portRules: Schema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      ports: {
        type: 'array',
        items: {
          type: 'object',
          required: ['port'],
          properties: {
            port: { type: 'string', pattern: '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$' },
            endPort: { type: 'integer', minimum: 0, maximum: 65535 },
            protocol: { type: 'string', enum: ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6', 'ANY'] },
          },
        },
      },
      rules: {
        type: 'object',
        properties: {
          dns: {
            type: 'array',
            items: { type: 'object', properties: { matchName: { type: 'string' }, matchPattern: { type: 'string' } } },
          },
        },
      },
    },
  },
};
const fqdns: Schema = {
  type: 'array',
  items: { type: 'object', properties: { matchName: { type: 'string' }, matchPattern: { type: 'string' } } },
};
const cidrSet: Schema = {
  type: 'array',
  items: { type: 'object', required: ['cidr'], properties: { cidr: { type: 'string' }, except: strings } },
};
const egressRule: Schema = {
  type: 'object',
  properties: {
    toEndpoints: { type: 'array', items: selector },
    toEntities: entities,
    toCIDR: strings,
    toCIDRSet: cidrSet,
    toFQDNs: fqdns,
    toPorts: portRules,
  },
};

export function ciliumNetworkPolicyCrdManifest(): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'ciliumnetworkpolicies.cilium.io' },
    spec: {
      group: 'cilium.io',
      scope: 'Namespaced',
      names: {
        kind: 'CiliumNetworkPolicy',
        listKind: 'CiliumNetworkPolicyList',
        plural: 'ciliumnetworkpolicies',
        singular: 'ciliumnetworkpolicy',
        shortNames: ['cnp'],
      },
      versions: [
        {
          name: 'v2',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  properties: {
                    description: { type: 'string' },
                    endpointSelector: selector,
                    egress: { type: 'array', items: egressRule },
                    egressDeny: { type: 'array', items: egressRule },
                    ingress: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: { fromEndpoints: { type: 'array', items: selector }, fromEntities: entities, toPorts: portRules },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
