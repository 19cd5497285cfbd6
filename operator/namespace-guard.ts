/**
 * Workspaces run untrusted code: a workspace namespace must enforce Pod
 * Security "restricted", so a pod that asks for more is refused by the API
 * server itself. The chart labels the namespaces it creates; one it does not
 * (`default`, or kubernetes.createNamespaces: false) is checked here before
 * anything is applied, and a Workspace aimed at an unlabelled one fails,
 * saying which label to set. A namespace found restricted is kept as
 * ReconcileCaches.restrictedNamespaces says; one that is not is read again on
 * every retry, so a label set by hand takes at once.
 */
import { WorkspaceError } from '../lib/workspace/model.js';
import type { Kube } from './kube.js';
import type { TtlCache } from './reconcile/caches.js';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

export class NamespaceGuard {
  constructor(
    private readonly kube: Kube,
    private readonly restricted: TtlCache<string, true>,
  ) {}

  async check(namespace: string): Promise<void> {
    if (this.restricted.get(namespace)) return;
    const entry = await this.read(namespace);
    const enforce = entry.labels[ENFORCE_LABEL];
    if (entry.exists && enforce === 'restricted') {
      this.restricted.set(namespace, true);
      return;
    }
    this.restricted.delete(namespace);
    const fix = `kubectl label namespace ${namespace} ${ENFORCE_LABEL}=restricted`;
    if (!entry.exists) {
      throw new WorkspaceError('spec.targetNamespace', `namespace "${namespace}" does not exist; create it enforcing Pod Security "restricted" (kubectl create namespace ${namespace} && ${fix})`, 'NamespaceMissing', true);
    }
    throw new WorkspaceError(
      'spec.targetNamespace',
      `namespace "${namespace}" enforces Pod Security "${enforce ?? 'privileged'}", and workspace pods run untrusted code: make it enforce "restricted" (${fix})`,
      'NamespaceNotRestricted',
      true,
    );
  }

  /**
   * Whether the namespace is another Aileron release's (its chart labelled it): a Workspace aimed there is that
   * release's operator's to reconcile, and this one leaves it alone rather than marking it Failed.
   */
  async belongsToAnotherRelease(namespace: string, release: { name: string; namespace: string }): Promise<boolean> {
    const { labels, annotations } = await this.read(namespace);
    if (labels['app.kubernetes.io/part-of'] !== 'aileron' || !labels['app.kubernetes.io/instance']) return false;
    const helmNamespace = annotations['meta.helm.sh/release-namespace'];
    return labels['app.kubernetes.io/instance'] !== release.name || (helmNamespace !== undefined && helmNamespace !== release.namespace);
  }

  private async read(namespace: string): Promise<{ exists: boolean; labels: Record<string, string>; annotations: Record<string, string> }> {
    const ns = await this.kube.getIfExists<{ metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } }>({ apiVersion: 'v1', plural: 'namespaces', name: namespace });
    return { exists: ns !== undefined, labels: ns?.metadata?.labels ?? {}, annotations: ns?.metadata?.annotations ?? {} };
  }
}
