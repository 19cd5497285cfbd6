/**
 * The platform Secrets the operator copies into workspace namespaces: the
 * CoTURN credentials (for neko) and the workspace proxies' client and cookie
 * secrets. Read from the release namespace, cached for a minute.
 */
import { authCredentialsFrom, turnCredentialsFrom, type DesiredStateOptions } from '../lib/workspace/workspace-chart.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import type { Kube } from './kube.js';
import type { Logger } from './log.js';

const TTL_MS = 60_000;

export class PlatformCredentials {
  private cache?: { at: number; key: string; value: DesiredStateOptions };

  constructor(
    private readonly kube: Kube,
    private readonly log: Logger,
  ) {}

  async get(platform: WorkspacePlatform): Promise<DesiredStateOptions> {
    const turnSecret = platform.turn.enabled ? platform.turn.secretName : '';
    const authSecret = platform.auth.enabled ? platform.auth.secretName : '';
    const key = `${platform.releaseNamespace}/${turnSecret}/${authSecret}`;
    if (this.cache?.key === key && Date.now() - this.cache.at < TTL_MS) return this.cache.value;
    const [turnData, authData] = await Promise.all([this.read(platform, turnSecret, 'CoTURN'), this.read(platform, authSecret, 'workspace-auth')]);
    const value = { turn: turnData && turnCredentialsFrom(turnData), auth: authData && authCredentialsFrom(authData) };
    this.cache = { at: Date.now(), key, value };
    return value;
  }

  /** A Secret's data; undefined when none is configured or it is missing (the render then says what that means). */
  private async read(platform: WorkspacePlatform, name: string, what: string): Promise<Record<string, string> | undefined> {
    if (!name) return undefined;
    const secret = await this.kube.getIfExists<{ data?: Record<string, string> }>({ apiVersion: 'v1', plural: 'secrets', namespace: platform.releaseNamespace, name });
    if (secret) return secret.data ?? {};
    this.log.warn(`${what} Secret not found`, { secret: `${platform.releaseNamespace}/${name}` });
    return undefined;
  }
}
