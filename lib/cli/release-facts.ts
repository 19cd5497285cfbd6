/**
 * What `migrate --from-release` reads from a live release of the upstream
 * chart: its values, where its PostgreSQL and Redis keep their data, the
 * credentials that data was made with, its TURN Service, and the namespaces
 * and Workspaces around it. Reads only.
 */
import { posix } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ApiVerbs } from '../../operator/kube.js';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE, WORKSPACE_VERSION, WORKSPACE_CRD_NAME } from '../crd/workspace-crd.js';
import { readHelmRelease, type HelmRelease } from './helm-release.js';
import { ValuesError } from '../values/load.js';

/** The image's default PGDATA, where the upstream chart also mounts the volume. */
export const IMAGE_PGDATA = '/var/lib/postgresql/data';

export interface DataVolume {
  statefulSet: string;
  /** The claim of its pod 0 (claim template name, StatefulSet name, ordinal). */
  claim: string;
  claimPhase: string;
  image: string;
}

export interface ReleaseFacts {
  release: HelmRelease;
  /** upstream's `<release>-aileron` (or its fullnameOverride). */
  upstreamFullname: string;
  postgres?: DataVolume & { dataSubdirectory: string };
  redis?: DataVolume;
  credentials: { secret: string; postgresUser: string; postgresPassword: string; keycloakUser: string; keycloakPassword: string };
  coturnService?: { name: string; nodePorts: number[] };
  /** Namespace name -> the Helm release that owns it ("" for none). */
  namespaces: Map<string, string>;
  workspaceNamespaces: string[];
  crdExists: boolean;
}

type Obj = KubernetesObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const decode = (data: Record<string, string> | undefined, key: string) => Buffer.from(data?.[key] ?? '', 'base64').toString('utf8');

/** The upstream chart's credentials Secret: `<fullname>-secrets`, holding postgres-password and keycloak-admin-password. */
function upstreamSecret(release: HelmRelease): Obj | undefined {
  return release.manifest.find((o) => {
    const data = (o as Obj).stringData ?? (o as Obj).data ?? {};
    return o.kind === 'Secret' && o.metadata?.name?.endsWith('-secrets') && 'postgres-password' in data && 'keycloak-admin-password' in data;
  }) as Obj | undefined;
}

async function dataVolume(kube: ApiVerbs, namespace: string, name: string): Promise<(DataVolume & { pgdata?: string; mountPath?: string }) | undefined> {
  const sts = await kube.getIfExists<Obj>({ apiVersion: 'apps/v1', plural: 'statefulsets', namespace, name });
  if (!sts) return undefined;
  const template = (sts.spec.volumeClaimTemplates ?? [])[0];
  if (!template) return undefined; // no persistence: nothing to keep
  const claim = `${template.metadata.name}-${name}-0`;
  const pvc = await kube.getIfExists<Obj>({ apiVersion: 'v1', plural: 'persistentvolumeclaims', namespace, name: claim });
  const container = sts.spec.template.spec.containers[0];
  const mount = (container.volumeMounts ?? []).find((m: Obj) => m.name === template.metadata.name);
  const pgdata = (container.env ?? []).find((e: Obj) => e.name === 'PGDATA')?.value;
  return { statefulSet: name, claim, claimPhase: pvc?.status?.phase ?? 'missing', image: container.image, pgdata, mountPath: mount?.mountPath };
}

export async function readReleaseFacts(kube: ApiVerbs, name: string, namespace: string): Promise<ReleaseFacts> {
  const release = await readHelmRelease(kube, name, namespace);
  const secretObject = upstreamSecret(release);
  if (!secretObject) {
    throw new ValuesError([
      `release ${name} (chart ${release.chart.name}-${release.chart.version}) is not one of the upstream chart: it has no <fullname>-secrets Secret with postgres-password; --from-release migrates those only`,
    ]);
  }
  const secretName = secretObject.metadata!.name!;
  const upstreamFullname = secretName.replace(/-secrets$/, '');
  const live = await kube.getIfExists<Obj>({ apiVersion: 'v1', plural: 'secrets', namespace, name: secretName });
  if (!live) throw new ValuesError([`Secret ${namespace}/${secretName}: gone, so the password the database was made with is unknown; restore it, then run migrate again`]);

  const pg = await dataVolume(kube, namespace, `${upstreamFullname}-postgres`);
  let postgres: ReleaseFacts['postgres'];
  if (pg) {
    const pgdata = pg.pgdata ?? IMAGE_PGDATA;
    const sub = pg.mountPath ? posix.relative(pg.mountPath, pgdata) : '';
    if (!pg.mountPath || sub.startsWith('..') || sub.includes('/')) {
      throw new ValuesError([`StatefulSet ${pg.statefulSet}: PGDATA ${pgdata} is not the volume's root or a folder in it (${pg.mountPath ?? 'not mounted'}); move the data there first`]);
    }
    postgres = { ...pg, dataSubdirectory: sub };
  }
  const redis = await dataVolume(kube, namespace, `${upstreamFullname}-redis`);

  const coturnName = `${upstreamFullname}-coturn`;
  const coturn = release.manifest.some((o) => o.kind === 'Service' && o.metadata?.name === coturnName)
    ? await kube.getIfExists<Obj>({ apiVersion: 'v1', plural: 'services', namespace, name: coturnName })
    : undefined;

  const namespaces = new Map<string, string>();
  for (const ns of (await kube.list<Obj>({ apiVersion: 'v1', plural: 'namespaces' }, {})).items) {
    namespaces.set(ns.metadata!.name!, ns.metadata?.annotations?.['meta.helm.sh/release-name'] ?? '');
  }
  const crd = await kube.getIfExists<Obj>({ apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', name: WORKSPACE_CRD_NAME });
  const workspaces = crd
    ? (await kube.list<Obj>({ apiVersion: `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}`, plural: WORKSPACE_RESOURCE }, {})).items
    : [];

  return {
    release,
    upstreamFullname,
    postgres,
    redis,
    credentials: {
      secret: secretName,
      postgresUser: decode(live.data, 'postgres-username') || 'postgres',
      postgresPassword: decode(live.data, 'postgres-password'),
      keycloakUser: decode(live.data, 'keycloak-admin-user') || 'admin',
      keycloakPassword: decode(live.data, 'keycloak-admin-password'),
    },
    coturnService: coturn ? { name: coturnName, nodePorts: (coturn.spec.ports ?? []).map((p: Obj) => p.nodePort).filter(Boolean) } : undefined,
    namespaces,
    workspaceNamespaces: [...new Set(workspaces.map((w) => w.metadata!.namespace!))].sort(),
    crdExists: crd !== undefined,
  };
}
