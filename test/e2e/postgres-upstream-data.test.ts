/**
 * What `migrate --from-release` renders, run against a real PostgreSQL 15
 * data directory made the way the upstream chart's postgres:15-alpine made
 * it: initdb as user postgres with password "postgres", a pg_hba.conf that
 * trusts every host (POSTGRES_HOST_AUTH_METHOD: trust), the application
 * database, data in it, all at the volume's root. Debian's PostgreSQL 15
 * serves it on loopback with the arguments our StatefulSet gives the server,
 * and our bootstrap Job's script runs against it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { tmpdir } from 'node:os';
import { loadValues } from '../../lib/values/load.js';
import { renderPlatform } from '../../lib/platform/platform-chart.js';
import { freePort } from '../cluster/control-plane.js';
import { eventually } from '../support/operator-harness.js';
import { find, podSpecOf, type Loose } from '../support/render.js';
import { rotatePasswordCommand } from '../../lib/cli/migrate-release.js';

const BIN = '/usr/lib/postgresql/15/bin';
const PSQL = join(BIN, 'psql');
const MOUNT = '/var/lib/postgresql/data';

// The values migrate --from-release writes for an upstream release with its defaults (see upstream-migration.test).
const objects = renderPlatform({
  values: loadValues({
    set: [
      'postgres.image.tag=15-alpine',
      'postgres.runAsUser=70',
      'postgres.persistence.existingClaim=data-aileron-aileron-postgres-0',
      'postgres.dataSubdirectory=',
      'postgres.auth.existingSecret=aileron-upstream-credentials',
    ],
  }),
});
const server = podSpecOf(find(objects, 'StatefulSet', 'aileron-postgres')).containers[0] as Loose;
const env = (container: Loose, name: string) => (container.env as Loose[]).find((e) => e.name === name)?.value as string;
const hbaConf = (find(objects, 'ConfigMap', 'aileron-postgres').data as Record<string, string>)['pg_hba.conf'];
const bootstrap = podSpecOf(find(objects, 'Job', 'aileron-postgres-bootstrap')).containers[0] as Loose;

const root = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'pg-upstream-'));
const volume = join(dir, 'volume');
const run = join(dir, 'run');
let port = 0;
let postgres: ChildProcess | undefined;
const serverLog: string[] = [];

/** PostgreSQL refuses to run as root: as root, the test runs it as Debian's postgres user. */
const idOf = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
const asPostgres = root ? { uid: idOf('-u'), gid: idOf('-g') } : {};
function must(cmd: string, args: string[]) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', ...asPostgres });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${res.stderr}`);
  return res.stdout;
}
const psql = (password: string, sql: string, db = 'aileron', user = 'postgres') =>
  spawnSync(PSQL, ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', db, '-tAc', sql], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password } });
/** The services' role passwords, as the Secret may hold them: quotes, dollars, backslashes and spaces. */
const APP_PASSWORD = `it's $HOME \\ and "spaces"`;
const KEYCLOAK_PASSWORD = `$(id) '; DROP ROLE postgres; --`;

/** The data the upstream chart left: its image's entrypoint steps, with its defaults, then an application's rows. */
function upstreamDataDirectory(): void {
  mkdirSync(volume, { recursive: true });
  mkdirSync(run, { recursive: true });
  if (root) for (const d of [dir, volume, run]) chownSync(d, asPostgres.uid!, asPostgres.gid!);
  chmodSync(dir, 0o755);
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, 'postgres\n', { mode: 0o644 });
  must(join(BIN, 'initdb'), ['-D', volume, '--username=postgres', `--pwfile=${pwfile}`, '-E', 'UTF8']);
  // docker-entrypoint.sh: POSTGRES_HOST_AUTH_METHOD=trust is a line in the data directory's own pg_hba.conf.
  writeFileSync(join(volume, 'pg_hba.conf'), `${readFileSync(join(volume, 'pg_hba.conf'), 'utf8')}\nhost all all all trust\n`);
  // -l: the server's output goes to a file, not to the pipes this test reads pg_ctl's from.
  must(join(BIN, 'pg_ctl'), ['-D', volume, '-l', join(run, 'init.log'), '-o', `-c listen_addresses='' -c unix_socket_directories=${run}`, '-w', 'start']);
  const sql = (db: string, q: string) => must(PSQL, ['-h', run, '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-c', q]);
  sql('postgres', 'CREATE DATABASE aileron');
  sql('aileron', "CREATE TABLE workspaces (id text PRIMARY KEY, owner text); INSERT INTO workspaces VALUES ('alice-ws', 'alice'), ('bob-ws', 'bob')");
  sql('aileron', 'CREATE TABLE events (id serial PRIMARY KEY, what text); CREATE SEQUENCE counter; CREATE VIEW owners AS SELECT DISTINCT owner FROM workspaces');
  // upstream's bootstrap made Keycloak's database, and Keycloak its tables, all as the superuser.
  sql('postgres', 'CREATE DATABASE keycloak');
  sql('keycloak', "CREATE TABLE realm (id text PRIMARY KEY); INSERT INTO realm VALUES ('aileron')");
  must(join(BIN, 'pg_ctl'), ['-D', volume, '-w', 'stop']);
}

