import { loadCredentials } from '../../operator/credentials.js';
import { Kube } from '../../operator/kube.js';
import { ListWatch } from '../../operator/list-watch.js';
import { Logger } from '../../operator/log.js';
import { Metrics } from '../../operator/metrics.js';
import { kOk } from '../support/cluster.js';
import { eventually } from '../support/operator-harness.js';

// The operator's caches against the real API server, whose watches end on
// their timeout (here 1 to 2 s): each end must be taken up from the last
// resourceVersion seen, without listing again, and miss nothing.
const NS = 'list-watch';

let kube: Kube;
let metrics: Metrics;
let cache: ListWatch<string | undefined>;

const lists = async () => (await metrics.apiRequests.get()).values.find((v) => v.labels.verb === 'list')?.value ?? 0;

beforeAll(async () => {
  kOk(['create', 'namespace', NS]);
  metrics = new Metrics();
  kube = new Kube(await loadCredentials({ KUBECONFIG: process.env.AILERON_KUBECONFIG }), 1e9, 1e9, metrics);
  const configMaps = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespace: NS };
  cache = new ListWatch(kube, configMaps, 'test=list-watch', (obj) => (obj as { data?: { n?: string } }).data?.n, new Logger('warn'), { watchTimeoutSeconds: 1 });
  await cache.start();
});

afterAll(() => {
  cache?.stop();
  kOk(['delete', 'namespace', NS, '--wait=false']);
});

const configMap = (name: string, n: number) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, labels: { test: 'list-watch' } }, data: { n: String(n) } });

test('watches that end on their timeout are resumed without a list, and no change is missed', async () => {
  expect(await lists()).toBe(1);
  // Changes spread over about 8 s: across several ends of the 1-2 s watches.
  for (let i = 0; i < 16; i++) {
    kOk(['apply', '-f', '-'], configMap(`cm-${i % 4}`, i));
    if (i === 13) kOk(['delete', 'configmap', 'cm-0', '-n', NS]);
    await new Promise((r) => setTimeout(r, 500));
  }
  await eventually('the cache to hold the last of every change', () => cache.size === 3 && cache.get(`${NS}/cm-1`) === '13' && cache.get(`${NS}/cm-3`) === '15');
  expect([cache.get(`${NS}/cm-0`), cache.get(`${NS}/cm-2`)]).toEqual([undefined, '14']);
  expect(await lists()).toBe(1);
});
