/**
 * CoTURN: the WebRTC relay for the workspace browser. It runs with
 * hostNetwork so its relay ports are reachable on the node IP (as the upstream
 * chart runs it), which Pod Security "restricted" and "baseline" forbid: this
 * is the one documented exception, kept in a namespace of its own
 * (turn-namespace.ts). It still runs as non-root with no capabilities.
 * Credentials are written into a config file at start, never passed as
 * arguments.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import type { ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { container, emptyDir, execProbe, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { platformDeployment, platformService } from '../platform/workload.js';
import { secretNameOf, SECRET_KEYS } from './secrets.js';
import { turnContext } from './turn-namespace.js';
import { cidrRange } from '../values/ip.js';
import type { ValOr } from '../platform/template-value.js';
import { BLOCKED_CIDRS_V4, BLOCKED_CIDRS_V6 } from '../workspace/firewall-rules.js';

/** `externalIp` is what coturn advertises as its relay address (its --external-ip): coturn.externalIp, else host. */
type TurnSettings = Record<'port' | 'host' | 'externalIp' | 'realm' | 'minRelayPort' | 'maxRelayPort', ValOr<string | number>>;

/**
 * Peers the relay refuses: the ranges workspaces may not reach either
 * (private, metadata, CGNAT, loopback, multicast), so a TURN credential, which
 * end users' browsers hold, opens nothing inside the cluster or the VPC.
 * Relay-to-relay traffic between two allocations goes to coturn's own
 * address, hence the one allowed peer.
 */
export function relayPeerRules(host: ValOr<string | number>, externalIp: ValOr<string | number>): string[] {
  return [
    ...[...BLOCKED_CIDRS_V4, ...BLOCKED_CIDRS_V6].map((cidr) => `denied-peer-ip=${cidrRange(cidr).join('-')}`),
    `allowed-peer-ip=${host}`,
    `allowed-peer-ip=${externalIp}`,
  ];
}

/** Where the node's own address reaches coturn's start command (the downward API's status.hostIP). */
export const NODE_IP_ENV = 'NODE_IP';

/**
 * The start command: writes turnserver.conf (credentials and the node's address from env) and execs coturn.
 * Relays are allocated on the node's address alone (relay-ip), so relay-to-relay traffic between two
 * allocations, the path between a user's browser and the workspace's browser, goes to the one private address
 * the peer rules allow; on every interface of a host-network pod it would go to addresses they deny. TCP relays
 * (RFC 6062) are off: browsers relay over UDP, and a TCP relay would let the credential, which every user's
 * browser holds, open connections to the node's TCP ports (the kubelet's among them).
 */
export function coturnScript(c: TurnSettings): string {
  const config = [
      `listening-port=${c.port}`,
      `external-ip=${c.externalIp}`,
      `realm=${c.realm}`,
      `min-port=${c.minRelayPort}`,
      `max-port=${c.maxRelayPort}`,
      'fingerprint',
      'lt-cred-mech',
      'no-cli',
      'no-tls',
      'no-dtls',
      'no-multicast-peers',
      'no-tcp-relay',
      ...relayPeerRules(c.host, c.externalIp),
      'log-file=stdout',
      'pidfile=/tmp/turnserver.pid',
  ].join('\\n');
  return (
    `printf '${config}\\n' > /tmp/turnserver.conf && ` +
    `printf 'user=%s:%s\\n' "$TURN_USERNAME" "$TURN_CREDENTIAL" >> /tmp/turnserver.conf && ` +
    `printf 'relay-ip=%s\\nallowed-peer-ip=%s\\n' "$${NODE_IP_ENV}" "$${NODE_IP_ENV}" >> /tmp/turnserver.conf && ` +
    'exec turnserver -c /tmp/turnserver.conf'
  );
}

/** CoTURN: `coturn.*` of values. */
export type CoturnProps = ConstructProps<Values['coturn']>;

export class Coturn extends Construct {
  constructor(scope: Construct, id: string, { release, values: c }: CoturnProps) {
    super(scope, id);
    const ctx = turnContext(release, c.namespace);
    const { x } = ctx;
    const secret = secretNameOf(ctx, 'coturn', c.existingSecret);
    const script = coturnScript({ ...c, externalIp: x.orDefault(c.externalIp, c.host) });

    platformDeployment(this, ctx, {
      component: 'coturn',
      settings: c,
      recreate: true,
      spec: podSpec(ctx, c, {
        component: 'coturn',
        runAsUser: 65534,
        hostNetwork: true,
        containers: [
          container({
            name: 'coturn',
            image: c.image,
            resources: c.resources,
            command: ['/bin/sh', '-c', script],
            ports: [
              { name: 'turn-udp', containerPort: x.value(c.port), protocol: 'UDP' },
              { name: 'turn-tcp', containerPort: x.value(c.port), protocol: 'TCP' },
            ],
            env: [
              secretEnv('TURN_USERNAME', secret, SECRET_KEYS.coturn.username),
              secretEnv('TURN_CREDENTIAL', secret, SECRET_KEYS.coturn.credential),
              { name: NODE_IP_ENV, valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
              ...plainEnv(c.env, x),
            ],
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            readinessProbe: tcpProbe(x.value(c.port)),
            // A real STUN binding request, not just an open port.
            livenessProbe: execProbe(['turnutils_stunclient', '-p', x.str(c.port), '127.0.0.1'], 20),
          }, x),
        ],
        volumes: [emptyDir('tmp')],
      }),
    });
    platformService(
      this,
      ctx,
      'coturn',
      [
        { name: 'turn-udp', port: c.port, protocol: 'UDP', nodePort: c.nodePort },
        { name: 'turn-tcp', port: c.port, protocol: 'TCP', nodePort: c.nodePort },
      ],
      { type: 'NodePort', name: x.orDefault(c.serviceName, ctx.name('coturn')) },
    );
  }
}
