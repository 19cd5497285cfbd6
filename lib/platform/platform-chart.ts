/**
 * The whole platform as one cdk8s Chart: each enabled component's construct,
 * in the order a reader expects. Both renderers start here.
 */
import { App, Chart } from 'cdk8s';
import type { Values } from '../values/schema.js';
import { PlatformContext, type ReleaseOptions } from './context.js';
import { asVals } from './template-value.js';
import { ReusingSecretGenerator, type SecretGenerator } from './credentials.js';
import { crdLabels, WorkspaceCrd } from '../crd/workspace-crd.js';
import { ReleaseNamespace, WorkspaceNamespaces } from '../components/namespaces.js';
import { Monitoring } from '../components/monitoring.js';
import { TurnNamespace } from '../components/turn-namespace.js';
import { PlatformConfig } from '../components/platform-config.js';
import { PlatformSecrets } from '../components/secrets.js';
import { Frontend } from '../components/frontend.js';
import { WorkspaceManager } from '../components/workspace-manager.js';
import { operatorEnabled, WorkspaceOperator } from '../components/workspace-operator.js';
import { Keycloak } from '../components/keycloak.js';
import { WorkspaceAuthCallback } from '../components/workspace-auth.js';
import { Coturn } from '../components/coturn.js';
import { Postgres, PostgresBootstrap } from '../components/postgres.js';
import { Redis } from '../components/redis.js';
import { KnowledgeBasesPvc } from '../components/storage.js';
import { PlatformIngress } from '../components/ingress.js';
import { PlatformRoutes } from '../components/gateway-routes.js';
import { PlatformGateway } from '../components/gateway.js';
import { PlatformNetworkPolicies } from '../components/network-policies.js';

export interface PlatformOptions extends ReleaseOptions {
  values?: Values;
  /** A context of its own (the chart's template mode); made from values and the release otherwise. */
  ctx?: PlatformContext;
  /** Source of credentials not given in values (fresh random by default). */
  secrets?: SecretGenerator;
  /** Render the release Namespace too (synth does; Helm leaves it to --create-namespace). */
  createReleaseNamespace?: boolean;
  /** Render the CRD among the objects (synth does; the chart keeps it in crds/). */
  includeCrd?: boolean;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
};

export class PlatformChart extends Chart {
  readonly ctx: PlatformContext;

  constructor(scope: App, id: string, options: PlatformOptions) {
    super(scope, id, { disableResourceNameHashes: true });
    const ctx = (this.ctx = options.ctx ?? new PlatformContext(options.values!, options));
    const { x } = ctx;
    // Constructs see values as template values in both modes, so what compiles renders the same in synth and the chart.
    const v = asVals(ctx.values);

    // One template file per construct below, named by its id.
    if (options.createReleaseNamespace ?? true) new ReleaseNamespace(this, 'release-namespace', { release: ctx, values: v.coturn });
    new WorkspaceNamespaces(this, 'namespaces', { release: ctx, values: v });
    new TurnNamespace(this, 'turn-namespace', { release: ctx, values: v.coturn });
    if (options.includeCrd ?? true) new WorkspaceCrd(this, 'workspace-crd', crdLabels());
    const { checksum: configChecksum } = new PlatformConfig(this, 'platform-config', { release: ctx, values: v });
    new PlatformSecrets(this, 'secrets', { release: ctx, values: v, generator: options.secrets ?? new ReusingSecretGenerator() });
    new KnowledgeBasesPvc(this, 'knowledge-bases-pvc', { release: ctx, values: v.kubernetes.knowledgeBases });

    // Each component is built where enabled; in the chart, its objects are wrapped in the same test.
    x.scope(this, x.truthy(v.frontend.enabled), () => new Frontend(this, 'frontend', { release: ctx, values: v.frontend, managerPort: v.workspaceManager.service.port }));
    x.scope(this, x.truthy(v.workspaceManager.enabled), () =>
      new WorkspaceManager(this, 'workspace-manager', {
        release: ctx,
        values: v.workspaceManager,
        configChecksum,
        workspaces: v.kubernetes,
        services: { postgres: v.postgres, redis: v.redis, keycloak: v.keycloak },
      }),
    );
    x.scope(this, operatorEnabled(ctx, v), () =>
      new WorkspaceOperator(this, 'workspace-operator', {
        release: ctx,
        values: v.workspaceOperator,
        configChecksum,
        allowedNamespaces: v.kubernetes.allowedNamespaces,
        copies: { workspaceAuth: v.workspaceAuth, coturn: v.coturn },
      }),
    );
    x.scope(this, x.truthy(v.keycloak.enabled), () =>
      new Keycloak(this, 'keycloak', { release: ctx, values: v.keycloak, routing: v.publicRouting, database: v.postgres, workspaceAuth: v.workspaceAuth }),
    );
    x.scope(this, x.truthy(v.workspaceAuth.enabled), () =>
      new WorkspaceAuthCallback(this, 'workspace-auth', { release: ctx, values: v.workspaceAuth, routing: v.publicRouting, keycloak: v.keycloak }),
    );
    x.scope(this, x.truthy(v.coturn.enabled), () => new Coturn(this, 'coturn', { release: ctx, values: v.coturn }));
    x.scope(this, x.truthy(v.postgres.enabled), () => {
      new Postgres(this, 'postgres', { release: ctx, values: v.postgres });
      new PostgresBootstrap(this, 'postgres-bootstrap', { release: ctx, values: v.postgres });
    });
    x.scope(this, x.truthy(v.redis.enabled), () => new Redis(this, 'redis', { release: ctx, values: v.redis }));
    x.scope(this, x.truthy(v.ingress.enabled), () => new PlatformIngress(this, 'ingress', { release: ctx, values: v }));
    x.scope(this, x.truthy(v.gatewayAPI.enabled), () => new PlatformRoutes(this, 'gateway-routes', { release: ctx, values: v }));
    x.scope(this, x.and(x.truthy(v.gatewayAPI.enabled), x.truthy(v.gatewayAPI.createGateway)), () => new PlatformGateway(this, 'gateway', { release: ctx, values: v }));
    x.scope(this, x.truthy(v.networkPolicy.enabled), () => new PlatformNetworkPolicies(this, 'network-policies', { release: ctx, values: v }));
    new Monitoring(this, 'monitoring', { release: ctx, values: v });
  }
}

/** Renders the platform to plain objects. */
export function renderPlatform(options: PlatformOptions): K8sObject[] {
  const app = new App();
  const chart = new PlatformChart(app, 'aileron', options);
  return chart.toJson() as K8sObject[];
}
