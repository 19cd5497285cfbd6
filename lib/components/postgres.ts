/**
 * PostgreSQL StatefulSet (non-root, data on a claim template or an existing
 * claim) and the postgres-bootstrap Job that creates the Keycloak database
 * idempotently. The server reads our pg_hba.conf, not the one in its data
 * directory: data made elsewhere (the upstream chart trusted every
 * connection) gets password authentication too.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { container, emptyDir, execProbe, podMetadata, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { dataVolumes, platformService, platformStatefulSet } from '../platform/workload.js';
import { secretNameOf, SECRET_KEYS } from './secrets.js';
import type { ValOr } from '../platform/template-value.js';

export const POSTGRES_PORT = 5432;
const DATA_MOUNT = '/var/lib/postgresql/data';
const HBA_DIR = '/etc/postgresql/hba';

/** Who may connect, and how: a password (SCRAM) over TCP; the socket is inside the container only (the image's first-start scripts use it). */
export const PG_HBA_CONF = [
  '# Rendered by aileron-k8s. The server reads this file, not the pg_hba.conf in its data directory.',
  'local all all trust',
  'host all all 0.0.0.0/0 scram-sha-256',
  'host all all ::/0 scram-sha-256',
  '',
].join('\n');

/** PGDATA: the data folder of the volume, or its root. */
export function pgdata(ctx: Release, sub: ValOr<string>): string {
  return ctx.x.computed(() => (ctx.x.value(sub) ? `${DATA_MOUNT}/${sub}` : DATA_MOUNT), () => `trimSuffix "/" (printf "${DATA_MOUNT}/%s" ${ctx.x.helm(sub)})`, 'string');
}

/** PostgreSQL and its bootstrap: `postgres.*` of values. */
export type PostgresProps = ConstructProps<Values['postgres']>;

export class Postgres extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: p }: PostgresProps) {
    super(scope, id);
    const { x } = ctx;
    const password = secretEnv('POSTGRES_PASSWORD', secretNameOf(ctx, 'postgres', p.auth.existingSecret), SECRET_KEYS.postgres.password);
    const ready = execProbe(['/bin/sh', '-c', `pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1`]);
    const hbaConfig = ctx.name('postgres');
    new k8s.KubeConfigMap(this, 'hba', { metadata: ctx.metadata('postgres', hbaConfig), data: { 'pg_hba.conf': PG_HBA_CONF } });

