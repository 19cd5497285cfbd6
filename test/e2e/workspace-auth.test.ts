/**
 * Owner-only access to workspace endpoints, with the real programs: Keycloak
 * imports the realm the chart renders, oauth2-proxy runs the sign-in
 * callback and two workspaces' proxies with the rendered arguments, nginx
 * routes the public hosts, and Debian's chromium signs in on Keycloak's own
 * login page (auth-lab.ts says what runs where). Alice and Bob own one
 * workspace each; Carol is in the admin group.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { loadValues } from '../../lib/values/load.js';
import { renderPlatform, type K8sObject } from '../../lib/platform/platform-chart.js';
import { ReusingSecretGenerator } from '../../lib/platform/credentials.js';
import type { WorkspacePlatform } from '../../lib/workspace/platform.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { AUTH_COOKIE_NAME } from '../../lib/workspace/auth-proxy.js';
import { AuthLab } from '../support/auth-lab.js';
import { find, podSpecOf, type Loose } from '../support/render.js';

const BASE = 'aileron.test';
const KEYCLOAK_HOST = `keycloak.${BASE}`;
const CALLBACK_HOST = `auth.${BASE}`;
const host = (id: string) => `workspace-runtime-${id}.${BASE}`;
const KEYCLOAK_SERVICE = 'aileron-keycloak.aileron.svc.cluster.local';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

const values = loadValues({ set: [`publicRouting.baseDomain=${BASE}`, 'workspaceAuth.adminGroup=workspace-admins'] });
const objects = renderPlatform({ values, secrets: new ReusingSecretGenerator() });
const platform = JSON.parse((find(objects, 'ConfigMap', 'aileron-platform-config').data as Record<string, string>).WORKSPACE_PLATFORM) as WorkspacePlatform;
const secretData = (name: string) => find(objects, 'Secret', name).stringData as Record<string, string>;

/** A container's env as the kubelet would give it: values, and secretKeyRefs resolved from the rendered Secrets. */
function resolvedEnv(deployment: K8sObject): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of podSpecOf(deployment).containers[0].env as Loose[]) {
    const ref = e.valueFrom?.secretKeyRef;
    env[e.name] = ref ? secretData(ref.name)[ref.key] : e.value;
  }
  return env;
}

/** The runtime proxy's arguments and Secret for a Workspace owned by `ownerId`, as the operator renders them. */
function runtimeProxy(id: string, ownerId: string) {
  const auth = { clientSecret: secretData('aileron-workspace-auth')['client-secret'], cookieSecret: secretData('aileron-workspace-auth')['cookie-secret'] };
  const ws = { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name: id, namespace: 'workspace-system' }, spec: { workspaceId: id, ownerId } };
  const state = desiredState(ws, platform, { auth });
  const deployment = state.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `workspace-runtime-${id}`)!;
  const proxy = (podSpecOf(deployment).containers as Loose[]).find((c) => c.name === 'auth-proxy');
  const secret = state.objects.find((o) => o.kind === 'Secret' && o.metadata.name === `workspace-${id}-auth`)!;
  return { args: proxy.args as string[], secret: secret.stringData as Record<string, string> };
}

const listenOn = (args: string[], port: number) => args.map((a) => (a.startsWith('--http-address=') ? `--http-address=127.0.0.1:${port}` : a));
const shiftUpstreams = (args: string[], by: number) =>
  args.map((a) => a.replace(/^--upstream=http:\/\/127\.0\.0\.1:(\d+)/, (_m, p) => `--upstream=http://127.0.0.1:${Number(p) + by}`));

let lab: AuthLab;
let browser: Browser;
let ids: Record<string, string>;

beforeAll(async () => {
  lab = new AuthLab([KEYCLOAK_HOST, CALLBACK_HOST, host('alice-ws'), host('bob-ws'), KEYCLOAK_SERVICE]);
  lab.startIngress([
    { host: KEYCLOAK_HOST, port: 8080 },
    { host: CALLBACK_HOST, port: 4180 },
    { host: host('alice-ws'), port: 4181 },
    { host: host('bob-ws'), port: 4182 },
  ]);
  const realm = (find(objects, 'ConfigMap', 'aileron-keycloak-realm').data as Record<string, string>)['realm.json'];
  const kcEnv = Object.fromEntries(Object.entries(resolvedEnv(find(objects, 'Deployment', 'aileron-keycloak'))).filter(([k]) => !k.startsWith('KC_DB')));
  await lab.startKeycloak(realm, kcEnv);
  ids = JSON.parse(
    lab.run(process.execPath, [
      `${process.cwd()}/build/test/support/keycloak-users.js`,
      'http://127.0.0.1:8080',
      kcEnv.KC_BOOTSTRAP_ADMIN_USERNAME,
      kcEnv.KC_BOOTSTRAP_ADMIN_PASSWORD,
      values.keycloak.realm,
      JSON.stringify([
        { username: 'alice', password: PASSWORD },
        { username: 'bob', password: PASSWORD },
        { username: 'carol', password: PASSWORD, groups: ['workspace-admins'] },
      ]),
    ]),
  );

  // The sign-in callback, exactly as its Deployment runs it, and one runtime proxy per workspace.
  const callback = podSpecOf(find(objects, 'Deployment', 'aileron-workspace-auth')).containers[0];
  lab.startProxy('callback', callback.args, secretData('aileron-workspace-auth'));
  const alice = runtimeProxy('alice-ws', ids.alice);
  const bob = runtimeProxy('bob-ws', ids.bob);
  lab.startProxy('proxy alice-ws', listenOn(alice.args, 4181), alice.secret);
  lab.startProxy('proxy bob-ws', listenOn(shiftUpstreams(bob.args, 10000), 4182), bob.secret);
  await lab.startStandIn('alice-ws', 3002, 3004, '/ws/terminal');
  await lab.startStandIn('bob-ws', 13002, 13004, '/ws/terminal');
  for (const port of [4180, 4181, 4182]) {
    await lab.waitFor(`oauth2-proxy on ${port}`, () => lab.probe('http', `http://127.0.0.1:${port}/ping`).status === 200, 20_000);
  }
  browser = await chromium.launch({ executablePath: lab.chromiumInNamespace(), headless: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

/** The workspace's sign-in page hands the browser on to the callback host, which sends it to Keycloak's login. */
const toKeycloak = (page: Page) => page.waitForURL((u) => u.host === KEYCLOAK_HOST, { timeout: 20_000 });

/** Signs in on Keycloak's login page, starting from a workspace host; returns the page where it lands. */
async function signIn(context: BrowserContext, username: string, start: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(start);
  await toKeycloak(page);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.host !== KEYCLOAK_HOST && u.host !== CALLBACK_HOST, { timeout: 20_000 }), page.click('#kc-login')]);
  return page;
}

/** A WebSocket opened from the page, as the terminal UI opens it: the echo, or how it failed. */
function openTerminal(page: Page, url: string): Promise<string> {
  return page.evaluate(
    (u) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(u);
        ws.onopen = () => ws.send('ping');
        ws.onmessage = (e) => resolve(String(e.data));
        ws.onerror = () => resolve('refused');
      }),
    url,
  );
}

