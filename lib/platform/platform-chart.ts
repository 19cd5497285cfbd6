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
import { PlatformConfig } from '../components/platform-config.js';
import { PlatformSecrets } from '../components/secrets.js';
import { Frontend } from '../components/frontend.js';
import { WorkspaceManager } from '../components/workspace-manager.js';
import { operatorEnabled, WorkspaceOperator } from '../components/workspace-operator.js';
import { Keycloak } from '../components/keycloak.js';
import { Coturn } from '../components/coturn.js';
import { Postgres, PostgresBootstrap } from '../components/postgres.js';
import { Redis } from '../components/redis.js';
import { KnowledgeBasesPvc } from '../components/storage.js';
import { PlatformIngress } from '../components/ingress.js';
import { PlatformNetworkPolicies } from '../components/network-policies.js';

export interface PlatformOptions extends ReleaseOptions {
  values: Values;
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
    const ctx = (this.ctx = new PlatformContext(options.values, options));
    const v = options.values;

    if (options.createReleaseNamespace ?? true) new ReleaseNamespace(this, 'release-namespace', ctx);
    new WorkspaceNamespaces(this, 'workspace-namespaces', ctx);
    if (options.includeCrd ?? true) new WorkspaceCrd(this, 'workspace-crd', crdLabels());
    const config = new PlatformConfig(this, 'platform-config', ctx);
    new PlatformSecrets(this, 'secrets', { ctx, generator: options.secrets ?? new ReusingSecretGenerator() });
    new KnowledgeBasesPvc(this, 'knowledge-bases', ctx);

    if (v.frontend.enabled) new Frontend(this, 'frontend', ctx);
    if (v.workspaceManager.enabled) new WorkspaceManager(this, 'workspace-manager', { ctx, configChecksum: config.checksum });
    if (operatorEnabled(v)) new WorkspaceOperator(this, 'workspace-operator', { ctx, configChecksum: config.checksum });
    if (v.keycloak.enabled) new Keycloak(this, 'keycloak', ctx);
    if (v.coturn.enabled) new Coturn(this, 'coturn', ctx);
    if (v.postgres.enabled) {
      new Postgres(this, 'postgres', ctx);
      new PostgresBootstrap(this, 'postgres-bootstrap', ctx);
    }
    if (v.redis.enabled) new Redis(this, 'redis', ctx);
    if (v.ingress.enabled) new PlatformIngress(this, 'ingress', ctx);
    if (v.networkPolicy.enabled) new PlatformNetworkPolicies(this, 'network-policies', ctx);
  }
}

/** Renders the platform to plain objects. */
export function renderPlatform(options: PlatformOptions): K8sObject[] {
  const app = new App();
  const chart = new PlatformChart(app, 'aileron', options);
  return chart.toJson() as K8sObject[];
}
