/**
 * `aileron-k8s migrate`: rewrites a values file of the upstream chart into
 * ours, keeping its comments, and says what it changed and what it found
 * insecure. The result must pass our validation, or nothing is written.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { parseYamlInput, readInputText } from '../values/read-input.js';
import { RENAMED_KEYS } from '../values/renamed.js';
import { migrateUpstreamOnlyKeys } from './upstream-only-keys.js';
import { setAt, valueAt } from './yaml-doc.js';
import { defaultValues, loadValues, ValuesError } from '../values/load.js';
import { APP_VERSION, OPERATOR_IMAGE, UPSTREAM_OPERATOR_IMAGE } from '../values/schema.js';
import { fsStep, OutputError } from '../render/output-dir.js';
import type { JsonObject } from '../values/merge.js';

export interface Migration {
  yaml: string;
  changes: string[];
  warnings: string[];
}

/** The upstream chart's documented defaults that are credentials anyone can read. */
const DEFAULT_CREDENTIALS: Array<{ path: string[]; value: string; what: string; secret: string }> = [
  { path: ['postgres', 'auth', 'password'], value: 'postgres', what: 'the upstream default PostgreSQL password', secret: 'postgres.auth.existingSecret' },
  { path: ['keycloak', 'auth', 'adminPassword'], value: 'admin', what: 'the upstream default Keycloak admin password', secret: 'keycloak.auth.existingSecret' },
  { path: ['coturn', 'credential'], value: 'aileron-turn-secret', what: 'the upstream default TURN credential', secret: 'coturn.existingSecret' },
  {
    path: ['workspaceManager', 'env', 'SECRET_KEY'],
    value: 'aileron-secret-key-change-in-production',
    what: 'the upstream default key the manager signs tokens with',
    secret: 'workspaceManager.existingSecret',
  },
];

/** Images whose `latest` tag becomes our pinned default. */
const IMAGE_PATHS = ['frontend', 'workspaceManager', 'workspaceOperator', 'keycloak', 'coturn', 'postgres', 'redis'];
const WORKSPACE_IMAGES = ['runtimeImage', 'browserImage', 'canvasImage'];


/** Renames a key in place, so its comments and position stay. */
function renameKey(doc: Document, from: string[], to: string[]): boolean {
  const parent = doc.getIn(from.slice(0, -1), true);
  if (!isMap(parent)) return false;
  const pair = (parent as YAMLMap).items.find((p) => isScalar(p.key) && p.key.value === from.at(-1));
  if (!pair) return false;
  if (from.slice(0, -1).join('.') !== to.slice(0, -1).join('.')) return false;
  (pair.key as { value: unknown }).value = to.at(-1);
  return true;
}

