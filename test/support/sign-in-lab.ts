/**
 * Workspace sign-in with every real piece running (auth-lab.ts): the platform
 * rendered for a base domain of its own, Keycloak with the rendered realm and
 * its users, the sign-in callback and one runtime proxy per workspace with the
 * rendered arguments, stand-in components behind them, and chromium. Shared
 * by the sign-in test and the benchmark.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadValues } from '../../lib/values/load.js';
import type { Values } from '../../lib/values/schema.js';
import { renderPlatform, type K8sObject } from '../../lib/platform/platform-chart.js';
import { ReusingSecretGenerator } from '../../lib/platform/credentials.js';
import type { WorkspacePlatform } from '../../lib/workspace/platform.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { AuthLab } from './auth-lab.js';
import { find, podSpecOf, ROOT, type Loose } from './render.js';

export const BASE_DOMAIN = 'aileron.test';
export const KEYCLOAK_HOST = `keycloak.${BASE_DOMAIN}`;
export const CALLBACK_HOST = `auth.${BASE_DOMAIN}`;
export const runtimeHost = (id: string) => `workspace-runtime-${id}.${BASE_DOMAIN}`;
const KEYCLOAK_SERVICE = 'aileron-keycloak.aileron.svc.cluster.local';
const CALLBACK_PORT = 4180;
/** Workspace i's proxy listens on 4181 + i; its stand-in on 3002 / 3004 + 10000 * i (every "pod" shares one loopback). */
const proxyPort = (i: number) => 4181 + i;
/** Where the i-th workspace proxy serves its metrics (the operator's activity reading). */
export const metricsPort = (i: number) => 5181 + i;
const upstreamShift = (i: number) => 10000 * i;

export interface LabUser {
  username: string;
  groups?: string[];
}

export interface SignInLab {
  lab: AuthLab;
  browser: Browser;
  values: Values;
  password: string;
  /** Keycloak user ids by username (what a Workspace's ownerId holds). */
  ids: Record<string, string>;
  /** The workspace proxies' process ids, by workspace id. */
  proxyPids: Record<string, number>;
  stop(): Promise<void>;
}

const listenOn = (args: string[], port: number, metrics: number) =>
  args.map((a) => (a.startsWith('--http-address=') ? `--http-address=127.0.0.1:${port}` : a.startsWith('--metrics-address=') ? `--metrics-address=127.0.0.1:${metrics}` : a));
const shiftUpstreams = (args: string[], by: number) =>
  args.map((a) => a.replace(/^--upstream=http:\/\/127\.0\.0\.1:(\d+)/, (_m, p) => `--upstream=http://127.0.0.1:${Number(p) + by}`));

