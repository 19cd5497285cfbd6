/**
 * Keys of the upstream chart's values.yaml that this chart has no key for.
 * `migrate` maps each one to what keeps its effect here, or drops it and says
 * why, so upstream's stock values file (and any file made from it) migrates.
 */
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { setAt, valueAt } from './yaml-doc.js';

export interface Report {
  changes: string[];
  warnings: string[];
}

const has = (doc: Document, path: string[]) => doc.hasIn(path);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Sets a key of a string map unless the file sets it already; says which. */
function setEnv(doc: Document, path: string[], name: string, value: string, from: string, report: Report): void {
  if (has(doc, [...path, name])) {
    report.warnings.push(`${from}: ${path.join('.')}.${name} is set already; kept that one`);
    return;
  }
  setAt(doc, [...path, name], value);
  report.changes.push(`${from} → ${path.join('.')}.${name}`);
}

/** upstream's bootstrap.defaultWorkspace reaches the manager as BOOTSTRAP_DEFAULT_WORKSPACE_* (its platform ConfigMap). */
const BOOTSTRAP_ENV: Record<string, string> = {
  enabled: 'BOOTSTRAP_DEFAULT_WORKSPACE_ENABLED',
  id: 'BOOTSTRAP_DEFAULT_WORKSPACE_ID',
  ownerEmail: 'BOOTSTRAP_DEFAULT_WORKSPACE_OWNER_EMAIL',
  gitUrl: 'BOOTSTRAP_DEFAULT_WORKSPACE_GIT_URL',
  branch: 'BOOTSTRAP_DEFAULT_WORKSPACE_BRANCH',
  targetNamespace: 'BOOTSTRAP_DEFAULT_WORKSPACE_TARGET_NAMESPACE',
};

function migrateBootstrap(doc: Document, report: Report): void {
  if (!has(doc, ['bootstrap'])) return;
  const workspace = valueAt(doc, ['bootstrap', 'defaultWorkspace']) as Record<string, unknown> | undefined;
  if (workspace?.enabled === true) {
    for (const [key, env] of Object.entries(BOOTSTRAP_ENV)) {
      const value = workspace[key];
      if (value === undefined || value === null) continue;
      setEnv(doc, ['workspaceManager', 'env'], env, String(value), `bootstrap.defaultWorkspace.${key}`, report);
    }
  } else {
    report.changes.push('bootstrap: dropped (the default workspace is off; the manager reads it from BOOTSTRAP_DEFAULT_WORKSPACE_* in workspaceManager.env here)');
  }
  doc.deleteIn(['bootstrap']);
}

/** upstream puts service.annotations on the manager's Service only. */
function migrateServiceAnnotations(doc: Document, report: Report): void {
  if (!has(doc, ['service'])) return;
  const annotations = valueAt(doc, ['service', 'annotations']);
  if (annotations && typeof annotations === 'object' && Object.keys(annotations).length > 0) {
    if (has(doc, ['workspaceManager', 'service', 'annotations'])) {
      report.warnings.push('service.annotations: workspaceManager.service.annotations is set already; kept that one');
    } else {
      setAt(doc, ['workspaceManager', 'service', 'annotations'], annotations);
      report.changes.push('service.annotations → workspaceManager.service.annotations (the upstream chart put them on the manager\'s Service only)');
    }
  } else {
    report.changes.push('service: dropped (no annotations)');
  }
  doc.deleteIn(['service']);
}

/** workspaceManager.extraEnv, a list of EnvVar, becomes entries of workspaceManager.env where it is a plain value. */
function migrateExtraEnv(doc: Document, report: Report): void {
  const path = ['workspaceManager', 'extraEnv'];
  if (!has(doc, path)) return;
  const list = doc.getIn(path, true);
  const entries = isSeq(list) ? (list.toJSON() as Array<Record<string, unknown>>) : [];
  for (const entry of entries) {
    if (typeof entry?.name === 'string' && entry.valueFrom === undefined) {
      setEnv(doc, ['workspaceManager', 'env'], entry.name, String(entry.value ?? ''), `workspaceManager.extraEnv[${entry.name}]`, report);
    } else {
      report.warnings.push(
        `workspaceManager.extraEnv[${String(entry?.name)}]: takes its value from a Secret or field, which workspaceManager.env cannot; put the key in the Secret named by workspaceManager.existingSecret`,
      );
    }
  }
  if (entries.length === 0) report.changes.push('workspaceManager.extraEnv: dropped (empty; workspaceManager.env holds extra variables here)');
  doc.deleteIn(path);
}

interface Dropped {
  path: string[];
  /** upstream's default: a file that keeps it loses nothing. */
  upstreamDefault: unknown;
  why: string;
}

