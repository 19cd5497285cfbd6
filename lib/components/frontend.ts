/**
 * Frontend: nginx serving the UI, configured by the frontend-nginx ConfigMap
 * to run unprivileged (port 8080, writable paths on emptyDirs) and to proxy
 * the API to the workspace manager.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { checksum } from '../platform/checksum.js';
import { container, emptyDir, httpProbe, podSpec, tcpProbe } from '../platform/pod.js';
import { platformDeployment, platformService } from '../platform/workload.js';
import type { Val } from '../platform/template-value.js';

export const FRONTEND_PORT = 8080;

function frontendNginxConf(release: Release, managerPort: Val<number>): string {
  const manager = `${release.serviceHost('workspace-manager')}:${managerPort}`;
  return `worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;
  sendfile on;
  server_tokens off;
  server {
    listen ${FRONTEND_PORT};
    root /usr/share/nginx/html;
    location = /healthz { access_log off; return 200 "ok\\n"; }
    location /api/ {
      proxy_pass http://${manager};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_read_timeout 3600s;
    }
    location / { try_files $uri $uri/ /index.html; }
  }
}
`;
}

/** The frontend: `frontend.*` of values, and where the manager listens. */
export interface FrontendProps extends ConstructProps<Values['frontend']> {
  /** The workspace manager's Service port (workspaceManager.service.port), where nginx proxies `/api/`. */
  readonly managerPort: Val<number>;
}

export class Frontend extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v, managerPort }: FrontendProps) {
    super(scope, id);
    const { x } = ctx;
    const configName = ctx.name('frontend-nginx');
    const data = x.named('frontend-nginx', { 'nginx.conf': frontendNginxConf(ctx, managerPort) });
    new k8s.KubeConfigMap(this, 'nginx-config', { metadata: ctx.metadata('frontend', configName), data });

    platformDeployment(this, ctx, {
      component: 'frontend',
      replicas: v.replicaCount,
      autoscaling: v.autoscaling,
      settings: v,
      checksums: { 'frontend-nginx': x.checksum(data, checksum) },
      spec: podSpec(ctx, v, {
        component: 'frontend',
        runAsUser: 101,
        containers: [
          container({
            name: 'frontend',
            image: v.image,
            resources: v.resources,
            ports: [{ name: 'http', containerPort: FRONTEND_PORT }],
            env: x.when(x.truthy(v.env), plainEnv(v.env, x)),
            volumeMounts: [
              { name: 'nginx-config', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf', readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'cache', mountPath: '/var/cache/nginx' },
            ],
            readinessProbe: httpProbe('/healthz', 'http'),
            livenessProbe: tcpProbe(FRONTEND_PORT, 20),
          }, x),
        ],
        volumes: [{ name: 'nginx-config', configMap: { name: configName } }, emptyDir('tmp'), emptyDir('cache')],
      }),
    });
    platformService(this, ctx, 'frontend', [{ name: 'http', port: v.service.port }], { type: v.service.type, annotations: v.service.annotations });
  }
}
