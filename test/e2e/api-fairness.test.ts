import { loadCredentials } from '../../operator/credentials.js';
import { Kube, retryAfterMs, statusCode } from '../../operator/kube.js';
import { Metrics } from '../../operator/metrics.js';
import { kubeconfigForServiceAccount } from '../cluster/control-plane.js';
import { cluster, kOk } from '../support/cluster.js';

// The operator's client under the real API server's Priority and Fairness: a priority level of one share that
// rejects instead of queueing, for one ServiceAccount's ConfigMap requests. With the client's own rate limit out
// of the way, the server's 429s and their Retry-After are the only brake.
const NS = 'api-fairness';
const SA = 'apf-probe';
const BURST = 60;

const fairness = `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: ${SA}}
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 1
    lendablePercent: 0
    limitResponse: {type: Reject}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: ${SA}}
spec:
  priorityLevelConfiguration: {name: ${SA}}
  matchingPrecedence: 500
  distinguisherMethod: {type: ByUser}
  rules:
  - subjects: [{kind: ServiceAccount, serviceAccount: {name: ${SA}, namespace: ${NS}}}]
    resourceRules: [{verbs: ['*'], apiGroups: [''], resources: [configmaps], namespaces: [${NS}]}]
`;

let kube: Kube;
let metrics: Metrics;
const configMaps = { apiVersion: 'v1', plural: 'configmaps', namespace: NS };
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { test: 'api-fairness' } }, data: { n: name } });
const throttled = async () => (await metrics.throttled.get()).values.reduce((sum, v) => sum + v.value, 0);

beforeAll(async () => {
  kOk(['create', 'namespace', NS]);
  kOk(['create', 'serviceaccount', SA, '-n', NS]);
  kOk(['create', 'role', SA, '-n', NS, '--verb=create,get,list,delete', '--resource=configmaps']);
  kOk(['create', 'rolebinding', SA, '-n', NS, `--role=${SA}`, `--serviceaccount=${NS}:${SA}`]);
  kOk(['apply', '-f', '-'], fairness);
  metrics = new Metrics();
  kube = new Kube(await loadCredentials({ KUBECONFIG: kubeconfigForServiceAccount(cluster(), NS, SA) }), 1e9, 1e9, metrics);
  // The API server takes up a new FlowSchema within seconds: until a burst draws a 429, it is not in force yet.
  const deadline = Date.now() + 30_000;
  for (let probe = 0; ; probe++) {
    const answers = await Promise.allSettled(Array.from({ length: BURST }, (_, i) => kube.unthrottled.create(configMaps, configMap(`probe-${probe}-${i}`))));
    if (answers.some((a) => a.status === 'rejected' && statusCode(a.reason) === 429)) break;
    if (Date.now() > deadline) throw new Error(`FlowSchema ${SA} not in force after 30 s: no 429 for a burst of ${BURST}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  kOk(['delete', 'configmaps', '-n', NS, '-l', 'test=api-fairness']);
});

afterAll(() => {
  kOk(['delete', 'flowschema,prioritylevelconfiguration', SA, '--ignore-not-found']);
  kOk(['delete', 'namespace', NS, '--wait=false']);
});

test('a burst the server turns away is retried after its Retry-After until every write lands', async () => {
  const before = await throttled();
  await Promise.all(Array.from({ length: BURST }, (_, i) => kube.create(configMaps, configMap(`cm-${i}`))));
  expect(await throttled()).toBeGreaterThan(before);
  const names = kOk(['get', 'configmaps', '-n', NS, '-l', 'test=api-fairness', '-o', 'name']).trim().split('\n');
  expect(names).toHaveLength(BURST);
});

test('no retry comes back before the Retry-After the server asked for', async () => {
  const waits: { askedMs: number; waitedMs: number }[] = [];
  await Promise.all(
    Array.from({ length: BURST }, (_, i) => {
      let turnedAway: { at: number; askedMs: number } | undefined;
      // The operator's retry loop around one bare request, timing each attempt against the 429 before it.
      return kube.call('write', async () => {
        if (turnedAway) waits.push({ askedMs: turnedAway.askedMs, waitedMs: Date.now() - turnedAway.at });
        try {
          return await kube.unthrottled.create(configMaps, configMap(`paced-${i}`));
        } catch (err) {
          turnedAway = statusCode(err) === 429 ? { at: Date.now(), askedMs: retryAfterMs(err) ?? 0 } : undefined;
          throw err;
        }
      });
    }),
  );
  expect(waits.length).toBeGreaterThan(0);
  expect(waits.every((w) => w.askedMs >= 1000)).toBe(true);
  expect(waits.filter((w) => w.waitedMs < w.askedMs)).toEqual([]);
});
