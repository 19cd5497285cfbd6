/**
 * What makes the control plane run workloads: kube-controller-manager and
 * kube-scheduler at the pinned Kubernetes version, and kwok simulating the
 * nodes (three by default, one per zone, each with room for many pods) and
 * the pod lifecycle: scheduled pods turn Ready, Job pods and `helm test` pods
 * complete, claims get volumes. Nothing here writes a workload's status: the
 * real controllers do, from what kwok reports.
 */
import { join } from 'node:path';
import type { ControlPlane } from './control-plane.js';
import { kubectl, TOOLS_BIN } from './control-plane.js';

// Paths are computed when used: this module and control-plane.ts import each other.
const stockStages = () => join(TOOLS_BIN, '..', 'kwok-stages');
const ourStages = () => join(process.cwd(), 'test', 'cluster', 'kwok', 'stages.yaml');
export const ZONES = ['zone-a', 'zone-b', 'zone-c'];

export function nodeName(i: number): string {
  return `kwok-node-${i}`;
}

/** What one simulated node offers the scheduler. */
export interface NodeSize {
  cpu: string;
  memory: string;
  pods: number;
}

/** Roomy enough for every e2e test on a few nodes. */
export const DEFAULT_NODE_SIZE: NodeSize = { cpu: '64', memory: '256Gi', pods: 1100 };

function node(i: number, size: NodeSize) {
  const resources = { cpu: size.cpu, memory: size.memory, pods: String(size.pods), 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName(i),
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': nodeName(i),
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': ZONES[i % ZONES.length],
        type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: { architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'fake', kubeProxyVersion: 'fake' },
      phase: 'Running',
    },
  };
}

/** The default StorageClass, and the ones our example values name: kwok's stage binds every claim. */
function storageClasses() {
  return ['standard', 'hostpath', 'nfs', 'fast-ssd'].map((name) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      annotations: name === 'standard' ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : undefined,
    },
    provisioner: 'aileron-test.kwok',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }));
}

export async function startWorkloads(plane: ControlPlane, nodes: number, size: NodeSize = DEFAULT_NODE_SIZE): Promise<void> {
  const kubeconfig = plane.kubeconfig;
  plane.spawnComponent('kube-controller-manager', [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--controllers=*',
    `--service-account-private-key-file=${join(plane.dir, 'sa.key')}`,
    `--root-ca-file=${join(plane.dir, 'certs', 'apiserver.crt')}`,
    '--use-service-account-credentials=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--concurrent-deployment-syncs=10',
    '--concurrent-replicaset-syncs=10',
    '--kube-api-qps=200',
    '--kube-api-burst=400',
    '--v=0',
  ]);
  plane.spawnComponent('kube-scheduler', [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--kube-api-qps=200',
    '--kube-api-burst=400',
    '--v=0',
  ]);
  plane.spawnComponent('kwok', [
    `--kubeconfig=${kubeconfig}`,
    '--manage-all-nodes=true',
    '--cidr=10.128.0.0/12',
    '--node-lease-duration-seconds=40',
    '-c',
    [
      ...['node-initialize', 'node-heartbeat-with-lease', 'pod-ready', 'pod-complete', 'pod-delete'].map((s) => join(stockStages(), `${s}.yaml`)),
      ourStages(),
    ].join(','),
  ]);
  const objects = [...Array.from({ length: nodes }, (_, i) => node(i, size)), ...storageClasses()];
  const res = kubectl(kubeconfig, ['apply', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
  if (res.status !== 0) throw new Error(`creating the simulated nodes: ${res.stderr}`);
  await waitUntil('the simulated nodes are Ready', () => {
    const out = kubectl(kubeconfig, ['get', 'nodes', '-o', 'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}']);
    return out.stdout.split(' ').filter((s) => s === 'True').length === nodes;
  }, 60_000);
}

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out: ${what}`);
}