    platformStatefulSet(this, ctx, {
      component: 'postgres',
      settings: p,
      persistence: p.persistence,
      spec: podSpec(ctx, p, {
        component: 'postgres',
        runAsUser: x.value(p.runAsUser),
        fsGroup: x.value(p.runAsUser),
        containers: [
          container({
            name: 'postgres',
            image: p.image,
            resources: p.resources,
            args: ['postgres', '-c', `hba_file=${HBA_DIR}/pg_hba.conf`],
            ports: [{ name: 'postgres', containerPort: POSTGRES_PORT }],
            env: [
              { name: 'POSTGRES_USER', value: x.value(p.auth.username) },
              { name: 'POSTGRES_DB', value: x.value(p.auth.appDatabase) },
              password,
              { name: 'PGDATA', value: pgdata(ctx, p.dataSubdirectory) },
              ...plainEnv(p.env, x),
            ],
            volumeMounts: [
              { name: 'data', mountPath: DATA_MOUNT },
              { name: 'hba', mountPath: HBA_DIR, readOnly: true },
              { name: 'run', mountPath: '/var/run/postgresql' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            readinessProbe: ready,
            livenessProbe: { ...tcpProbe(POSTGRES_PORT, 20), failureThreshold: 6 },
          }, x),
        ],
        volumes: [...dataVolumes(ctx, p.persistence), { name: 'hba', configMap: { name: hbaConfig } }, emptyDir('run'), emptyDir('tmp')],
      }),
    });
    platformService(this, ctx, 'postgres', [{ name: 'postgres', port: POSTGRES_PORT }]);
    platformService(this, ctx, 'postgres', [{ name: 'postgres', port: POSTGRES_PORT }], {
      id: 'headless-service',
      name: `${ctx.name('postgres')}-headless`,
      headless: true,
    });
  }
}

/**
 * The bootstrap's SQL, as the superuser, run again on every install and upgrade without changing what is right:
 * one login role per service with the password in the Secret (set again, so a rotated Secret takes), each
 * database owned by its service's role and closed to every other, and what the superuser made in a database
 * before (an earlier release, or the upstream chart, whose services connected as the superuser) handed to that
 * role. psql's :'var' and :"var" quote the values: passwords may hold any character.
 */
export const BOOTSTRAP_SQL = String.raw`SELECT format('CREATE ROLE %I LOGIN', :'app_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_user')\gexec
SELECT format('CREATE ROLE %I LOGIN', :'kc_user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'kc_user')\gexec
ALTER ROLE :"app_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
ALTER ROLE :"kc_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'kc_password';
SELECT format('CREATE DATABASE %I', :'app_db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'app_db')\gexec
SELECT format('CREATE DATABASE %I', :'kc_db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'kc_db')\gexec
ALTER DATABASE :"app_db" OWNER TO :"app_user";
ALTER DATABASE :"kc_db" OWNER TO :"kc_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
REVOKE ALL ON DATABASE :"kc_db" FROM PUBLIC;
\set owner :app_user
\c :"app_db"
\ir hand-over.sql
\set owner :kc_user
\c :"kc_db"
\ir hand-over.sql
`;

/** In the database psql is connected to: the superuser's schemas, tables, views and free-standing sequences pass to :owner. */
export const HAND_OVER_SQL = String.raw`SELECT format('ALTER SCHEMA %I OWNER TO %I', nspname, :'owner') FROM pg_namespace WHERE pg_get_userbyid(nspowner) = current_user AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'\gexec
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, :'owner') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND pg_get_userbyid(c.relowner) = current_user AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))\gexec
`;

/** Waits for PostgreSQL, then runs the bootstrap SQL (written next to it) with the values it needs as psql variables. */
export function bootstrapScript(): string {
  return [
    'until pg_isready -h "$PGHOST" -p "$PGPORT" -U "$PGUSER"; do echo waiting for postgres; sleep 2; done',
    `cd "$(mktemp -d)"`,
    `cat > bootstrap.sql <<'SQL'\n${BOOTSTRAP_SQL}SQL`,
    `cat > hand-over.sql <<'SQL'\n${HAND_OVER_SQL}SQL`,
    'psql -v ON_ERROR_STOP=1 -v app_db="$APP_DATABASE" -v app_user="$APP_USER" -v app_password="$APP_PASSWORD" -v kc_db="$KEYCLOAK_DATABASE" -v kc_user="$KEYCLOAK_USER" -v kc_password="$KEYCLOAK_PASSWORD" -f bootstrap.sql',
  ].join('\n');
}

/**
 * Creates the services' roles and databases; safe to run again. A hook Job for Helm (and Argo CD), deleted before
 * the next run: a Job's pod template cannot change in place, so an upgrade that changes it would fail.
 */
export class PostgresBootstrap extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: p }: PostgresProps) {
    super(scope, id);
    const { x } = ctx;
    const secret = secretNameOf(ctx, 'postgres', p.auth.existingSecret);
    new k8s.KubeJob(this, 'job', {
      metadata: {
        ...ctx.metadata('postgres-bootstrap'),
        annotations: {
          'helm.sh/hook': 'post-install,post-upgrade',
          'helm.sh/hook-delete-policy': 'before-hook-creation',
          'argocd.argoproj.io/hook': 'Sync',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        backoffLimit: 10,
        template: {
          metadata: podMetadata(ctx, 'postgres-bootstrap', p),
          spec: {
            ...podSpec(ctx, p, {
              component: 'postgres-bootstrap',
              runAsUser: x.value(p.runAsUser),
              containers: [
                container({
                  name: 'bootstrap',
                  image: p.image,
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
                  command: ['/bin/sh', '-ec', bootstrapScript()],
                  env: [
                    { name: 'PGHOST', value: ctx.serviceHost('postgres') },
                    { name: 'PGPORT', value: String(POSTGRES_PORT) },
                    { name: 'PGUSER', value: x.value(p.auth.username) },
                    { name: 'PGDATABASE', value: 'postgres' },
                    secretEnv('PGPASSWORD', secret, SECRET_KEYS.postgres.password),
                    { name: 'APP_DATABASE', value: x.value(p.auth.appDatabase) },
                    { name: 'APP_USER', value: x.value(p.auth.appUsername) },
                    secretEnv('APP_PASSWORD', secret, SECRET_KEYS.postgres.appPassword),
                    { name: 'KEYCLOAK_DATABASE', value: x.value(p.auth.keycloakDatabase) },
                    { name: 'KEYCLOAK_USER', value: x.value(p.auth.keycloakUsername) },
                    secretEnv('KEYCLOAK_PASSWORD', secret, SECRET_KEYS.postgres.keycloakPassword),
                  ],
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                }, x),
              ],
              volumes: [emptyDir('tmp')],
            }),
            restartPolicy: 'OnFailure',
          },
        },
      },
    });
  }
}