const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === AUTH_COOKIE_NAME);

test('the owner signs in on Keycloak and reaches her workspace over HTTP and its terminal WebSocket', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/files?x=1`);
  expect(page.url()).toBe(`http://${host('alice-ws')}/files?x=1`);
  expect(await page.textContent('body')).toContain('workspace alice-ws: GET /files?x=1');
  expect(await openTerminal(page, `ws://${host('alice-ws')}/ws/terminal`)).toBe('alice-ws echoes ping');

  // One sign-in for every host of the base domain, in a cookie scripts cannot read.
  const cookie = await sessionCookie(context);
  expect(cookie).toMatchObject({ domain: `.${BASE}`, httpOnly: true, sameSite: 'Lax' });
  await context.close();
});

test('another user gets 403 on the workspace, and a copied session cookie opens only its own user\'s workspace', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/`);
  const cookie = (await sessionCookie(context))!;
  const replay = { cookie: `${cookie.name}=${cookie.value}` };
  expect(lab.probe('http', `http://${host('alice-ws')}/`, replay).status).toBe(200);
  expect(lab.probe('http', `http://${host('bob-ws')}/`, replay).status).toBe(403);
  expect(lab.probe('ws', `ws://${host('bob-ws')}/ws/terminal`, replay).status).toBe(403);
  expect((await page.goto(`http://${host('bob-ws')}/`))!.status()).toBe(403);
  await context.close();

  const bobContext = await browser.newContext();
  const bobPage = await signIn(bobContext, 'bob', `http://${host('bob-ws')}/`);
  expect(await bobPage.textContent('body')).toContain('workspace bob-ws');
  expect(await openTerminal(bobPage, `ws://${host('bob-ws')}/ws/terminal`)).toBe('bob-ws echoes ping');
  expect((await bobPage.goto(`http://${host('alice-ws')}/`))!.status()).toBe(403);
  await bobContext.close();
});

test('without a session: a browser is sent to Keycloak, API and WebSocket requests get 401', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://${host('alice-ws')}/`);
  await toKeycloak(page);
  expect(await page.locator('#kc-login').count()).toBe(1);
  await context.close();

  expect(lab.probe('http', `http://${host('alice-ws')}/`, { accept: 'application/json' }).status).toBe(401);
  expect(lab.probe('http', `http://${host('alice-ws')}/api/files`).status).toBe(401);
  expect(lab.probe('ws', `ws://${host('alice-ws')}/ws/terminal`).status).toBe(401);
  // A forged cookie is no session.
  expect(lab.probe('ws', `ws://${host('alice-ws')}/ws/terminal`, { cookie: `${AUTH_COOKIE_NAME}=forged` }).status).toBe(401);
});

test('a member of the admin group reaches every workspace', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 'carol', `http://${host('alice-ws')}/`);
  expect(await page.textContent('body')).toContain('workspace alice-ws');
  await page.goto(`http://${host('bob-ws')}/`);
  expect(await page.textContent('body')).toContain('workspace bob-ws');
  await context.close();
});

test('signing out ends the session on every workspace host and at Keycloak', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/`);
  // The proxy clears its cookie, then hands over to Keycloak's end-session endpoint (on the whitelisted base domain).
  const endSession = `http://${KEYCLOAK_HOST}/realms/${values.keycloak.realm}/protocol/openid-connect/logout`;
  await page.goto(`http://${host('alice-ws')}/oauth2/sign_out?rd=${encodeURIComponent(endSession)}`);
  expect(new URL(page.url()).host).toBe(KEYCLOAK_HOST);
  expect(await sessionCookie(context)).toBeUndefined();
  if (await page.locator('#kc-logout').count()) await page.click('#kc-logout');
  await page.goto(`http://${host('alice-ws')}/`);
  await toKeycloak(page);
  expect(await page.locator('#kc-login').count()).toBe(1);
  await context.close();
});