export function migrateValues(text: string, file: string): Migration {
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors.length > 0) throw new ValuesError([`${file}: not valid YAML (${doc.errors[0].message.split('\n')[0]})`]);
  const changes: string[] = [];
  const warnings: string[] = [];
  const defaults = defaultValues() as unknown as JsonObject;

  for (const [from, { to, why }] of Object.entries(RENAMED_KEYS)) {
    if (renameKey(doc, from.split('.'), to.split('.'))) changes.push(`${from} → ${to} (${why})`);
  }

  migrateUpstreamOnlyKeys(doc, { changes, warnings });

  for (const c of DEFAULT_CREDENTIALS) {
    if (valueAt(doc, c.path) === c.value) {
      // An env entry goes; a credential key becomes "" (generated).
      if (c.path.includes('env')) doc.deleteIn(c.path);
      else doc.setIn(c.path, '');
      changes.push(`${c.path.join('.')}: removed ${c.what} "${c.value}"; a strong one is generated at install (or set ${c.secret})`);
    }
  }
  const turn = valueAt(doc, ['coturn', 'credential']);
  if (typeof turn === 'string' && turn !== '' && turn.length < 16) {
    warnings.push(`coturn.credential: ${turn.length} characters; end users' browsers hold it, so use 16 or more, or leave it out to generate one`);
  }
  for (const path of [['postgres', 'auth', 'password'], ['keycloak', 'auth', 'adminPassword'], ['redis', 'auth', 'password']]) {
    const value = valueAt(doc, path);
    if (typeof value === 'string' && value !== '') {
      warnings.push(`${path.join('.')}: a password in a values file ends up in your repository; prefer ${path[0]}.auth.existingSecret`);
    }
  }
  const env = doc.getIn(['workspaceManager', 'env'], true);
  if (isMap(env)) {
    for (const pair of (env as YAMLMap).items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const value = isScalar(pair.value) ? String(pair.value.value) : '';
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) {
        warnings.push(`workspaceManager.env.${key}: holds a password in its URL; it goes to a Secret, but the values file keeps it in your repository: prefer workspaceManager.existingSecret`);
      }
    }
  }
  if (valueAt(doc, ['workspaceManager', 'env', 'SECRET_KEY'])) {
    warnings.push('workspaceManager.env.SECRET_KEY: set in the values file; leave it out to generate one, or put it in workspaceManager.existingSecret');
  }

  migrateKeycloakNames(doc, changes);
  const allowed = doc.getIn(['kubernetes', 'allowedNamespaces']);
  if (isSeq(allowed) && allowed.items.some((i) => isScalar(i) && i.value === 'default')) {
    warnings.push(
      'kubernetes.allowedNamespaces: holds "default", which this chart never labels; a Workspace there fails until it enforces Pod Security "restricted" (kubectl label namespace default pod-security.kubernetes.io/enforce=restricted), or leave it out (the default here is [workspace-system])',
    );
  }
  migrateWorkspaceAuth(doc, changes, warnings);
  const ingressClass = valueAt(doc, ['ingress', 'className']) ?? 'nginx';
  if (ingressClass === 'nginx' && valueAt(doc, ['gatewayAPI', 'enabled']) !== true && valueAt(doc, ['ingress', 'enabled']) !== false) {
    warnings.push(
      'ingress.className: nginx, and ingress-nginx reached the end of its maintenance in March 2026. The switch keeps it, so nothing moves now; plan the move: gatewayAPI.enabled with gatewayAPI.parentRefs routes the platform and every workspace through your Gateway (README: Gateway API), or set ingress.className to another controller',
    );
  }

  if (valueAt(doc, ['workspaceOperator', 'image', 'repository']) === UPSTREAM_OPERATOR_IMAGE) {
    doc.setIn(['workspaceOperator', 'image', 'repository'], OPERATOR_IMAGE);
    doc.setIn(['workspaceOperator', 'image', 'tag'], APP_VERSION);
    changes.push(
      `workspaceOperator.image: ${UPSTREAM_OPERATOR_IMAGE} → ${OPERATOR_IMAGE}:${APP_VERSION} (upstream's operator is the program this chart replaces; ours reads this chart's settings, RBAC and CRD)`,
    );
  }
  for (const component of IMAGE_PATHS) {
    const path = [component, 'image', 'tag'];
    if (valueAt(doc, path) === 'latest') {
      const pinned = ((defaults[component] as JsonObject).image as JsonObject).tag as string;
      doc.setIn(path, pinned);
      changes.push(`${path.join('.')}: latest → ${pinned} (a pinned tag: every install gets the same image)`);
    }
  }
  migrateDataImages(doc, defaults, changes, warnings);
  const kubernetes = defaults.kubernetes as JsonObject;
  for (const key of WORKSPACE_IMAGES) {
    const value = valueAt(doc, ['kubernetes', key]);
    if (typeof value === 'string' && /:latest$|^[^:@]+$/.test(value)) {
      doc.setIn(['kubernetes', key], kubernetes[key]);
      changes.push(`kubernetes.${key}: ${value} → ${kubernetes[key] as string} (a pinned tag)`);
    }
  }
  return { yaml: doc.toString({ lineWidth: 0 }), changes, warnings };
}

const major = (tag: unknown) => (typeof tag === 'string' ? /^(\d+)/.exec(tag)?.[1] : undefined);
const defaultRepository = (doc: Document, component: string) => [undefined, 'postgres', 'redis', 'quay.io/keycloak/keycloak'].includes(valueAt(doc, [component, 'image', 'repository']) as string);

/**
 * upstream's floating tags (postgres 15-alpine, redis 7-alpine) and its Keycloak 25. PostgreSQL's data is made by
 * one major version, so that major stays, run as the image's own postgres user (70 in -alpine); Redis 7 and
 * Keycloak (which migrates its database forward) move to our pinned release.
 */
function migrateDataImages(doc: Document, defaults: JsonObject, changes: string[], warnings: string[]): void {
  const pinned = (component: string) => ((defaults[component] as JsonObject).image as JsonObject).tag as string;
  const pg = valueAt(doc, ['postgres', 'image', 'tag']);
  if (typeof pg === 'string' && /alpine/.test(pg) && valueAt(doc, ['postgres', 'runAsUser']) === undefined && defaultRepository(doc, 'postgres')) {
    doc.setIn(['postgres', 'runAsUser'], 70);
    changes.push(`postgres.runAsUser: 70 (the postgres user of the ${pg} image, who owns the data it made)`);
  }
  if (typeof pg === 'string' && /^\d+(-[a-z0-9.]+)?$/.test(pg)) {
    warnings.push(
      `postgres.image.tag: ${pg} follows every PostgreSQL ${major(pg)} release; pin one (${major(pg)}.x${pg.replace(/^\d+/, '')}), keeping major ${major(pg)}: a PostgreSQL ${major(pg)} data directory needs it, until you pg_upgrade`,
    );
  }
  const redis = valueAt(doc, ['redis', 'image', 'tag']);
  if (typeof redis === 'string' && /^\d+(-[a-z0-9.]+)?$/.test(redis) && major(redis) === major(pinned('redis')) && defaultRepository(doc, 'redis')) {
    doc.setIn(['redis', 'image', 'tag'], pinned('redis'));
    changes.push(`redis.image.tag: ${redis} → ${pinned('redis')} (a pinned Redis ${major(redis)} release; it reads Redis ${major(redis)}'s data)`);
  }
  const keycloak = valueAt(doc, ['keycloak', 'image', 'tag']);
  if (typeof keycloak === 'string' && Number(major(keycloak)) < Number(major(pinned('keycloak'))) && defaultRepository(doc, 'keycloak')) {
    doc.setIn(['keycloak', 'image', 'tag'], pinned('keycloak'));
    changes.push(
      `keycloak.image.tag: ${keycloak} → ${pinned('keycloak')} (the chart's Keycloak settings are ${major(pinned('keycloak'))}'s; Keycloak migrates its database forward at its first start)`,
    );
  }
}

