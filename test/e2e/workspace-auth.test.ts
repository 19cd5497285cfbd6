/**
 * Owner-only access to workspace endpoints, with the real programs: Keycloak
 * imports the realm the chart renders, oauth2-proxy runs the sign-in
 * callback and two workspaces' proxies with the rendered arguments, nginx
 * routes the public hosts, and Debian's chromium signs in on Keycloak's own
 * login page (auth-lab.ts says what runs where). Alice and Bob own one
 * workspace each; Carol is in the admin group.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { AuthLab } from '../support/auth-lab.js';
import { AUTH_COOKIE_NAME } from '../../lib/workspace/auth-proxy.js';
import { KEYCLOAK_HOST, BASE_DOMAIN as BASE, metricsPort, runtimeHost as host, signIn as labSignIn, startSignInLab, toKeycloak, type SignInLab } from '../support/sign-in-lab.js';
import { proxyCounts } from '../../operator/lifecycle/activity.js';

let s: SignInLab;

beforeAll(async () => {
  s = await startSignInLab(
    [{ username: 'alice' }, { username: 'bob' }, { username: 'carol', groups: ['workspace-admins'] }],
    [{ id: 'alice-ws', owner: 'alice' }, { id: 'bob-ws', owner: 'bob' }],
    ['workspaceAuth.adminGroup=workspace-admins'],
  );
}, 300_000);

afterAll(async () => {
  await s?.stop();
});

const signIn = (context: BrowserContext, username: string, start: string): Promise<Page> => labSignIn(s, context, username, start);
const probe: AuthLab['probe'] = (...args) => s.lab.probe(...args);

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
  const context = await s.browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/files?x=1`);
  expect(page.url()).toBe(`http://${host('alice-ws')}/files?x=1`);
  expect(await page.textContent('body')).toContain('workspace alice-ws: GET /files?x=1');
  expect(await openTerminal(page, `ws://${host('alice-ws')}/ws/terminal`)).toBe('alice-ws echoes ping');

  // One sign-in for every host of the base domain, in a cookie scripts cannot read.
  const cookie = await sessionCookie(context);
  expect(cookie).toMatchObject({ domain: `.${BASE}`, httpOnly: true, sameSite: 'Lax' });
  await context.close();
});

test('activity, as the operator reads it from the proxy: the owner\'s requests and open terminal count; a stranger\'s do not', async () => {
  // alice-ws is the lab's first workspace.
  const counts = () => proxyCounts(probe('http', `http://127.0.0.1:${metricsPort(0)}/metrics`).body ?? '')!;
  const before = counts();
  expect(before).toBeDefined();
  // Someone who knows the host name: the sign-in page (403) and 401 on the API and the terminal.
  expect(probe('http', `http://${host('alice-ws')}/`).status).toBe(403);
  expect(probe('http', `http://${host('alice-ws')}/api/files`).status).toBe(401);
  expect(probe('ws', `ws://${host('alice-ws')}/ws/terminal`).status).toBe(401);
  expect(counts()).toEqual({ passed: before.passed, inFlight: 0 });

  const context = await s.browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/notes`);
  expect(counts().passed).toBeGreaterThan(before.passed);
  // A terminal left open is a request in flight for as long as it is open.
  expect(await openTerminal(page, `ws://${host('alice-ws')}/ws/terminal`)).toBe('alice-ws echoes ping');
  expect(counts().inFlight).toBeGreaterThanOrEqual(1);
  await context.close();
  await s.lab.waitFor('the terminal closed', () => counts().inFlight === 0, 10_000);
});

test('another user gets 403 on the workspace, and a copied session cookie opens only its own user\'s workspace', async () => {
  const context = await s.browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/`);
  const cookie = (await sessionCookie(context))!;
  const replay = { cookie: `${cookie.name}=${cookie.value}` };
  expect(probe('http', `http://${host('alice-ws')}/`, replay).status).toBe(200);
  expect(probe('http', `http://${host('bob-ws')}/`, replay).status).toBe(403);
  expect(probe('ws', `ws://${host('bob-ws')}/ws/terminal`, replay).status).toBe(403);
  expect((await page.goto(`http://${host('bob-ws')}/`))!.status()).toBe(403);
  await context.close();

  const bobContext = await s.browser.newContext();
  const bobPage = await signIn(bobContext, 'bob', `http://${host('bob-ws')}/`);
  expect(await bobPage.textContent('body')).toContain('workspace bob-ws');
  expect(await openTerminal(bobPage, `ws://${host('bob-ws')}/ws/terminal`)).toBe('bob-ws echoes ping');
  expect((await bobPage.goto(`http://${host('alice-ws')}/`))!.status()).toBe(403);
  await bobContext.close();
});

test('without a session: a browser is sent to Keycloak, API and WebSocket requests get 401', async () => {
  const context = await s.browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://${host('alice-ws')}/`);
  await toKeycloak(page);
  expect(await page.locator('#kc-login').count()).toBe(1);
  await context.close();

  expect(probe('http', `http://${host('alice-ws')}/`, { accept: 'application/json' }).status).toBe(401);
  expect(probe('http', `http://${host('alice-ws')}/api/files`).status).toBe(401);
  expect(probe('ws', `ws://${host('alice-ws')}/ws/terminal`).status).toBe(401);
  // A forged cookie is no session.
  expect(probe('ws', `ws://${host('alice-ws')}/ws/terminal`, { cookie: `${AUTH_COOKIE_NAME}=forged` }).status).toBe(401);
});

test('a member of the admin group reaches every workspace', async () => {
  const context = await s.browser.newContext();
  const page = await signIn(context, 'carol', `http://${host('alice-ws')}/`);
  expect(await page.textContent('body')).toContain('workspace alice-ws');
  await page.goto(`http://${host('bob-ws')}/`);
  expect(await page.textContent('body')).toContain('workspace bob-ws');
  await context.close();
});

test('signing out ends the session on every workspace host and at Keycloak', async () => {
  const context = await s.browser.newContext();
  const page = await signIn(context, 'alice', `http://${host('alice-ws')}/`);
  // The proxy clears its cookie, then hands over to Keycloak's end-session endpoint (on the whitelisted base domain).
  const endSession = `http://${KEYCLOAK_HOST}/realms/${s.values.keycloak.realm}/protocol/openid-connect/logout`;
  await page.goto(`http://${host('alice-ws')}/oauth2/sign_out?rd=${encodeURIComponent(endSession)}`);
  expect(new URL(page.url()).host).toBe(KEYCLOAK_HOST);
  expect(await sessionCookie(context)).toBeUndefined();
  if (await page.locator('#kc-logout').count()) await page.click('#kc-logout');
  await page.goto(`http://${host('alice-ws')}/`);
  await toKeycloak(page);
  expect(await page.locator('#kc-login').count()).toBe(1);
  await context.close();
});
