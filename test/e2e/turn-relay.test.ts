/**
 * What the TURN credential opens, which every user's browser holds: Debian's
 * coturn runs the chart's own start command, with the Deployment's env (the
 * downward API's node address included), in a network namespace the test
 * creates. There the node (coturn.host) is one end of a veth pair and another
 * private address the other; a stand-in kubelet listens on the node's TCP
 * port 10250. turnutils_uclient, coturn's own client, plays the browser.
 */
import { join } from 'node:path';
import { loadValues } from '../../lib/values/load.js';
import { renderPlatform } from '../../lib/platform/platform-chart.js';
import { NODE_IP_ENV } from '../../lib/components/coturn.js';
import { NetnsLab } from '../support/netns-lab.js';
import { find, podSpecOf, type Loose } from '../support/render.js';

const NODE = '10.20.0.1';
const OTHER = '10.20.0.2';
const USER = 'aileron';
const CREDENTIAL = 'turn-credential-of-every-browser';

const objects = renderPlatform({ values: loadValues({ set: [`coturn.host=${NODE}`, `coturn.credential=${CREDENTIAL}`] }) });
const coturn = podSpecOf(find(objects, 'Deployment', 'aileron-coturn')).containers[0];

let lab: NetnsLab;

/** coturn's client against the node, as a browser would use it. */
const uclient = (args: string[], credential = CREDENTIAL) => lab.tryRun('turnutils_uclient', ['-u', USER, '-w', credential, ...args, NODE]);

beforeAll(async () => {
  lab = new NetnsLab('aileron-turn');
  lab.addVethPair({ name: 'node0', cidr: `${NODE}/24` }, { name: 'other0', cidr: `${OTHER}/24` });
  // The start command exactly as rendered; only its scratch folder moves out of the shared /tmp.
  const script = (coturn.command as string[])[2].replaceAll('/tmp/', `${lab.dir}/`);
  const env = Object.fromEntries((coturn.env as Loose[]).map((e) => [e.name, e.value ?? '']));
  expect(Object.keys(env)).toEqual(expect.arrayContaining(['TURN_USERNAME', 'TURN_CREDENTIAL', NODE_IP_ENV]));
  lab.start('coturn', '/bin/sh', ['-c', script], { ...env, TURN_USERNAME: USER, TURN_CREDENTIAL: CREDENTIAL, [NODE_IP_ENV]: NODE });
  lab.start('kubelet', process.execPath, ['-e', `require('net').createServer((s) => { console.log('connection'); s.end(); }).listen(10250, '${NODE}')`]);
  lab.start('peer', 'turnutils_peer', ['-L', OTHER, '-p', '3481']);
  await lab.waitFor('coturn', () => lab.output('coturn').includes('Total General servers') && lab.tryRun('turnutils_stunclient', [NODE], 5_000).status === 0, 30_000);
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

test('two allocations relay to each other: the path between a user\'s browser and the workspace\'s browser', () => {
  const res = uclient(['-y', '-n', '20', '-m', '1']);
  expect(res.output).toMatch(/Total lost packets 0 \(0\.0+%\)/);
  expect(res.output).not.toMatch(/error 403|Forbidden/);
});

test('the credential opens no TCP relay, so no connection to the node\'s TCP ports (the kubelet\'s)', () => {
  const res = uclient(['-T', '-e', NODE, '-r', '10250', '-n', '1', '-m', '1']);
  expect(res.output).toContain('error 442 (TCP Transport is not allowed');
  expect(lab.output('kubelet')).not.toContain('connection');
});

test('a private peer other than the node is refused', () => {
  const res = uclient(['-e', OTHER, '-r', '3481', '-n', '3', '-m', '1']);
  expect(res.output).toContain('403 (Forbidden IP)');
  expect(lab.output('coturn')).toContain(`A peer IP ${OTHER} denied`);
});

test('a wrong credential gets no allocation', () => {
  const res = uclient(['-y', '-n', '1', '-m', '1'], 'not-the-credential');
  expect(res.output).toContain('Cannot complete Allocation');
  expect(lab.output('coturn')).toMatch(/401|check_stun_auth/);
});

test('the rendered config names the node address as the only relay address and turns TCP relays off', () => {
  const conf = lab.run('cat', [join(lab.dir, 'turnserver.conf')]);
  expect(conf).toContain('no-tcp-relay');
  expect(conf).toContain(`relay-ip=${NODE}`);
  expect(conf).toContain(`allowed-peer-ip=${NODE}`);
});
