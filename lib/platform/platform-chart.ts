/**
 * The whole platform as one cdk8s Chart: each enabled component's construct,
 * in the order a reader expects. Both renderers start here.
 */
import { App, Chart } from 'cdk8s';
import type { Values } from '../values/schema.js';
import { PlatformContext, type ReleaseOptions } from './context.js';
import { ReusingSecretGenerator, type SecretGenerator } from './credentials.js';
import { crdLabels, WorkspaceCrd } from '../crd/workspace-crd.js';
import { ReleaseNamespace, WorkspaceNamespaces } from '../components/namespaces.js';
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
    const { values: v, x } = ctx;

    // One template file per construct below, named by its id.
    if (options.createReleaseNamespace ?? true) new ReleaseNamespace(this, 'release-namespace', ctx);
    new WorkspaceNamespaces(this, 'namespaces', ctx);
    new TurnNamespace(this, 'turn-namespace', ctx);
    if (options.includeCrd ?? true) new WorkspaceCrd(this, 'workspace-crd', crdLabels());
    const { checksum: configChecksum } = new PlatformConfig(this, 'platform-config', ctx);
    new PlatformSecrets(this, 'secrets', { ctx, generator: options.secrets ?? new ReusingSecretGenerator() });
    new KnowledgeBasesPvc(this, 'knowledge-bases-pvc', ctx);

    // Each component is built where enabled; in the chart, its objects are wrapped in the same test.
    x.scope(this, x.truthy(v.frontend.enabled), () => new Frontend(this, 'frontend', ctx));
    x.scope(this, x.truthy(v.workspaceManager.enabled), () => new WorkspaceManager(this, 'workspace-manager', { ctx, configChecksum }));
    x.scope(this, operatorEnabled(ctx), () => new WorkspaceOperator(this, 'workspace-operator', { ctx, configChecksum }));
    x.scope(this, x.truthy(v.keycloak.enabled), () => new Keycloak(this, 'keycloak', ctx));
    x.scope(this, x.truthy(v.workspaceAuth.enabled), () => new WorkspaceAuthCallback(this, 'workspace-auth', ctx));
    x.scope(this, x.truthy(v.coturn.enabled), () => new Coturn(this, 'coturn', ctx));
    x.scope(this, x.truthy(v.postgres.enabled), () => {
      new Postgres(this, 'postgres', ctx);
      new PostgresBootstrap(this, 'postgres-bootstrap', ctx);
    });
    x.scope(this, x.truthy(v.redis.enabled), () => new Redis(this, 'redis', ctx));
    x.scope(this, x.truthy(v.ingress.enabled), () => new PlatformIngress(this, 'ingress', ctx));
    x.scope(this, x.truthy(v.networkPolicy.enabled), () => new PlatformNetworkPolicies(this, 'network-policies', ctx));
  }
}

/** Renders the platform to plain objects. */
export function renderPlatform(options: PlatformOptions): K8sObject[] {
  const app = new App();
  const chart = new PlatformChart(app, 'aileron', options);
  return chart.toJson() as K8sObject[];
}