const DROPPED: Dropped[] = [
  {
    path: ['workspaceManager', 'service', 'flowerPort'],
    upstreamDefault: 5555,
    why: 'the manager\'s Service here publishes its API port only; Flower (Celery\'s monitor) has no sign-in, so reach it with kubectl port-forward',
  },
  { path: ['workspaceOperator', 'rbac'], upstreamDefault: { create: true }, why: 'the operator\'s RBAC is always created here, scoped to the workspace namespaces' },
  { path: ['postgres', 'service'], upstreamDefault: { port: 5432 }, why: 'PostgreSQL\'s Service port is 5432 here' },
  { path: ['redis', 'service'], upstreamDefault: { port: 6379 }, why: 'Redis\'s Service port is 6379 here' },
  { path: ['postgres', 'persistence', 'accessModes'], upstreamDefault: ['ReadWriteOnce'], why: 'one server writes the volume: ReadWriteOnce here' },
  { path: ['redis', 'persistence', 'accessModes'], upstreamDefault: ['ReadWriteOnce'], why: 'one server writes the volume: ReadWriteOnce here' },
  {
    path: ['redis', 'args'],
    upstreamDefault: ['redis-server', '--appendonly', 'yes', '--maxmemory', '256mb', '--maxmemory-policy', 'allkeys-lru'],
    why: 'the chart configures Redis here (its password; appendonly when persistent); its memory is bounded by redis.resources',
  },
];

/** upstream's operator took its log level and CRD coordinates from env; ours has a value for the first and serves one CRD. */
function migrateOperatorEnv(doc: Document, report: Report): void {
  const env = ['workspaceOperator', 'env'];
  const level = valueAt(doc, [...env, 'LOG_LEVEL']);
  if (level !== undefined) {
    if (['debug', 'info', 'warn', 'error'].includes(String(level)) && !has(doc, ['workspaceOperator', 'logLevel'])) {
      doc.setIn(['workspaceOperator', 'logLevel'], String(level));
      report.changes.push(`workspaceOperator.env.LOG_LEVEL → workspaceOperator.logLevel (${String(level)})`);
    } else {
      report.warnings.push(`workspaceOperator.env.LOG_LEVEL: ${JSON.stringify(level)} dropped; set workspaceOperator.logLevel (debug, info, warn or error)`);
    }
    doc.deleteIn([...env, 'LOG_LEVEL']);
  }
  for (const [key, served] of [['WORKSPACE_CRD_GROUP', 'platform.aileron.io'], ['WORKSPACE_CRD_VERSION', 'v1alpha1']]) {
    const value = valueAt(doc, [...env, key]);
    if (value === undefined) continue;
    if (value === served) report.changes.push(`workspaceOperator.env.${key}: dropped (the operator here serves ${served} only)`);
    else report.warnings.push(`workspaceOperator.env.${key}: ${JSON.stringify(value)} dropped; the operator here serves ${served} only`);
    doc.deleteIn([...env, key]);
  }
}

/** `kubernetes.nodePort: null` is upstream's "unset": here that is the key left out. */
function migrateNullNodePort(doc: Document, report: Report): void {
  const node = doc.getIn(['kubernetes', 'nodePort'], true);
  if (isScalar(node) && node.value === null) {
    doc.deleteIn(['kubernetes', 'nodePort']);
    report.changes.push('kubernetes.nodePort: null → left out (Kubernetes picks the workspace NodePort, as with upstream\'s null)');
  }
}

export function migrateUpstreamOnlyKeys(doc: Document, report: Report): void {
  migrateNullNodePort(doc, report);
  migrateBootstrap(doc, report);
  migrateServiceAnnotations(doc, report);
  migrateExtraEnv(doc, report);
  migrateOperatorEnv(doc, report);
  for (const d of DROPPED) {
    if (!has(doc, d.path)) continue;
    const value = valueAt(doc, d.path);
    const key = d.path.join('.');
    if (sameJson(value, d.upstreamDefault) || value === null) report.changes.push(`${key}: dropped (${d.why})`);
    else report.warnings.push(`${key}: ${JSON.stringify(value)} dropped, not upstream's default: ${d.why}`);
    doc.deleteIn(d.path);
    removeIfEmpty(doc, d.path.slice(0, -1));
  }
}

/** A map left empty by a drop goes too (`postgres.service: {}` would say nothing). */
function removeIfEmpty(doc: Document, path: string[]): void {
  if (path.length === 0) return;
  const node = doc.getIn(path, true);
  if (isMap(node) && (node as YAMLMap).items.length === 0) doc.deleteIn(path);
}
