/**
 * Switching a live release of the upstream chart to this one, as the README
 * says: `aileron-k8s migrate --from-release`, then one `helm upgrade`. On a
 * control plane of its own (kube-scheduler, kube-controller-manager, kwok
 * binding claims and running pods), with the upstream chart installed twice
 * by the real helm: once with its defaults, once with a production values
 * file. What a user would check afterwards: the same claims, the password the
 * database was made with, the same hosts and TURN port, the Workspaces
 * reconciled by our operator under its own ServiceAccount, a working
 * `helm rollback`, and a `helm uninstall` that leaves the data.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { kubeconfigForServiceAccount } from '../cluster/control-plane.js';
import { eventually, OperatorHarness, settled, type Operator } from '../support/operator-harness.js';
import { tool } from '../support/tools.js';
import { completeWorkspaceYaml } from '../support/workspace-manifests.js';
import { CHART } from '../support/helm.js';
import { ROOT, type Loose } from '../support/render.js';

const UPSTREAM_CHART = join(ROOT, '..', 'shared', 'upstream-chart', 'aileron');
const CLI = join(ROOT, 'build', 'aileron-k8s.cjs');
const h = new OperatorHarness();
const { k, kOk, json } = h;
let op: Operator | undefined;

const helm = (...args: string[]) => tool('helm', [...args, '--kubeconfig', h.admin]);
const helmOk = (...args: string[]) => {
  const res = helm(...args);
  if (res.status !== 0) throw new Error(`helm ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
};
const migrate = (...args: string[]) => spawnSync(process.execPath, [CLI, 'migrate', ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: h.admin } });
const secretValue = (ns: string, name: string, key: string) => Buffer.from(json(['get', 'secret', name, '-n', ns]).data[key], 'base64').toString();
const ingressHosts = (ns: string) => (json(['get', 'ingress', '-n', ns]).items as Loose[]).flatMap((i) => i.spec.rules.map((r: Loose) => r.host)).sort();


/** The two upstream releases: their names, upstream's object prefix, ours after the switch, and what they serve. */
const RELEASES = [
  { release: 'aileron', ns: 'aileron', upstream: 'aileron-aileron', ours: 'aileron', wsNs: 'workspace-system', files: [] as string[], nodePort: 30478, password: 'postgres' },
  {
    release: 'prod',
    ns: 'aileron-prod',
    upstream: 'prod-aileron',
    ours: 'prod', // upstream's own prefix would collide with ours: migrate sets fullnameOverride
    wsNs: 'prod-workspaces',
    files: [join(ROOT, 'test', 'values', 'upstream', 'production-release.yaml')],
    nodePort: 30479,
    password: '7yHq2-prod-db-Kx9vPz',
  },
];
type Release = (typeof RELEASES)[number];
const before = new Map<string, { hosts: string[] }>();
const migrateSaid = new Map<string, string>();
const valuesFile = (r: Release) => join(dir, `${r.release}.yaml`);
const dir = mkdtempSync(join(tmpdir(), 'upstream-migration-'));

beforeAll(async () => {
  h.admin = (await h.plane.start()).kubeconfig;
  // The upstream chart needs its workspace namespaces to exist; the hostpath StorageClass is the test cluster's.
  for (const r of RELEASES) {
    kOk(['create', 'namespace', r.wsNs]);
    helmOk('install', r.release, UPSTREAM_CHART, '-n', r.ns, '--create-namespace', '--wait', '--timeout', '3m', ...r.files.flatMap((f) => ['-f', f]));
    kOk(['apply', '-f', '-'], completeWorkspaceYaml(`ws-${r.release}`, `${r.release}-ws`, r.wsNs, `user-${r.release}`));
    before.set(r.release, { hosts: ingressHosts(r.ns) });
  }
});

afterAll(async () => {
  if (process.env.AILERON_DEBUG) process.stderr.write(`${h.logs().join('\n')}\n`);
  await h.stop();
});

