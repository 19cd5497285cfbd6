/**
 * After a switch from the upstream chart, Keycloak's database holds the realm
 * upstream imported, and Keycloak imports no realm that exists. The command
 * `migrate --from-release` prints (realmSyncCommand) adds what workspace
 * sign-in needs from our realm file and touches nothing that exists. Proven
 * on the real Keycloak (the Maven Central distribution, a private copy) in a
 * network namespace of its own: first started on the upstream chart's realm
 * as its helm renders it, then the command run with our rendered realm file
 * in the import folder and our Deployment's environment.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { loadValues } from '../../lib/values/load.js';
import { renderPlatform } from '../../lib/platform/platform-chart.js';
import { realmSyncCommand } from '../../lib/cli/migrate-release.js';
import { AuthLab, JAVA_HOME, KEYCLOAK_HOME } from '../support/auth-lab.js';
import { tool } from '../support/tools.js';
import { find, podSpecOf, ROOT, type Loose } from '../support/render.js';

const UPSTREAM_CHART = join(ROOT, '..', 'shared', 'upstream-chart', 'aileron');
const dir = mkdtempSync(join(tmpdir(), 'kc-sync-'));
const home = join(dir, 'keycloak');
const CLIENT_SECRET = 'w'.repeat(32);
const ADMIN = { KC_BOOTSTRAP_ADMIN_USERNAME: 'admin', KC_BOOTSTRAP_ADMIN_PASSWORD: 'admin' }; // upstream's, kept by migrate

/** upstream's realm, as its chart renders it with its defaults. */
function upstreamRealm(): string {
  const res = tool('helm', ['template', 'aileron', UPSTREAM_CHART, '--show-only', 'templates/keycloak-realm-configmap.yaml']);
  if (res.status !== 0) throw new Error(res.stderr);
  return parse(res.stdout).data['aileron-realm.json'];
}

/** Our realm file and Keycloak env, for the values `migrate` makes of upstream's stock values. */
function ours(): { realm: string; env: Record<string, string> } {
  const res = spawnSync(process.execPath, [join(ROOT, 'build', 'aileron-k8s.cjs'), 'migrate', '-f', join(UPSTREAM_CHART, 'values.yaml')], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(res.stderr);
  const file = join(dir, 'values.yaml');
  writeFileSync(file, res.stdout);
  const objects = renderPlatform({ values: loadValues({ files: [file], set: [`workspaceAuth.clientSecret=${CLIENT_SECRET}`] }) });
  // The Deployment's plain settings (its database aside: the lab's Keycloak keeps its own in memory).
  const env = Object.fromEntries(
    (podSpecOf(find(objects, 'Deployment', 'aileron-keycloak')).containers[0].env as Loose[]).filter((e) => e.value !== undefined && !e.name.startsWith('KC_DB')).map((e) => [e.name, e.value]),
  );
  return { realm: (find(objects, 'ConfigMap', 'aileron-keycloak-realm').data as Record<string, string>)['realm.json'], env };
}

let lab: AuthLab;
const kcadm = (args: string[]) => JSON.parse(lab.run('env', [`JAVA_HOME=${JAVA_HOME}`, join(home, 'bin', 'kcadm.sh'), ...args, '-r', 'aileron', '--config', join(dir, 'kcadm.config')]) || 'null');
const client = (clientId: string) => kcadm(['get', 'clients', '-q', `clientId=${clientId}`])[0];
let ourRealm: { realm: string; env: Record<string, string> };

beforeAll(async () => {
  cpSync(realpathSync(KEYCLOAK_HOME), home, { recursive: true });
  ourRealm = ours();
  lab = new AuthLab([]);
  await lab.startKeycloak(upstreamRealm(), { ...ourRealm.env, ...ADMIN }, home);
  lab.run('env', [`JAVA_HOME=${JAVA_HOME}`, join(home, 'bin', 'kcadm.sh'), 'config', 'credentials', '--config', join(dir, 'kcadm.config'), '--server', 'http://127.0.0.1:8080', '--realm', 'master', '--user', 'admin', '--password', 'admin']);
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

/** The printed command, as the Keycloak pod would run it: its /opt/keycloak is the private copy here. */
function runSync(): { status: number | null; output: string } {
  writeFileSync(join(home, 'data', 'import', 'realm.json'), ourRealm.realm); // the Deployment mounts our realm file there
  const command = realmSyncCommand('aileron', 'aileron', 'aileron');
  const script = command.slice(command.indexOf("bash -c '") + "bash -c '".length, -1).replaceAll('/opt/keycloak', home).replaceAll('/tmp/kcadm.config', join(dir, 'sync.config'));
  const env = { ...ourRealm.env, ...ADMIN, AILERON_WORKSPACE_CLIENT_SECRET: CLIENT_SECRET, JAVA_HOME };
  return lab.tryRun('env', [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'bash', '-c', script], 120_000);
}

test('before: upstream\'s realm has no client for the workspace proxies', () => {
  expect(client('aileron-workspaces')).toBeUndefined();
  expect(client('aileron-frontend').redirectUris).toContain('http://aileron.aileron.localhost/*');
});

test('the command adds the proxies\' client, with the Secret\'s client secret and the callback on the kept hosts, and the admin role', () => {
  const frontendBefore = client('aileron-frontend');
  const res = runSync();
  expect([res.status, res.output]).toEqual([0, expect.any(String)]);
  const workspaces = client('aileron-workspaces');
  expect(workspaces).toMatchObject({ publicClient: false, standardFlowEnabled: true, redirectUris: ['http://auth.aileron.localhost/oauth2/callback'] });
  expect(kcadm(['get', `clients/${workspaces.id}/client-secret`]).value).toBe(CLIENT_SECRET);
  expect(kcadm(['get', 'roles']).map((r: Loose) => r.name)).toContain('aileron-workspace-admin');
  // What upstream made is left as it was: the platform's own client keeps its id and settings.
  expect(client('aileron-frontend')).toEqual(frontendBefore);
});

test('run again (every upgrade may), it changes nothing and succeeds', () => {
  const before = kcadm(['get', 'clients']);
  const res = runSync();
  expect(res.status).toBe(0);
  expect(kcadm(['get', 'clients'])).toEqual(before);
});
