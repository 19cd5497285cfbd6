/**
 * `aileron-k8s migrate --from-release RELEASE -n NAMESPACE`: turns a live
 * release of the upstream chart into values for this chart that keep its
 * data, credentials and hosts, and does (or with --dry-run, only says) what
 * `helm upgrade` needs first. After it, `helm upgrade RELEASE charts/aileron
 * -n NAMESPACE -f VALUES --wait` is the one other step.
 *
 * Nothing is changed before everything is known to work: the values are
 * built and validated, and -o checked, before the first write to the cluster.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument, stringify, type Document } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { loadCredentials } from '../../operator/credentials.js';
import { Kube, statusCode, type ApiVerbs } from '../../operator/kube.js';
import { crdLabels, workspaceCrdManifest } from '../crd/workspace-crd.js';
import { defaultValues, ValuesError } from '../values/load.js';
import { cloneJson } from '../values/clone.js';
import { setPath, type Json, type JsonObject } from '../values/merge.js';
import { fsStep, OutputError } from '../render/output-dir.js';
import { SECRET_KEYS } from '../components/secrets.js';
import { randomSecret } from '../platform/credentials.js';
import { migrateValues, validationProblems } from './migrate.js';
import { setAt } from './yaml-doc.js';
import { fullname } from '../platform/context.js';
import { KEYCLOAK_HTTP_PORT, WORKSPACE_CLIENT_SECRET_ENV } from '../components/keycloak.js';
import { readReleaseFacts, type ReleaseFacts } from './release-facts.js';

export const MIGRATE_FIELD_MANAGER = 'aileron-k8s-migrate';

/** Settings whose upstream default differs from ours and which users see from outside, or which data depends on. */
const KEEP_PATHS = [
  'publicRouting.scheme',
  'publicRouting.baseDomain',
  'publicRouting.frontendHost',
  'publicRouting.workspaceManagerHost',
  'publicRouting.keycloakHost',
  'publicRouting.runtimeHostPattern',
  'publicRouting.browserHostPattern',
  'publicRouting.canvasHostPattern',
  'ingress.className',
  'ingress.tls',
  'kubernetes.defaultNamespace',
  'kubernetes.allowedNamespaces',
  'kubernetes.serviceType',
  'kubernetes.nodeAddress',
  'kubernetes.pvcName',
  'kubernetes.knowledgeBases.pvcName',
  'kubernetes.knowledgeBases.size',
  'kubernetes.knowledgeBases.accessModes',
  'kubernetes.knowledgeBases.storageClassName',
  'kubernetes.workspaceDefaults',
  'global.storageClass',
  'coturn.port',
  'coturn.nodePort',
  'coturn.host',
  'coturn.frontendHost',
  'coturn.externalIp',
  'coturn.realm',
  'coturn.username',
  'workspaceManager.env.KEYCLOAK_CLIENT_ID',
  'workspaceManager.env.KEYCLOAK_REALM',
  'postgres.auth.appDatabase',
  'postgres.auth.keycloakDatabase',
].map((p) => p.split('.'));

/** Passwords come from the release's Secret (copied), never from its values. */
const CREDENTIAL_PATHS = [['postgres', 'auth', 'password'], ['keycloak', 'auth', 'adminPassword'], ['postgres', 'auth', 'username'], ['keycloak', 'auth', 'adminUser']];

export interface Step {
  say: string;
  run(kube: ApiVerbs): Promise<void>;
}

export interface ReleasePlan {
  yaml: string;
  changes: string[];
  warnings: string[];
  steps: Step[];
}

const getIn = (o: unknown, path: string[]): unknown => path.reduce<unknown>((n, k) => (n && typeof n === 'object' ? (n as JsonObject)[k] : undefined), o);
function deleteIn(o: JsonObject, path: string[]): void {
  const parent = getIn(o, path.slice(0, -1));
  if (parent && typeof parent === 'object') delete (parent as JsonObject)[path.at(-1)!];
}

/** `repo[:tag][@digest]`, split as the chart's image values hold it. */
export function splitImage(ref: string): { repository: string; tag: string; digest?: string } {
  const [name, digest] = ref.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest } : { repository: name, tag: 'latest', digest };
}

export function credentialsSecretFor(release: string): string {
  return `${release}-upstream-credentials`;
}

