import { cluster, kOk } from '../support/cluster.js';
import { tool } from '../support/tools.js';
import { CHART } from '../support/helm.js';

// frontend.autoscaling on the real control plane: kube-controller-manager's HPA controller scales the Deployment,
// and an upgrade does not reset the scale, since the Deployment leaves replicas to the autoscaler.
const REL = 'hpa';
const NS = 'hpa-platform';
const ONLY_FRONTEND = [
  'workspaceManager.enabled=false', 'workspaceOperator.enabled=false', 'keycloak.enabled=false', 'workspaceAuth.enabled=false',
  'postgres.enabled=false', 'redis.enabled=false', 'coturn.enabled=false', 'kubernetes.enabled=false', 'kubernetes.provisioner=docker',
  'frontend.autoscaling.enabled=true', 'frontend.autoscaling.minReplicas=2', 'frontend.autoscaling.maxReplicas=3',
].flatMap((s) => ['--set', s]);
const helm = (...args: string[]) => tool('helm', [...args, '--kubeconfig', cluster().kubeconfig]);
const replicas = () => kOk(['get', 'deployment', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.replicas}']);

/** Waits for the Deployment's desired replicas, as the autoscaler sets them (it syncs every 15 s). */
async function untilReplicas(want: string): Promise<void> {
  for (let i = 0; i < 60 && replicas() !== want; i++) await new Promise((r) => setTimeout(r, 1000));
  expect(replicas()).toBe(want);
}

test('the autoscaler, not the Deployment, sets the scale: raised to minReplicas by the controller-manager', async () => {
  kOk(['create', 'namespace', NS]);
  const res = helm('install', REL, CHART, '-n', NS, ...ONLY_FRONTEND);
  expect([res.status, res.stderr]).toEqual([0, '']);
  const hpa = JSON.parse(kOk(['get', 'hpa', `${REL}-aileron-frontend`, '-n', NS, '-o', 'json']));
  expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: `${REL}-aileron-frontend` } });
  await untilReplicas('2');
  // Two or more pods: the disruption budget still lets a drain evict one.
  expect(kOk(['get', 'pdb', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.maxUnavailable}'])).toBe('1');
});

test('helm upgrade leaves the scale where the autoscaler put it', async () => {
  kOk(['patch', 'hpa', `${REL}-aileron-frontend`, '-n', NS, '--type=merge', '-p', '{"spec":{"minReplicas":3}}']);
  await untilReplicas('3');
  const res = helm('upgrade', REL, CHART, '-n', NS, ...ONLY_FRONTEND, '--set', 'frontend.autoscaling.maxReplicas=4');
  expect([res.status, res.stderr]).toEqual([0, '']);
  // The upgrade set the HPA back to minReplicas 2 and max 4; the Deployment kept the 3 replicas it had.
  expect(kOk(['get', 'hpa', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.minReplicas} {.spec.maxReplicas}'])).toBe('2 4');
  expect(replicas()).toBe('3');
  helm('uninstall', REL, '-n', NS);
});