/**
 * upstream names the realm and the platform's client only in the manager's env (and the frontend's); here
 * keycloak.realm and keycloak.clientId name them for every component and for the realm import.
 */
function migrateKeycloakNames(doc: Document, changes: string[]): void {
  for (const [env, key] of [['KEYCLOAK_CLIENT_ID', 'clientId'], ['KEYCLOAK_REALM', 'realm']]) {
    const value = valueAt(doc, ['workspaceManager', 'env', env]);
    if (typeof value !== 'string' || value === '' || valueAt(doc, ['keycloak', key]) !== undefined) continue;
    setAt(doc, ['keycloak', key], value);
    changes.push(`keycloak.${key}: ${value}, from workspaceManager.env.${env} (one name for every component and the realm import)`);
  }
}

/**
 * The upstream chart left workspace endpoints open; ours signs users in first. With the bundled Keycloak that
 * needs nothing; with an external one, the proxies take its realm as their issuer and need a client there.
 */
function migrateWorkspaceAuth(doc: Document, changes: string[], warnings: string[]): void {
  if (valueAt(doc, ['workspaceAuth']) !== undefined) return;
  if (valueAt(doc, ['keycloak', 'enabled']) !== false) {
    warnings.push('workspaceAuth: new and on: workspace endpoints now let in only their owner, signed in through Keycloak (the realm gets the client it needs)');
    return;
  }
  const server = valueAt(doc, ['workspaceManager', 'env', 'KEYCLOAK_SERVER_URL']);
  if (typeof server !== 'string' || !/^https?:\/\/\S+$/.test(server)) return;
  const realm = valueAt(doc, ['workspaceManager', 'env', 'KEYCLOAK_REALM']) ?? valueAt(doc, ['keycloak', 'realm']) ?? 'aileron';
  const issuer = `${server.replace(/\/+$/, '')}/realms/${String(realm)}`;
  doc.set('workspaceAuth', doc.createNode({ issuerUrl: issuer }));
  changes.push(`workspaceAuth.issuerUrl: ${issuer} (workspace endpoints now let in only their owner, signed in at your Keycloak)`);
  warnings.push(
    'workspaceAuth: create a confidential client "aileron-workspaces" in that realm, with the redirect URI <scheme>://auth.<baseDomain>/oauth2/callback, and put its secret in workspaceAuth.existingSecret (key client-secret) or workspaceAuth.clientSecret',
  );
}

/** Runs the command: reads, migrates, validates, then prints or writes. Returns the exit code. */
export function runMigrate(files: string[], out: string | undefined, stdout: (s: string) => void, stderr: (s: string) => void): number {
  if (files.length !== 1) throw new ValuesError(['migrate: give exactly one values file with -f']);
  const [file] = files;
  const text = readInputText(file);
  parseYamlInput(text, file); // one document, no duplicate keys, as synth reads
  const migration = migrateValues(text, file);
  // The result must be a values file we accept: validate it as synth would.
  const tmpProblems = validationProblems(migration.yaml);
  if (tmpProblems.length > 0) {
    throw new ValuesError([...tmpProblems.map((p) => `after migration: ${p}`), ...migration.changes.map((c) => `(changed: ${c})`)]);
  }
  if (out !== undefined) {
    if (existsSync(out)) throw new OutputError(`-o ${out}: exists; migrate writes a new file and never replaces one (nothing was written)`);
    fsStep('write', out, () => writeFileSync(out, migration.yaml, { flag: 'wx' }));
  } else {
    stdout(migration.yaml);
  }
  const report = [
    `migrated ${file}${out ? ` to ${out}` : ''}: ${migration.changes.length} change(s), ${migration.warnings.length} warning(s)`,
    ...migration.changes.map((c) => `  changed: ${c}`),
    ...migration.warnings.map((w) => `  warning: ${w}`),
  ];
  stderr(`${report.join('\n')}\n`);
  return 0;
}

export function validationProblems(yaml: string): string[] {
  const doc = parseDocument(yaml, { version: '1.1' }).toJS() as JsonObject | null;
  try {
    loadValues({ overlays: doc ? [doc] : [] });
    return [];
  } catch (err) {
    if (err instanceof ValuesError) return err.problems;
    throw err;
  }
}