/** The values that keep the release's data, credentials and hosts, and the steps before `helm upgrade`. */
export function planReleaseMigration(facts: ReleaseFacts): ReleasePlan {
  const { release } = facts;
  const changes: string[] = [];
  const warnings: string[] = [];
  const ours = defaultValues() as unknown as JsonObject;
  const base = cloneJson(release.config) as JsonObject;

  for (const path of KEEP_PATHS) {
    if (getIn(release.config, path) !== undefined) continue;
    const upstream = getIn(release.chartValues, path);
    if (upstream === undefined || upstream === null || isDeepStrictEqual(upstream, getIn(ours, path))) continue;
    setPath(base, path, upstream as Json);
    changes.push(`${path.join('.')}: ${JSON.stringify(upstream)}, the release's (upstream's default), kept`);
  }
  for (const path of CREDENTIAL_PATHS) deleteIn(base, path);
  if (facts.postgres && getIn(release.config, ['postgres', 'image']) === undefined) {
    const { repository, tag, digest } = splitImage(facts.postgres.image);
    setPath(base, ['postgres', 'image'], { repository, tag, ...(digest ? { digest } : {}) });
    changes.push(`postgres.image: ${facts.postgres.image}, the image that made the data (PostgreSQL refuses another major version's data)`);
  }
  const managerKey = getIn(release.chartValues, ['workspaceManager', 'env', 'SECRET_KEY']);
  if (getIn(release.config, ['workspaceManager', 'env', 'SECRET_KEY']) === undefined && managerKey) {
    changes.push('workspaceManager.env.SECRET_KEY: upstream\'s default, public, key is not kept; a strong one is generated, so users sign in again');
  }

  const migrated = migrateValues(stringify(base, { version: '1.1' }), `release ${release.name}`);
  changes.push(...migrated.changes);
  // An existing realm gets no import: said below, with what to do.
  warnings.push(...migrated.warnings.filter((w) => !w.startsWith('workspaceAuth: new and on')));
  const doc = parseDocument(migrated.yaml, { version: '1.1' });
  const steps: Step[] = [];

  // Data: the same claims, PGDATA where the data is.
  if (facts.postgres) {
    const pg = facts.postgres;
    setAt(doc, ['postgres', 'persistence', 'existingClaim'], pg.claim);
    setAt(doc, ['postgres', 'dataSubdirectory'], pg.dataSubdirectory);
    changes.push(`postgres.persistence.existingClaim: ${pg.claim} (the claim of ${pg.statefulSet}-0, ${pg.claimPhase}); dataSubdirectory "${pg.dataSubdirectory}" (PGDATA ${pg.dataSubdirectory ? 'in that folder' : 'at the volume root'}, as the release keeps it)`);
    if (pg.claimPhase !== 'Bound') warnings.push(`claim ${pg.claim}: ${pg.claimPhase}, not Bound; PostgreSQL starts when it is`);
  } else {
    warnings.push('PostgreSQL: the release keeps no data on a claim (persistence off, or no bundled PostgreSQL); nothing to carry over');
  }
  if (facts.redis) {
    setAt(doc, ['redis', 'persistence', 'existingClaim'], facts.redis.claim);
    changes.push(`redis.persistence.existingClaim: ${facts.redis.claim} (the claim of ${facts.redis.statefulSet}-0, ${facts.redis.claimPhase})`);
  }

  // Credentials: copied into a Secret no release owns, so neither chart's upgrade, rollback or uninstall deletes it.
  const c = facts.credentials;
  const secretName = credentialsSecretFor(release.name);
  setAt(doc, ['postgres', 'auth', 'existingSecret'], secretName);
  setAt(doc, ['keycloak', 'auth', 'existingSecret'], secretName);
  if (c.postgresUser !== 'postgres') setAt(doc, ['postgres', 'auth', 'username'], c.postgresUser);
  // The release's superuser keeps its name; a service role of ours named the same would take it over.
  for (const role of ['appUsername', 'keycloakUsername'] as const) {
    const name = (getIn(ours, ['postgres', 'auth', role]) as string) ?? '';
    if (name === c.postgresUser && doc.getIn(['postgres', 'auth', role]) === undefined) {
      setAt(doc, ['postgres', 'auth', role], `${name}_service`);
      changes.push(`postgres.auth.${role}: ${name}_service (the release's superuser is named ${name})`);
    }
  }
  if (c.keycloakUser !== 'admin') setAt(doc, ['keycloak', 'auth', 'adminUser'], c.keycloakUser);
  changes.push(`postgres.auth.existingSecret, keycloak.auth.existingSecret: ${secretName} (the database's and Keycloak's passwords, copied from ${c.secret}, which helm upgrade deletes)`);
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretName,
      namespace: release.namespace,
      labels: { 'app.kubernetes.io/part-of': 'aileron', 'app.kubernetes.io/component': 'credentials' },
      annotations: { 'aileron.io/copied-from': `${release.namespace}/${c.secret}` },
    },
    type: 'Opaque',
    stringData: {
      [SECRET_KEYS.postgres.password]: c.postgresPassword,
      // The services' own roles are new: the bootstrap creates them with these, and hands each its database.
      [SECRET_KEYS.postgres.appPassword]: randomSecret(),
      [SECRET_KEYS.postgres.keycloakPassword]: randomSecret(),
      [SECRET_KEYS.keycloak.adminUser]: c.keycloakUser,
      [SECRET_KEYS.keycloak.adminPassword]: c.keycloakPassword,
    },
  };
  steps.push({
    say: `create Secret ${release.namespace}/${secretName}: the PostgreSQL and Keycloak admin credentials of ${c.secret}, and new passwords for the services' own database roles, outside any Helm release`,
    run: (kube) => createOrConfirm(kube, secret),
  });

  // TURN: our Service takes over the release's, so its NodePort passes over in place (and back, on rollback).
  if (facts.coturnService && doc.getIn(['coturn', 'enabled']) !== false) {
    setAt(doc, ['coturn', 'serviceName'], facts.coturnService.name);
    changes.push(`coturn.serviceName: ${facts.coturnService.name} (our TURN Service takes over the release's, keeping NodePort ${facts.coturnService.nodePorts[0] ?? '-'}; two Services cannot hold one NodePort)`);
    // A Service cannot change namespace in place either: CoTURN stays where upstream ran it, for now.
    setAt(doc, ['coturn', 'namespace'], release.namespace);
    changes.push(`coturn.namespace: ${release.namespace} (CoTURN stays in the release namespace, where its Service holds the NodePort; this chart otherwise runs it in <release>-turn)`);
    warnings.push(
      `CoTURN runs in ${release.namespace}, so that namespace must allow its hostNetwork (Pod Security "privileged"). To let it enforce "restricted", move CoTURN to its own namespace after the upgrade, at the cost of a moment without TURN: ` +
        `kubectl delete service -n ${release.namespace} ${facts.coturnService.name} && helm upgrade ${release.name} <chart> -n ${release.namespace} --reuse-values --set coturn.namespace= --set coturn.serviceName= ` +
        `&& kubectl wait --for=delete pod -n ${release.namespace} -l app.kubernetes.io/component=coturn --timeout=2m ` +
        `&& kubectl label namespace ${release.namespace} --overwrite pod-security.kubernetes.io/enforce=restricted`,
    );
  }

  // Workspaces are reconciled where the release allows them; upstream's operator also watched its own namespace.
  const allowed = (doc.getIn(['kubernetes', 'allowedNamespaces']) as { toJSON(): string[] } | undefined)?.toJSON() ?? (getIn(ours, ['kubernetes', 'allowedNamespaces']) as string[]);
  if (facts.workspaceNamespaces.includes(release.namespace) && !allowed.includes(release.namespace)) {
    warnings.push(
      `Workspaces in ${release.namespace}, the release's namespace: this chart runs workspaces only in kubernetes.allowedNamespaces (${allowed.join(', ')}), kept apart from the platform; recreate them there`,
    );
  }

  // Namespaces our chart renders: Helm adopts only objects carrying its ownership metadata.
  const createNamespaces = doc.getIn(['kubernetes', 'createNamespaces']) !== false && doc.getIn(['kubernetes', 'enabled']) !== false;
  const rendered = createNamespaces ? allowed.filter((ns) => ns !== 'default' && !ns.startsWith('kube-') && ns !== release.namespace) : [];
  for (const ns of rendered) {
    const owner = facts.namespaces.get(ns);
    if (owner === undefined || owner === release.name) continue;
    if (owner !== '') throw new ValuesError([`Namespace ${ns}: belongs to Helm release ${owner}; this release cannot take it over (leave it out of kubernetes.allowedNamespaces, or set kubernetes.createNamespaces: false)`]);
    steps.push({
      say: `adopt Namespace ${ns} into release ${release.name} (Helm's ownership label and annotations; our chart renders it, labelled Pod Security "restricted" and kept on uninstall)`,
      run: (kube) => adoptNamespace(kube, ns, release.name, release.namespace),
    });
  }

  // The CRD: Helm installs crds/ once and never upgrades them.
  steps.push({
    say: `${facts.crdExists ? 'update' : 'create'} CustomResourceDefinition workspaces.platform.aileron.io to this chart's (server-side apply as ${MIGRATE_FIELD_MANAGER}, taking the fields Helm set; its Workspaces stay)`,
    run: async (kube) => {
      await kube.apply(workspaceCrdManifest(crdLabels()) as KubernetesObject, MIGRATE_FIELD_MANAGER);
    },
  });

  const ourFullname = distinctFullname(doc, release.name, facts.upstreamFullname, changes);
  if (doc.getIn(['keycloak', 'enabled']) !== false && doc.getIn(['workspaceAuth', 'enabled']) !== false) {
    const realm = String(doc.getIn(['keycloak', 'realm']) ?? 'aileron');
    warnings.push(
      `Keycloak: realm ${realm} exists, made by the upstream chart, and Keycloak imports no realm that exists; after the upgrade, add what workspace sign-in needs (its client, admin role and group; nothing existing is touched): ${realmSyncCommand(release.namespace, ourFullname, realm)}`,
    );
  }
  defaultPasswordWarnings(facts, secretName, ourFullname, warnings);

  const problems = validationProblems(doc.toString({ lineWidth: 0 }));
  if (problems.length > 0) throw new ValuesError(problems.map((p) => `after migration: ${p}`));
  const header = `# Values for this chart from Helm release ${release.name} (namespace ${release.namespace}, upstream chart ${release.chart.name}-${release.chart.version}, revision ${release.revision}),\n# written by aileron-k8s migrate --from-release. Next: helm upgrade ${release.name} charts/aileron -n ${release.namespace} -f THIS-FILE --wait\n`;
  return { yaml: header + doc.toString({ lineWidth: 0 }), changes, warnings, steps };
}

