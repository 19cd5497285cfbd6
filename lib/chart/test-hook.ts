/**
 * The `helm test` hook (Helm only, so it lives with the chart): a Pod with one
 * check container per service, each calling its health endpoint through the
 * Service. The pod succeeds only when every check does.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';
import { container, podSpec } from '../platform/pod.js';
import { KEYCLOAK_MANAGEMENT_PORT } from '../components/keycloak.js';
import { asVals } from '../platform/template-value.js';

const NO_SCHEDULING = asVals({ nodeSelector: {}, tolerations: [], affinity: {}, podAnnotations: {}, podLabels: {}, priorityClassName: '', topologySpreadConstraints: [] });
const CHECK_RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } };

export class HelmTest extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const { x } = ctx;
    const v = asVals(ctx.values);
    const check = (name: string, url: string) =>
      container(
        {
          name,
          image: v.tests.image,
          resources: CHECK_RESOURCES,
          command: ['curl', '-fsS', '--max-time', '5', '--retry', '30', '--retry-delay', '2', '--retry-all-errors', '-o', '/dev/null', url],
        },
        x,
      );
    const manager = x.truthy(v.workspaceManager.enabled);
    const keycloak = x.truthy(v.keycloak.enabled);
    x.scope(this, x.or(manager, keycloak), () => {
      new k8s.KubePod(this, 'pod', {
        metadata: {
          ...ctx.metadata('test'),
          annotations: { 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' },
        },
        spec: {
          ...podSpec(ctx, NO_SCHEDULING, {
            component: 'test',
            runAsUser: 100,
            containers: x.list(
              x.when(manager, check('workspace-manager', `http://${ctx.name('workspace-manager')}:${v.workspaceManager.service.port}/health`)),
              x.when(keycloak, check('keycloak', `http://${ctx.name('keycloak')}:${KEYCLOAK_MANAGEMENT_PORT}/health/ready`)),
            ),
          }),
          restartPolicy: 'Never',
        },
      });
    });
  }
}
