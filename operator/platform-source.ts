/** The WorkspacePlatform the operator works with, read from the platform-config ConfigMap (cached briefly). */
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import type { Kube } from './kube.js';

export interface PlatformSource {
  get(): Promise<WorkspacePlatform>;
}

export class ConfigMapPlatformSource implements PlatformSource {
  private cached?: { at: number; value: WorkspacePlatform };

  constructor(
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly name: string,
    private readonly ttlMs = 10_000,
  ) {}

  async get(): Promise<WorkspacePlatform> {
    if (this.cached && Date.now() - this.cached.at < this.ttlMs) return this.cached.value;
    const cm = await this.kube.get<{ data?: Record<string, string> }>({ apiVersion: 'v1', plural: 'configmaps', namespace: this.namespace, name: this.name });
    const json = cm.data?.WORKSPACE_PLATFORM;
    if (!json) throw new Error(`ConfigMap ${this.namespace}/${this.name} has no WORKSPACE_PLATFORM key`);
    const value = JSON.parse(json) as WorkspacePlatform;
    this.cached = { at: Date.now(), value };
    return value;
  }
}