/**
 * Our objects must not take the upstream release's names: a StatefulSet's claim templates and service name, and a
 * Deployment's selector, cannot change in place, so `helm upgrade` (and `helm rollback`) would fail on them. Names
 * differ already where the release name holds "aileron" (upstream's `aileron-aileron-*`, our `aileron-*`);
 * otherwise, fullnameOverride makes them.
 */
function distinctFullname(doc: Document, release: string, upstream: string, changes: string[]): string {
  const names = { nameOverride: String(doc.getIn(['nameOverride']) ?? ''), fullnameOverride: String(doc.getIn(['fullnameOverride']) ?? '') };
  const ours = fullname(release, names);
  if (ours !== upstream) return ours;
  const other = fullname(release, { ...names, fullnameOverride: release !== upstream ? release : `${upstream}-platform` });
  doc.set('fullnameOverride', other);
  changes.push(`fullnameOverride: ${other} (this chart would name its objects ${upstream}-*, as the release does; a StatefulSet or Deployment cannot change in place into ours, so ours get other names)`);
  return other;
}

/**
 * Adds the realm file's clients, roles and groups to a realm that exists, skipping what is there: Keycloak's
 * partial import, run with kcadm in the Keycloak pod, with the client secret put in from the pod's env (as the
 * start-up import would).
 */
