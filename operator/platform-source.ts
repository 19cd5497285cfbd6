/** The WorkspacePlatform the operator works with, read from the platform-config ConfigMap (kept as ReconcileCaches.platform says). */
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import type { Kube } from './kube.js';
import type { TtlCache } from './reconcile/caches.js';

export interface PlatformSource {
  get(): Promise<WorkspacePlatform>;
}

export class ConfigMapPlatformSource implements PlatformSource {
  constructor(
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly name: string,
    private readonly cache: TtlCache<'platform', WorkspacePlatform>,
  ) {}

  async get(): Promise<WorkspacePlatform> {
    const kept = this.cache.get('platform');
    if (kept) return kept;
    const cm = await this.kube.get<{ data?: Record<string, string> }>({ apiVersion: 'v1', plural: 'configmaps', namespace: this.namespace, name: this.name });
    const json = cm.data?.WORKSPACE_PLATFORM;
    if (!json) throw new Error(`ConfigMap ${this.namespace}/${this.name} has no WORKSPACE_PLATFORM key`);
    return this.cache.set('platform', JSON.parse(json) as WorkspacePlatform);
  }
}
