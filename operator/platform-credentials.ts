/**
 * The platform Secrets the operator copies into workspace namespaces: the
 * CoTURN credentials (for neko) and the workspace proxies' client and cookie
 * secrets. Read from CoTURN's namespace and the release namespace, kept as
 * ReconcileCaches.credentials says.
 */
import { authCredentialsFrom, turnCredentialsFrom, type DesiredStateOptions } from '../lib/workspace/workspace-chart.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import type { Kube } from './kube.js';
import type { Logger } from './log.js';
import type { TtlCache } from './reconcile/caches.js';

export class PlatformCredentials {
  constructor(
    private readonly kube: Kube,
    private readonly log: Logger,
    private readonly cache: TtlCache<string, DesiredStateOptions>,
  ) {}

  async get(platform: WorkspacePlatform): Promise<DesiredStateOptions> {
    const turnSecret = platform.turn.enabled ? { namespace: platform.turn.secretNamespace, name: platform.turn.secretName } : undefined;
    const authSecret = platform.auth.enabled ? { namespace: platform.releaseNamespace, name: platform.auth.secretName } : undefined;
    const key = JSON.stringify([turnSecret, authSecret]);
    const kept = this.cache.get(key);
    if (kept) return kept;
    const [turnData, authData] = await Promise.all([this.read(turnSecret, 'CoTURN'), this.read(authSecret, 'workspace-auth')]);
    return this.cache.set(key, { turn: turnData && turnCredentialsFrom(turnData), auth: authData && authCredentialsFrom(authData) });
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