export function realmSyncCommand(namespace: string, fullname: string, realm: string): string {
  const secret = WORKSPACE_CLIENT_SECRET_ENV;
  const script = [
    'J=$(cat /opt/keycloak/data/import/realm.json)',
    `J=\${J//\\$\\{${secret}\\}/"$${secret}"}`,
    'K=/opt/keycloak/bin/kcadm.sh',
    `$K config credentials --config /tmp/kcadm.config --server http://127.0.0.1:${KEYCLOAK_HTTP_PORT} --realm master --user "$KC_BOOTSTRAP_ADMIN_USERNAME" --password "$KC_BOOTSTRAP_ADMIN_PASSWORD"`,
    `printf %s "$J" | $K create partialImport --config /tmp/kcadm.config -r ${realm} -s ifResourceExists=SKIP -f -`,
  ].join('; ');
  return `kubectl -n ${namespace} exec deployment/${fullname}-keycloak -- bash -c '${script}'`;
}

/**
 * A new password for the database role, set where it cannot be refused (psql in the server's pod, over its socket,
 * which our pg_hba.conf trusts), then put in the Secret the pods read, then the pods restarted to read it.
 */
export function rotatePasswordCommand(namespace: string, fullname: string, user: string, secret: string, release: string): string {
  return [
    'P=$(openssl rand -hex 24)',
    `kubectl -n ${namespace} exec statefulset/${fullname}-postgres -- psql -U ${user} -d postgres -c "ALTER ROLE ${user} PASSWORD '$P'"`,
    `kubectl -n ${namespace} patch secret ${secret} -p "{\\"stringData\\":{\\"${SECRET_KEYS.postgres.password}\\":\\"$P\\"}}"`,
    `kubectl -n ${namespace} rollout restart deployment -l app.kubernetes.io/instance=${release}`,
  ].join(' && ');
}

