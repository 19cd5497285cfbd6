/**
 * PostgreSQL StatefulSet (non-root, uid 999, data on a claim template) and the
 * postgres-bootstrap Job that creates the Keycloak database idempotently.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';
import { container, emptyDir, execProbe, podMetadata, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { platformService, platformStatefulSet } from '../platform/workload.js';
import { credentialsSecretName, SECRET_KEYS } from './secrets.js';

export const POSTGRES_PORT = 5432;
const POSTGRES_UID = 999;

export class Postgres extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const { x, values: v } = ctx;
    const p = v.postgres;
    const password = secretEnv('POSTGRES_PASSWORD', credentialsSecretName(ctx, 'postgres'), SECRET_KEYS.postgres.password);
    const ready = execProbe(['/bin/sh', '-c', `pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1`]);

    platformStatefulSet(this, ctx, {
      component: 'postgres',
      settings: p,
      persistence: p.persistence,
      spec: podSpec(ctx, p, {
        component: 'postgres',
        runAsUser: POSTGRES_UID,
        fsGroup: POSTGRES_UID,
        containers: [
          container({
            name: 'postgres',
            image: p.image,
            resources: p.resources,
            ports: [{ name: 'postgres', containerPort: POSTGRES_PORT }],
            env: [
              { name: 'POSTGRES_USER', value: p.auth.username },
              { name: 'POSTGRES_DB', value: p.auth.appDatabase },
              password,
              { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
              ...plainEnv(p.env, x),
            ],
            volumeMounts: [
              { name: 'data', mountPath: '/var/lib/postgresql/data' },
              { name: 'run', mountPath: '/var/run/postgresql' },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            readinessProbe: ready,
            livenessProbe: { ...tcpProbe(POSTGRES_PORT, 20), failureThreshold: 6 },
          }, x),
        ],
        volumes: [...x.whenAll(x.not(x.truthy(p.persistence.enabled)), [emptyDir('data', p.persistence.size)]), emptyDir('run'), emptyDir('tmp')],
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
              runAsUser: POSTGRES_UID,
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
