/**
 * Redis StatefulSet with auth always on. The password is fed to redis-server
 * as config on stdin (a shell builtin prints it), so it never appears in any
 * process's arguments; redis-cli reads it from REDISCLI_AUTH.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import type { PlatformContext } from '../platform/context.js';
import { container, emptyDir, execProbe, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { platformService, platformStatefulSet } from '../platform/workload.js';
import { credentialsSecretName, SECRET_KEYS } from './secrets.js';

export const REDIS_PORT = 6379;
const REDIS_UID = 999;

/** redis-server reads its config, password included, from stdin. */
export function redisCommand(appendonly: string): string {
  const config = `requirepass %s\\nappendonly ${appendonly}\\ndir /data\\nport ${REDIS_PORT}\\n`;
  return `printf '${config}' "$REDIS_PASSWORD" | exec redis-server -`;
}

export class Redis extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const v = ctx.values;
    const r = v.redis;
    const secret = credentialsSecretName(ctx, 'redis');
    const ping = execProbe(['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG']);

    platformStatefulSet(this, ctx, {
      component: 'redis',
      settings: r,
      volumeClaim: r.persistence.enabled
        ? { size: r.persistence.size, storageClass: r.persistence.storageClass || v.global.storageClass }
        : undefined,
      spec: podSpec(v, r, {
        runAsUser: REDIS_UID,
        fsGroup: REDIS_UID,
        containers: [
          container({
            name: 'redis',
            image: r.image,
            resources: r.resources,
            command: ['/bin/sh', '-c', redisCommand(r.persistence.enabled ? 'yes' : 'no')],
            ports: [{ name: 'redis', containerPort: REDIS_PORT }],
            env: [
              secretEnv('REDIS_PASSWORD', secret, SECRET_KEYS.redis.password),
              secretEnv('REDISCLI_AUTH', secret, SECRET_KEYS.redis.password),
              ...plainEnv(r.env),
            ],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            readinessProbe: ping,
            livenessProbe: tcpProbe(REDIS_PORT, 20),
          }),
        ],
        volumes: r.persistence.enabled ? undefined : [emptyDir('data', r.persistence.size)],
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
