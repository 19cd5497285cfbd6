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
import type { PlatformContext } from '../platform/context.js';
import { container, emptyDir, execProbe, podMetadata, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { dataVolumes, platformService, platformStatefulSet } from '../platform/workload.js';
import { credentialsSecretName, SECRET_KEYS } from './secrets.js';

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
export function pgdata(ctx: PlatformContext): string {
  const sub = ctx.values.postgres.dataSubdirectory;
  return ctx.x.dual(() => (sub ? `${DATA_MOUNT}/${sub}` : DATA_MOUNT), () => `trimSuffix "/" (printf "${DATA_MOUNT}/%s" ${ctx.x.helm(sub)})`, 'string');
}

export class Postgres extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const { x, values: v } = ctx;
    const p = v.postgres;
    const password = secretEnv('POSTGRES_PASSWORD', credentialsSecretName(ctx, 'postgres'), SECRET_KEYS.postgres.password);
    const ready = execProbe(['/bin/sh', '-c', `pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1`]);
    const hbaConfig = ctx.name('postgres');
    new k8s.KubeConfigMap(this, 'hba', { metadata: ctx.metadata('postgres', hbaConfig), data: { 'pg_hba.conf': PG_HBA_CONF } });

    platformStatefulSet(this, ctx, {
      component: 'postgres',
      settings: p,
      persistence: p.persistence,
      spec: podSpec(ctx, p, {
        component: 'postgres',
        runAsUser: p.runAsUser,
        fsGroup: p.runAsUser,
        containers: [
          container({
            name: 'postgres',
            image: p.image,
            resources: p.resources,
            args: ['postgres', '-c', `hba_file=${HBA_DIR}/pg_hba.conf`],
            ports: [{ name: 'postgres', containerPort: POSTGRES_PORT }],
            env: [
              { name: 'POSTGRES_USER', value: p.auth.username },
              { name: 'POSTGRES_DB', value: p.auth.appDatabase },
              password,
              { name: 'PGDATA', value: pgdata(ctx) },
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

/** Waits for PostgreSQL, then creates the database when it is missing; safe to run again. */
export function bootstrapScript(db: string): string {
  return [
    'until pg_isready -h "$PGHOST" -p "$PGPORT" -U "$PGUSER"; do echo waiting for postgres; sleep 2; done',
    `psql -tAc "SELECT 1 FROM pg_database WHERE datname='${db}'" | grep -q 1 || psql -c 'CREATE DATABASE "${db}"'`,
  ].join('\n');
}

/** Creates the Keycloak database when it is missing; safe to run again. */
export class PostgresBootstrap extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const v = ctx.values;
    const p = v.postgres;
    const script = bootstrapScript(p.auth.keycloakDatabase);
    new k8s.KubeJob(this, 'job', {
      metadata: ctx.metadata('postgres-bootstrap'),
      spec: {
        backoffLimit: 10,
        template: {
          metadata: podMetadata(ctx, 'postgres-bootstrap', p),
          spec: {
            ...podSpec(ctx, p, {
              component: 'postgres-bootstrap',
              runAsUser: p.runAsUser,
              containers: [
                container({
                  name: 'bootstrap',
                  image: p.image,
                  resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
                  command: ['/bin/sh', '-ec', script],
                  env: [
                    { name: 'PGHOST', value: ctx.serviceHost('postgres') },
                    { name: 'PGPORT', value: String(POSTGRES_PORT) },
                    { name: 'PGUSER', value: p.auth.username },
                    { name: 'PGDATABASE', value: p.auth.appDatabase },
                    secretEnv('PGPASSWORD', credentialsSecretName(ctx, 'postgres'), SECRET_KEYS.postgres.password),
                  ],
                }, ctx.x),
              ],
            }),
            restartPolicy: 'OnFailure',
          },
        },
      },
    });
  }
}
