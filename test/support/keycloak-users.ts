/**
 * Creates users in a realm through Keycloak's admin REST API, as an operator
 * would after install, and prints their ids (what a Workspace's ownerId
 * holds). Run as a script inside the auth test's network namespace:
 *   node keycloak-users.js BASE_URL ADMIN_USER ADMIN_PASSWORD REALM USERS_JSON
 * USERS_JSON: [{ username, password, groups?: [name] }]
 */
const [base, adminUser, adminPassword, realm, usersJson] = process.argv.slice(2);
const users = JSON.parse(usersJson) as Array<{ username: string; password: string; groups?: string[] }>;

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) };
  const res = await fetch(`${base}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

const form = new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', username: adminUser, password: adminPassword });
const tokenRes = await call('/realms/master/protocol/openid-connect/token', { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const token = ((await tokenRes.json()) as { access_token: string }).access_token;
const admin = `/admin/realms/${realm}`;
const groups = (await (await call(`${admin}/groups`, { token })).json()) as Array<{ id: string; name: string }>;

const ids: Record<string, string> = {};
for (const u of users) {
  await call(`${admin}/users`, {
    method: 'POST',
    token,
    body: JSON.stringify({
      username: u.username,
      enabled: true,
      email: `${u.username}@aileron.test`,
      emailVerified: true,
      firstName: u.username,
      lastName: 'Tester',
      credentials: [{ type: 'password', value: u.password, temporary: false }],
    }),
  });
  const [found] = (await (await call(`${admin}/users?exact=true&username=${encodeURIComponent(u.username)}`, { token })).json()) as Array<{ id: string }>;
  ids[u.username] = found.id;
  for (const name of u.groups ?? []) {
    const group = groups.find((g) => g.name === name);
    if (!group) throw new Error(`realm ${realm} has no group ${name}; it has ${groups.map((g) => g.name).join(', ')}`);
    await call(`${admin}/users/${found.id}/groups/${group.id}`, { method: 'PUT', token });
  }
}
process.stdout.write(`${JSON.stringify(ids)}\n`);