/** Starts it all; `workspaces` pairs a workspace id with its owner's username. */
export async function startSignInLab(users: LabUser[], workspaces: Array<{ id: string; owner: string }>, set: string[] = []): Promise<SignInLab> {
  const values = loadValues({ set: [`publicRouting.baseDomain=${BASE_DOMAIN}`, ...set] });
  const objects = renderPlatform({ values, secrets: new ReusingSecretGenerator() });
  const platform = JSON.parse((find(objects, 'ConfigMap', 'aileron-platform-config').data as Record<string, string>).WORKSPACE_PLATFORM) as WorkspacePlatform;
  const secretData = (name: string) => find(objects, 'Secret', name).stringData as Record<string, string>;
  const authSecret = secretData('aileron-workspace-auth');
  const password = `pw-${randomBytes(6).toString('hex')}`;

  /** A container's env as the kubelet would give it: values, and secretKeyRefs resolved from the rendered Secrets. */
  const resolvedEnv = (deployment: K8sObject): Record<string, string> =>
    Object.fromEntries(
      (podSpecOf(deployment).containers[0].env as Loose[]).map((e) => {
        const ref = e.valueFrom?.secretKeyRef;
        return [e.name, ref ? secretData(ref.name)[ref.key] : e.value];
      }),
    );

  /** The runtime proxy's arguments and Secret for a Workspace owned by `ownerId`, as the operator renders them. */
  const runtimeProxy = (id: string, ownerId: string) => {
    const ws = { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name: id, namespace: 'workspace-system' }, spec: { workspaceId: id, ownerId } };
    const state = desiredState(ws, platform, { auth: { clientSecret: authSecret['client-secret'], cookieSecret: authSecret['cookie-secret'] } });
    const deployment = state.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `workspace-runtime-${id}`)!;
    const proxy = (podSpecOf(deployment).containers as Loose[]).find((c) => c.name === 'auth-proxy');
    const secret = state.objects.find((o) => o.kind === 'Secret' && o.metadata.name === `workspace-${id}-auth`)!;
    return { args: proxy.args as string[], secret: secret.stringData as Record<string, string> };
  };

  const lab = new AuthLab([KEYCLOAK_HOST, CALLBACK_HOST, KEYCLOAK_SERVICE, ...workspaces.map((w) => runtimeHost(w.id))]);
  try {
    lab.startIngress([
      { host: KEYCLOAK_HOST, port: 8080 },
      { host: CALLBACK_HOST, port: CALLBACK_PORT },
      ...workspaces.map((w, i) => ({ host: runtimeHost(w.id), port: proxyPort(i) })),
    ]);
    const realm = (find(objects, 'ConfigMap', 'aileron-keycloak-realm').data as Record<string, string>)['realm.json'];
    const kcEnv = Object.fromEntries(Object.entries(resolvedEnv(find(objects, 'Deployment', 'aileron-keycloak'))).filter(([k]) => !k.startsWith('KC_DB')));
    await lab.startKeycloak(realm, kcEnv);
    const ids = JSON.parse(
      lab.run(process.execPath, [
        join(ROOT, 'build', 'test', 'support', 'keycloak-users.js'),
        'http://127.0.0.1:8080',
        kcEnv.KC_BOOTSTRAP_ADMIN_USERNAME,
        kcEnv.KC_BOOTSTRAP_ADMIN_PASSWORD,
        values.keycloak.realm,
        JSON.stringify(users.map((u) => ({ ...u, password }))),
      ]),
    ) as Record<string, string>;

    // The sign-in callback, exactly as its Deployment runs it, and one runtime proxy per workspace.
    lab.startProxy('callback', podSpecOf(find(objects, 'Deployment', 'aileron-workspace-auth')).containers[0].args, authSecret);
    const proxyPids: Record<string, number> = {};
    for (const [i, w] of workspaces.entries()) {
      const proxy = runtimeProxy(w.id, ids[w.owner]);
      proxyPids[w.id] = lab.startProxy(`proxy ${w.id}`, listenOn(shiftUpstreams(proxy.args, upstreamShift(i)), proxyPort(i), metricsPort(i)), proxy.secret).pid!;
      await lab.startStandIn(w.id, 3002 + upstreamShift(i), 3004 + upstreamShift(i), '/ws/terminal');
    }
    for (const port of [CALLBACK_PORT, ...workspaces.map((_, i) => proxyPort(i))]) {
      await lab.waitFor(`oauth2-proxy on ${port}`, () => lab.probe('http', `http://127.0.0.1:${port}/ping`).status === 200, 20_000);
    }
    const browser = await chromium.launch({ executablePath: lab.chromiumInNamespace(), headless: true });
    return {
      lab,
      browser,
      values,
      password,
      ids,
      proxyPids,
      stop: async () => {
        await browser.close();
        await lab.stop();
      },
    };
  } catch (err) {
    await lab.stop();
    throw err;
  }
}

/** The workspace's sign-in page hands the browser on to the callback host, which sends it to Keycloak's login. */
export const toKeycloak = (page: Page) => page.waitForURL((u) => u.host === KEYCLOAK_HOST, { timeout: 20_000 });

/** Signs in on Keycloak's login page, starting from a workspace URL; returns the page where it lands. */
export async function signIn(s: SignInLab, context: BrowserContext, username: string, start: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(start);
  await toKeycloak(page);
  await page.fill('#username', username);
  await page.fill('#password', s.password);
  await Promise.all([page.waitForURL((u) => u.host !== KEYCLOAK_HOST && u.host !== CALLBACK_HOST, { timeout: 20_000 }), page.click('#kc-login')]);
  return page;
}
