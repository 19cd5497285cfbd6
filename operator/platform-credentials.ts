/**
 * The platform Secrets the operator copies into workspace namespaces: the
 * CoTURN credentials (for neko) and the workspace proxies' client and cookie
 * secrets. Read from CoTURN's namespace and the release namespace, cached for
 * a minute.
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
    const turnSecret = platform.turn.enabled ? { namespace: platform.turn.secretNamespace, name: platform.turn.secretName } : undefined;
    const authSecret = platform.auth.enabled ? { namespace: platform.releaseNamespace, name: platform.auth.secretName } : undefined;
    const key = JSON.stringify([turnSecret, authSecret]);
    if (this.cache?.key === key && Date.now() - this.cache.at < TTL_MS) return this.cache.value;
    const [turnData, authData] = await Promise.all([this.read(turnSecret, 'CoTURN'), this.read(authSecret, 'workspace-auth')]);
    const value = { turn: turnData && turnCredentialsFrom(turnData), auth: authData && authCredentialsFrom(authData) };
    this.cache = { at: Date.now(), key, value };
    return value;
  }

  /** A Secret's data; undefined when none is configured or it is missing (the render then says what that means). */
  private async read(ref: { namespace: string; name: string } | undefined, what: string): Promise<Record<string, string> | undefined> {
    if (!ref?.name) return undefined;
    const secret = await this.kube.getIfExists<{ data?: Record<string, string> }>({ apiVersion: 'v1', plural: 'secrets', ...ref });
    if (secret) return secret.data ?? {};
    this.log.warn(`${what} Secret not found`, { secret: `${ref.namespace}/${ref.name}` });
    return undefined;
  }
}