test('--dry-run prints the plan and the values, and changes nothing', () => {
  const res = migrate('--from-release', 'aileron', '-n', 'aileron', '--dry-run');
  expect(res.stderr).toContain('dry run: nothing was changed or written');
  expect(res.status).toBe(0);
  expect(parse(res.stdout).postgres.persistence.existingClaim).toBe('data-aileron-aileron-postgres-0');
  expect(res.stderr).toMatch(/step 1: create Secret aileron\/aileron-upstream-credentials/);
  expect(res.stderr).toMatch(/step 2: adopt Namespace workspace-system into release aileron/);
  // Nothing happened: no Secret, the namespace is not Helm's, the CRD has no field of ours.
  expect(k(['get', 'secret', 'aileron-upstream-credentials', '-n', 'aileron']).status).not.toBe(0);
  expect(json(['get', 'namespace', 'workspace-system']).metadata.annotations?.['meta.helm.sh/release-name']).toBeUndefined();
  expect(kOk(['get', 'crd', 'workspaces.platform.aileron.io', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}'])).not.toContain('aileron-k8s-migrate');
});

test('a release that is not the upstream chart\'s is refused, naming what is missing', () => {
  const res = migrate('--from-release', 'nothing-here', '-n', 'aileron', '--dry-run');
  expect(res.status).toBe(1);
  expect(res.stderr).toContain('no deployed Helm release "nothing-here" in namespace aileron');
});

describe.each(RELEASES)('release $release: migrate --from-release, then one helm upgrade', (r) => {
  const oldPassword = () => r.password;

  test('migrate writes the values and does the steps; helm upgrade --wait succeeds', () => {
    const res = migrate('--from-release', r.release, '-n', r.ns, '-o', valuesFile(r));
    migrateSaid.set(r.release, res.stderr);
    expect(res.stderr).toContain(`done. Next: helm upgrade ${r.release} charts/aileron -n ${r.ns}`);
    expect(res.status).toBe(0);
    helmOk('upgrade', r.release, CHART, '-n', r.ns, '-f', valuesFile(r), '--wait', '--timeout', '3m');
    expect(JSON.parse(helmOk('status', r.release, '-n', r.ns, '-o', 'json')).info.status).toBe('deployed');
  });

  test('the new PostgreSQL and Redis run on the old claims, with the data\'s PGDATA, major version and user', () => {
    kOk(['rollout', 'status', `statefulset/${r.ours}-postgres`, '-n', r.ns, '--timeout=90s']);
    const pg = json(['get', 'pod', `${r.ours}-postgres-0`, '-n', r.ns]);
    expect(pg.spec.volumes.find((v: Loose) => v.name === 'data').persistentVolumeClaim.claimName).toBe(`data-${r.upstream}-postgres-0`);
    const container = pg.spec.containers[0];
    expect(container.env.find((e: Loose) => e.name === 'PGDATA').value).toBe('/var/lib/postgresql/data');
    expect(container.image).toBe('postgres:15-alpine');
    expect(pg.spec.securityContext.runAsUser).toBe(70);
    const redis = json(['get', 'pod', `${r.ours}-redis-0`, '-n', r.ns]);
    expect(redis.spec.volumes.find((v: Loose) => v.name === 'data').persistentVolumeClaim.claimName).toBe(`data-${r.upstream}-redis-0`);
    // The upstream StatefulSets are gone; their claims are not.
    expect(k(['get', 'statefulset', `${r.upstream}-postgres`, '-n', r.ns]).status).not.toBe(0);
    for (const claim of [`data-${r.upstream}-postgres-0`, `data-${r.upstream}-redis-0`, 'knowledge-bases-pvc']) {
      expect([claim, kOk(['get', 'pvc', claim, '-n', r.ns, '-o', 'jsonpath={.status.phase}'])]).toEqual([claim, 'Bound']);
    }
  });

  test('the bootstrap connects with the password the database was made with; Keycloak and the manager get roles of their own', () => {
    const envOf = (kind: string, name: string) =>
      Object.fromEntries((json(['get', kind, name, '-n', r.ns]).spec.template.spec.containers[0].env as Loose[]).map((e) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
    const bootstrap = envOf('job', `${r.ours}-postgres-bootstrap`);
    expect(kOk(['get', 'job', `${r.ours}-postgres-bootstrap`, '-n', r.ns, '-o', 'jsonpath={.status.succeeded}'])).toBe('1');
    expect([bootstrap.PGUSER, secretValue(r.ns, bootstrap.PGPASSWORD.name, bootstrap.PGPASSWORD.key)]).toEqual(['postgres', oldPassword()]);
    const keycloak = envOf('deployment', `${r.ours}-keycloak`);
    const manager = envOf('deployment', `${r.ours}-workspace-manager`);
    expect([keycloak.KC_DB_USERNAME, manager.DATABASE_URL.split(':')[1]]).toEqual(['keycloak', '//aileron']);
    // Their passwords are the ones the bootstrap gave their roles (the same Secret, keys of their own).
    expect([keycloak.KC_DB_PASSWORD.key, bootstrap.KEYCLOAK_PASSWORD.key, manager.DATABASE_PASSWORD.key, bootstrap.APP_PASSWORD.key]).toEqual(['keycloak-password', 'keycloak-password', 'app-password', 'app-password']);
    expect(secretValue(r.ns, keycloak.KC_DB_PASSWORD.name, 'keycloak-password')).toMatch(/^[A-Za-z0-9]{32}$/);
    // upstream's Secret went with its release; the copy is no release's, so no upgrade, rollback or uninstall deletes it.
    expect(k(['get', 'secret', `${r.upstream}-secrets`, '-n', r.ns]).status).not.toBe(0);
    expect(json(['get', 'secret', `${r.release}-upstream-credentials`, '-n', r.ns]).metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
  });

  test('the public hosts and the TURN NodePort are the ones the release served', () => {
    const hosts = ingressHosts(r.ns);
    expect(hosts).toEqual(expect.arrayContaining(before.get(r.release)!.hosts));
    const turn = json(['get', 'service', `${r.upstream}-coturn`, '-n', r.ns]);
    expect(turn.spec.ports.map((p: Loose) => p.nodePort)).toEqual([r.nodePort, r.nodePort]);
    // The Service is ours now: it selects our CoTURN pods, and only them.
    const selector = Object.entries(turn.spec.selector as Record<string, string>).map(([key, value]) => `${key}=${value}`).join(',');
    const pods = kOk(['get', 'pods', '-n', r.ns, '-l', selector, '-o', 'jsonpath={.items[*].metadata.name}']).split(' ');
    expect(pods).toEqual([expect.stringMatching(new RegExp(`^${r.ours}-coturn-`))]);
  });
});

test('the Workspaces remain, and our operator reconciles them under its own ServiceAccount', async () => {
  h.operatorConfig = kubeconfigForServiceAccount({ kubeconfig: h.admin, dir: h.plane.dir, server: h.plane.server }, 'aileron', 'aileron-workspace-operator');
  op = await h.startOperator('op-migrated');
  const status = await eventually('ws-aileron Running', () => {
    const s = json(['get', 'workspace', 'ws-aileron', '-n', 'workspace-system']).status;
    return s?.phase === 'Running' && s;
  }, 90_000);
  expect(status.components.runtime.externalUrl).toBe('http://workspace-runtime-aileron-ws.aileron.localhost');
  expect(kOk(['get', 'deployment', '-n', 'workspace-system', '-l', 'platform.aileron.io/workspace-id=aileron-ws', '-o', 'name']).split('\n').filter(Boolean).length).toBe(3);
  // The other release's Workspace, in the namespace that release's chart labels as its own, is left to its operator.
  await settled(op);
  expect(json(['get', 'workspace', 'ws-prod', '-n', 'prod-workspaces']).status?.phase).toBeUndefined();
});

test('helm rollback brings the upstream release back, on the same claims, with its password and TURN port', () => {
  op?.proc.kill('SIGTERM');
  helmOk('rollback', 'aileron', '1', '-n', 'aileron', '--wait', '--timeout', '3m');
  kOk(['rollout', 'status', 'statefulset/aileron-aileron-postgres', '-n', 'aileron', '--timeout=90s']);
  const pg = json(['get', 'pod', 'aileron-aileron-postgres-0', '-n', 'aileron']);
  expect(pg.spec.volumes.find((v: Loose) => v.name === 'data').persistentVolumeClaim.claimName).toBe('data-aileron-aileron-postgres-0');
  expect(secretValue('aileron', 'aileron-aileron-secrets', 'postgres-password')).toBe('postgres');
  const turn = json(['get', 'service', 'aileron-aileron-coturn', '-n', 'aileron']);
  expect([turn.spec.ports[0].nodePort, turn.spec.selector['app.kubernetes.io/instance']]).toEqual([30478, 'aileron']);
  expect(k(['get', 'statefulset', 'aileron-postgres', '-n', 'aileron']).status).not.toBe(0);
  // Our Namespace object is kept on the way back, and with it the Workspace.
  expect(json(['get', 'workspace', 'ws-aileron', '-n', 'workspace-system']).metadata.name).toBe('ws-aileron');
});

test('the move migrate prints puts CoTURN in a namespace of its own, on the same NodePort; the release namespace then enforces restricted', () => {
  const r = RELEASES[1];
  const move = `kubectl delete service -n ${r.ns} ${r.upstream}-coturn && helm upgrade ${r.release} <chart> -n ${r.ns} --reuse-values --set coturn.namespace= --set coturn.serviceName= ` +
    `&& kubectl wait --for=delete pod -n ${r.ns} -l app.kubernetes.io/component=coturn --timeout=2m ` +
    `&& kubectl label namespace ${r.ns} --overwrite pod-security.kubernetes.io/enforce=restricted`;
  expect(migrateSaid.get(r.release)).toContain(move);
  kOk(['delete', 'service', '-n', r.ns, `${r.upstream}-coturn`]);
  helmOk('upgrade', r.release, CHART, '-n', r.ns, '--reuse-values', '--set', 'coturn.namespace=', '--set', 'coturn.serviceName=', '--wait', '--timeout', '3m');
  kOk(['wait', '--for=delete', 'pod', '-n', r.ns, '-l', 'app.kubernetes.io/component=coturn', '--timeout=2m']);
  // Labelling warns about any running pod that "restricted" would refuse: none does.
  const label = k(['label', 'namespace', r.ns, '--overwrite', 'pod-security.kubernetes.io/enforce=restricted']);
  expect([label.status, label.stderr]).toEqual([0, '']);
  const turn = json(['get', 'service', `${r.ours}-coturn`, '-n', `${r.release}-turn`]);
  expect(turn.spec.ports.map((p: Loose) => p.nodePort)).toEqual([r.nodePort, r.nodePort]);
  kOk(['rollout', 'status', `deployment/${r.ours}-coturn`, '-n', `${r.release}-turn`, '--timeout=90s']);
  expect(kOk(['get', 'deployment,service', '-n', r.ns, '-l', 'app.kubernetes.io/component=coturn', '-o', 'name'])).toBe('');
});

test('helm uninstall of our release leaves the data: the claims, the credentials, the namespace, the CRD and its Workspaces', () => {
  helmOk('uninstall', 'prod', '-n', 'aileron-prod', '--wait');
  for (const claim of ['data-prod-aileron-postgres-0', 'data-prod-aileron-redis-0', 'knowledge-bases-pvc']) {
    expect([claim, kOk(['get', 'pvc', claim, '-n', 'aileron-prod', '-o', 'jsonpath={.status.phase}'])]).toEqual([claim, 'Bound']);
  }
  expect(secretValue('aileron-prod', 'prod-upstream-credentials', 'postgres-password')).toBe('7yHq2-prod-db-Kx9vPz');
  expect(json(['get', 'namespace', 'prod-workspaces']).status.phase).toBe('Active');
  expect(json(['get', 'workspace', 'ws-prod', '-n', 'prod-workspaces']).metadata.name).toBe('ws-prod');
  expect(readFileSync(valuesFile(RELEASES[1]), 'utf8')).toContain('existingClaim: data-prod-aileron-postgres-0');
});
