/**
 * Redis StatefulSet with auth always on. The password is fed to redis-server
 * as config on stdin (a shell builtin prints it), so it never appears in any
 * process's arguments; redis-cli reads it from REDISCLI_AUTH.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import type { ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { container, execProbe, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { dataVolumes, platformService, platformStatefulSet } from '../platform/workload.js';
import { secretNameOf, SECRET_KEYS } from './secrets.js';

export const REDIS_PORT = 6379;
const REDIS_UID = 999;

/** redis-server reads its config, password included, from stdin. */
export function redisCommand(appendonly: string): string {
  const config = `requirepass %s\\nappendonly ${appendonly}\\ndir /data\\nport ${REDIS_PORT}\\n`;
  return `printf '${config}' "$REDIS_PASSWORD" | exec redis-server -`;
}

/** Redis: `redis.*` of values. */
export type RedisProps = ConstructProps<Values['redis']>;

export class Redis extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: r }: RedisProps) {
    super(scope, id);
    const { x } = ctx;
    const persistent = x.truthy(r.persistence.enabled);
    const secret = secretNameOf(ctx, 'redis', r.auth.existingSecret);
    const ping = execProbe(['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG']);

    platformStatefulSet(this, ctx, {
      component: 'redis',
      settings: r,
      persistence: r.persistence,
      spec: podSpec(ctx, r, {
        component: 'redis',
        runAsUser: REDIS_UID,
        fsGroup: REDIS_UID,
        containers: [
          container({
            name: 'redis',
            image: r.image,
            resources: r.resources,
            command: ['/bin/sh', '-c', redisCommand(x.choose(persistent, 'yes', 'no'))],
            ports: [{ name: 'redis', containerPort: REDIS_PORT }],
            env: [
              secretEnv('REDIS_PASSWORD', secret, SECRET_KEYS.redis.password),
              secretEnv('REDISCLI_AUTH', secret, SECRET_KEYS.redis.password),
              ...plainEnv(r.env, x),
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            readinessProbe: ping,
            livenessProbe: tcpProbe(REDIS_PORT, 20),
          }, x),
        ],
        volumes: x.when(x.or(x.not(persistent), x.truthy(r.persistence.existingClaim)), dataVolumes(ctx, r.persistence)),
      }),
    });
    platformService(this, ctx, 'redis', [{ name: 'redis', port: REDIS_PORT }]);
    platformService(this, ctx, 'redis', [{ name: 'redis', port: REDIS_PORT }], {
      id: 'headless-service',
      name: `${ctx.name('redis')}-headless`,
      headless: true,
    });
  }
}