beforeAll(async () => {
  upstreamDataDirectory();
  port = await freePort();
  // The server as our StatefulSet starts it: its args, PGDATA mapped into the volume, our pg_hba.conf from the ConfigMap.
  const hbaPath = join(dir, 'hba', 'pg_hba.conf');
  mkdirSync(join(dir, 'hba'));
  writeFileSync(hbaPath, hbaConf, { mode: 0o644 });
  const pgdata = join(volume, posix.relative(MOUNT, env(server, 'PGDATA')));
  const args = (server.args as string[]).slice(1).map((a) => a.replace(/^hba_file=.*/, `hba_file=${hbaPath}`));
  postgres = spawn(join(BIN, 'postgres'), ['-D', pgdata, ...args, '-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${run}`], asPostgres);
  postgres.stderr!.on('data', (c) => serverLog.push(String(c)));
  await eventually('PostgreSQL accepting connections', () => spawnSync(join(BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0, 30_000);
}, 120_000);

afterAll(async () => {
  postgres?.kill('SIGINT');
  if (postgres && postgres.exitCode === null) await new Promise((r) => postgres!.on('exit', r));
});

test('PGDATA is the volume root, where the data is, and the data is the major version of the image we render', () => {
  expect(env(server, 'PGDATA')).toBe(MOUNT);
  const dataMajor = readFileSync(join(volume, 'PG_VERSION'), 'utf8').trim();
  expect(dataMajor).toBe('15');
  expect(server.image).toBe(`postgres:${dataMajor}-alpine`);
});

/** The Job's script with the Job's env, the Secret's values filled in. */
function runBootstrap() {
  const script = (bootstrap.command as string[])[2];
  const secretValues: Record<string, string> = { PGPASSWORD: 'postgres', APP_PASSWORD, KEYCLOAK_PASSWORD };
  const jobEnv = Object.fromEntries((bootstrap.env as Loose[]).map((e) => [e.name, e.value ?? secretValues[e.name]]));
  return spawnSync('/bin/sh', ['-ec', script], { encoding: 'utf8', env: { ...process.env, ...jobEnv, PGHOST: '127.0.0.1', PGPORT: String(port), PATH: `${BIN}:${process.env.PATH}` } });
}

/** Roles, database owners and grants, and who owns each relation: what a second run must leave as it was. */
const catalog = () =>
  [
    psql('postgres', "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1", 'postgres').stdout,
    psql('postgres', 'SELECT datname, pg_get_userbyid(datdba), datacl FROM pg_database ORDER BY 1', 'postgres').stdout,
    ...['aileron', 'keycloak'].map((db) => psql('postgres', "SELECT relname, relkind, pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1", db).stdout),
  ].join('\n');

test('the bootstrap Job\'s script gives each service its own role, owning its database and what upstream made in it, and nothing else', () => {
  const res = runBootstrap();
  expect([res.status, res.stderr]).toEqual([0, '']);
  // Each service's role logs in with the Secret's password, to its own database, and owns what the superuser made there.
  expect(psql(APP_PASSWORD, 'SELECT id, owner FROM workspaces ORDER BY id', 'aileron', 'aileron').stdout.trim()).toBe('alice-ws|alice\nbob-ws|bob');
  expect(psql(APP_PASSWORD, "INSERT INTO events (what) VALUES ('migrated') RETURNING id", 'aileron', 'aileron').stdout.trim()).toBe('1\nINSERT 0 1');
  expect(psql(APP_PASSWORD, "SELECT nextval('counter'), count(*) FROM owners", 'aileron', 'aileron').stdout.trim()).toBe('1|2');
  expect(psql(KEYCLOAK_PASSWORD, 'SELECT id FROM realm', 'keycloak', 'keycloak').stdout.trim()).toBe('aileron');
  // Neither reaches the other's database, nor is a superuser.
  expect(psql(APP_PASSWORD, 'SELECT 1', 'keycloak', 'aileron').stderr).toContain('permission denied for database "keycloak"');
  expect(psql(KEYCLOAK_PASSWORD, 'SELECT 1', 'aileron', 'keycloak').stderr).toContain('permission denied for database "aileron"');
  expect(psql('postgres', "SELECT string_agg(rolname || ':' || rolsuper, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('aileron', 'keycloak')", 'postgres').stdout.trim()).toBe('aileron:false,keycloak:false');
  expect(psql('postgres', "SELECT string_agg(datname || ':' || pg_get_userbyid(datdba), ',' ORDER BY datname) FROM pg_database WHERE datname IN ('aileron', 'keycloak')", 'postgres').stdout.trim()).toBe('aileron:aileron,keycloak:keycloak');
});

test('a second run (every upgrade runs it) changes nothing, and the data is as upstream left it', () => {
  const before = catalog();
  const res = runBootstrap();
  expect([res.status, res.stderr]).toEqual([0, '']);
  expect(catalog()).toBe(before);
  expect(psql('postgres', 'SELECT id, owner FROM workspaces ORDER BY id').stdout.trim()).toBe('alice-ws|alice\nbob-ws|bob');
});

test('the server reads our pg_hba.conf: the data directory\'s "trust every host" no longer lets a wrong password in', () => {
  expect(readFileSync(join(volume, 'pg_hba.conf'), 'utf8')).toContain('host all all all trust');
  const wrong = psql('not-the-password', 'SELECT 1');
  expect(wrong.status).not.toBe(0);
  expect(wrong.stderr).toContain('password authentication failed for user "postgres"');
  expect(psql('postgres', 'SELECT 1').stdout.trim()).toBe('1');
});

test('the rotation command migrate prints for the default password works: set over the socket, the old password is refused after', () => {
  const command = rotatePasswordCommand('aileron', 'aileron', 'postgres', 'aileron-upstream-credentials', 'aileron');
  // Its step inside the server's pod: psql over the socket (PGHOST: the socket folder, /var/run/postgresql there).
  const inPod = command.split(' && ')[1].split(' -- ')[1];
  const res = spawnSync('/bin/sh', ['-c', `P=rotated-7c1e9a; ${inPod}`], { encoding: 'utf8', env: { ...process.env, PGHOST: run, PGPORT: String(port), PATH: `${BIN}:${process.env.PATH}` } });
  expect([res.status, res.stdout.trim()]).toEqual([0, 'ALTER ROLE']);
  expect(psql('postgres', 'SELECT 1').stderr).toContain('password authentication failed');
  expect(psql('rotated-7c1e9a', 'SELECT count(*) FROM workspaces').stdout.trim()).toBe('2');
});