function defaultPasswordWarnings(facts: ReleaseFacts, secretName: string, ourFullname: string, warnings: string[]): void {
  const { release, credentials: c } = facts;
  const ns = release.namespace;
  if (c.postgresPassword === 'postgres') {
    warnings.push(
      `PostgreSQL: role ${c.postgresUser} still has upstream's default password "postgres". Kept, so the data stays reachable; after the upgrade, rotate it: ${rotatePasswordCommand(ns, ourFullname, c.postgresUser, secretName, release.name)}`,
    );
  }
  if (c.keycloakPassword === 'admin') {
    warnings.push(
      `Keycloak: admin user ${c.keycloakUser} still has upstream's default password "admin" (in Keycloak's database, which the secret only seeds on a first start): change it in the admin console, then put the new one in Secret ${secretName} (key ${SECRET_KEYS.keycloak.adminPassword})`,
    );
  }
}

async function createOrConfirm(kube: ApiVerbs, secret: { metadata: { name: string; namespace: string }; stringData: Record<string, string> }): Promise<void> {
  const ref = { apiVersion: 'v1', plural: 'secrets', namespace: secret.metadata.namespace };
  try {
    await kube.create(ref, secret);
  } catch (err) {
    if (statusCode(err) !== 409) throw err;
    const live = await kube.get<{ data?: Record<string, string> }>({ ...ref, name: secret.metadata.name });
    // The copied credentials must match; the role passwords generated before are kept.
    const copied = [SECRET_KEYS.postgres.password, SECRET_KEYS.keycloak.adminUser, SECRET_KEYS.keycloak.adminPassword];
    const same = copied.every((k) => Buffer.from(live.data?.[k] ?? '', 'base64').toString('utf8') === secret.stringData[k]);
    if (!same) throw new ValuesError([`Secret ${secret.metadata.namespace}/${secret.metadata.name}: exists with other credentials; delete it if it is stale, then run migrate again`]);
  }
}

async function adoptNamespace(kube: ApiVerbs, ns: string, release: string, releaseNamespace: string): Promise<void> {
  await kube.mergePatch({ apiVersion: 'v1', plural: 'namespaces', name: ns }, {
    metadata: {
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': releaseNamespace },
    },
  });
}

export interface MigrateReleaseOptions {
  release: string;
  namespace: string;
  out?: string;
  dryRun: boolean;
}

/** Reads, plans, then (unless --dry-run) changes the cluster and writes the values. Returns the exit code. */
export async function runMigrateRelease(o: MigrateReleaseOptions, stdout: (s: string) => void, stderr: (s: string) => void): Promise<number> {
  if (o.out !== undefined && existsSync(o.out)) throw new OutputError(`-o ${o.out}: exists; migrate writes a new file and never replaces one (nothing was changed)`);
  const kube = new Kube(await loadCredentials(), 20, 40);
  const plan = planReleaseMigration(await readReleaseFacts(kube, o.release, o.namespace));
  const lines = [
    `migrate --from-release ${o.release} -n ${o.namespace}: ${plan.changes.length} change(s), ${plan.warnings.length} warning(s), ${plan.steps.length} step(s) before helm upgrade`,
    ...plan.changes.map((c) => `  changed: ${c}`),
    ...plan.warnings.map((w) => `  warning: ${w}`),
    ...plan.steps.map((s, i) => `  step ${i + 1}: ${s.say}`),
  ];
  stderr(`${lines.join('\n')}\n`);
  if (o.dryRun) {
    stdout(plan.yaml);
    stderr('dry run: nothing was changed or written\n');
    return 0;
  }
  for (const [i, step] of plan.steps.entries()) {
    stderr(`step ${i + 1}: ${step.say}\n`);
    await step.run(kube);
  }
  if (o.out !== undefined) fsStep('write', o.out, () => writeFileSync(o.out!, plan.yaml, { flag: 'wx' }));
  else stdout(plan.yaml);
  stderr(`done. Next: helm upgrade ${o.release} charts/aileron -n ${o.namespace} -f ${o.out ?? 'VALUES'} --wait\n`);
  return 0;
}
