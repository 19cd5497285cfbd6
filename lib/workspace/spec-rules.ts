/**
 * What a Workspace spec must satisfy for the operator's objects to be valid.
 * The CRD enforces these at admission (OpenAPI patterns and the CEL rules
 * built from the same constants in lib/crd/workspace-crd.ts); the operator
 * checks them again (a Workspace stored under an older CRD), turning a
 * violation into a Failed status that names the field, never a stream of
 * refused objects. The fuzz test in test/e2e/workspace-fuzz.test.ts holds
 * the two to the same verdicts.
 */
import { compareQuantities, isNegative, isPositive, isWhole, parseQuantity } from '../values/quantity.js';
import type { WorkspaceSpecJson } from './model.js';

/** Environment the operator sets on the runtime itself. */
export const OPERATOR_ENV = ['WORKSPACE_ID', 'WORKSPACE_OWNER_ID', 'WORKSPACE_PATH', 'GIT_URL', 'GIT_BRANCH'];

/** Mount points the pods use already, or system trees a volume must not hide. */
export const RESERVED_PATHS = ['/tmp', '/knowledge', '/dev', '/proc', '/sys', '/etc', '/usr', '/bin', '/sbin', '/lib', '/lib64', '/run', '/var/run'];

/** A path of plain segments: absolute, no `.`/`..`, no trailing slash. */
export const WORKSPACE_PATH_PATTERN = '^(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$';

export const STANDARD_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
/** Counted in bytes: a fraction (500m of memory) is refused by the API server. */
export const BYTE_RESOURCES = ['memory', 'ephemeral-storage'];
/**
 * A byte count as text: digits, or a number with a unit of at least 1000 (1.5Gi), or a positive exponent.
 * Text, not arithmetic, because Kubernetes' CEL isInteger() says no to 0.5Gi; the CRD and the operator
 * must give the same verdict. (A number like 1.0005k slips through; the API server only warns on it.)
 */
export const BYTE_QUANTITY_PATTERN = '^([0-9]+|[0-9]*[.]?[0-9]+(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)|[0-9]*[.]?[0-9]+[eE][+]?[0-9]+)$';
/** An extended resource: `example.com/gpu`. */
export const EXTENDED_RESOURCE_PATTERN = '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$';
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/**
 * An ownerId the workspace proxy can match exactly: its flag parser reads `--allowed-group` as a CSV list, so a
 * comma or quote would split or fail it, and a line break would cut it short. No spaces, no control characters.
 */
export const OWNER_ID_PATTERN = '^[^\\s,"\\x00-\\x1f\\x7f]+$';

/** A pod's bandwidth (kubernetes.io/{ingress,egress}-bandwidth): bits per second, as the kubelet reads it. */
export const BANDWIDTH_PATTERN = '^[0-9]+(\\.[0-9]+)?(k|M|G|T|P)?$';
/** What the kubelet calls reasonable (ValidateBandwidthIsReasonable): 1k to 1P bits per second. */
export const BANDWIDTH_RANGE = { min: '1k', max: '1P' };
/** What a bandwidth outside that range is told (the CRD, the operator, and values in synth and the chart). */
export const BANDWIDTH_OUT_OF_RANGE = `is outside what the kubelet accepts (${BANDWIDTH_RANGE.min} to ${BANDWIDTH_RANGE.max} bits per second)`;

export interface SpecProblem {
  field: string;
  message: string;
}

type QuantityMap = Record<string, string | number> | undefined;

function resourceProblems(field: string, r: { requests?: QuantityMap; limits?: QuantityMap } | undefined): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (!r) return problems;
  const parsed: Record<'requests' | 'limits', Record<string, ReturnType<typeof parseQuantity>>> = { requests: {}, limits: {} };
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, value] of Object.entries(r[kind] ?? {})) {
      const at = `${field}.${kind}.${name}`;
      if (!STANDARD_RESOURCES.includes(name) && !new RegExp(EXTENDED_RESOURCE_PATTERN).test(name)) {
        problems.push({ field: at, message: 'is not a resource name: use cpu, memory, ephemeral-storage or an extended resource domain/name' });
        continue;
      }
      const q = parseQuantity(value);
      if (!q) problems.push({ field: at, message: `"${value}" is not a quantity (for example 500m, 2, 1Gi)` });
      else if (isNegative(q)) problems.push({ field: at, message: `${value} is negative` });
      else if (name.includes('/') && !(isWhole(q) && integerToTheApiServer(String(value)))) problems.push({ field: at, message: `${value}: extended resources come in whole numbers` });
      else if (BYTE_RESOURCES.includes(name) && !new RegExp(BYTE_QUANTITY_PATTERN).test(String(value))) {
        problems.push({ field: at, message: `${value}: memory and ephemeral-storage are whole bytes (not 500m)` });
      }
      parsed[kind][name] = q;
    }
  }
  for (const [name, request] of Object.entries(parsed.requests)) {
    const limit = parsed.limits[name];
    if (name.includes('/') && (!limit || !request || compareQuantities(request, limit) !== 0)) {
      problems.push({ field: `${field}.limits.${name}`, message: 'an extended resource needs a limit equal to its request' });
    } else if (request && limit && compareQuantities(request, limit) > 0) {
      problems.push({ field: `${field}.requests.${name}`, message: `${r.requests![name]} is above the limit ${r.limits![name]}` });
    }
  }
  return problems;
}

/** Everything wrong with a spec, each naming its field; empty when the operator can make its objects. */
export function specProblems(spec: WorkspaceSpecJson): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (typeof spec.ownerId !== 'string' || !new RegExp(OWNER_ID_PATTERN).test(spec.ownerId)) {
    problems.push({ field: 'spec.ownerId', message: 'must be the owner\'s id without spaces, commas, quotes or control characters (the workspace proxy matches it exactly)' });
  }
  const path = spec.workspacePath;
  if (path !== undefined) {
    if (!new RegExp(WORKSPACE_PATH_PATTERN).test(path)) {
      problems.push({ field: 'spec.workspacePath', message: `"${path}" must be an absolute path of plain segments (no ".", "..", trailing "/")` });
    } else if (RESERVED_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) {
      problems.push({ field: 'spec.workspacePath', message: `"${path}" is taken: it may not be or lie under ${RESERVED_PATHS.join(', ')}` });
    }
  }
  const seenEnv = new Set<string>();
  for (const [i, e] of (spec.envVars ?? []).entries()) {
    if (OPERATOR_ENV.includes(e.key)) {
      problems.push({ field: `spec.envVars[${i}].key`, message: `${e.key} is set by the operator (${OPERATOR_ENV.join(', ')}); use another name` });
    } else if (seenEnv.has(e.key)) {
      problems.push({ field: `spec.envVars[${i}].key`, message: `${e.key} is given twice` });
    }
    seenEnv.add(e.key);
  }
  const aliases = new Set<string>();
  for (const [i, kb] of (spec.knowledgeBases ?? []).entries()) {
    if (aliases.has(kb.alias)) problems.push({ field: `spec.knowledgeBases[${i}].alias`, message: `"${kb.alias}" is mounted twice` });
    aliases.add(kb.alias);
  }
  const size = spec.storage?.size;
  if (size !== undefined) {
    const q = parseQuantity(size);
    if (!q || !isPositive(q)) problems.push({ field: 'spec.storage.size', message: `"${size}" must be a positive quantity such as 10Gi` });
  }
  const sc = spec.storage?.storageClassName;
  if (sc && (sc.length > 253 || !new RegExp(DNS_SUBDOMAIN).test(sc))) {
    problems.push({ field: 'spec.storage.storageClassName', message: `"${sc}" is not a StorageClass name (lowercase letters, digits, "-" and ".")` });
  }
  for (const direction of ['ingress', 'egress'] as const) {
    const value = spec.bandwidth?.[direction];
    if (value !== undefined && bandwidthProblem(value)) problems.push({ field: `spec.bandwidth.${direction}`, message: bandwidthProblem(value)! });
  }
  for (const c of ['runtime', 'browser', 'canvas'] as const) {
    problems.push(...resourceProblems(`spec.${c}.resources`, (spec[c] as { resources?: { requests?: QuantityMap; limits?: QuantityMap } } | undefined)?.resources));
  }
  return problems;
}

const BANDWIDTH = new RegExp(BANDWIDTH_PATTERN);
const BANDWIDTH_BOUNDS = { min: parseQuantity(BANDWIDTH_RANGE.min)!, max: parseQuantity(BANDWIDTH_RANGE.max)! };

/** Why a bandwidth is not one the kubelet takes, or undefined. */
export function bandwidthProblem(value: string): string | undefined {
  const q = BANDWIDTH.test(value) ? parseQuantity(value) : undefined;
  if (!q) return `"${value}" is not a bandwidth in bits per second (for example 10M or 1G)`;
  if (compareQuantities(q, BANDWIDTH_BOUNDS.min) < 0 || compareQuantities(q, BANDWIDTH_BOUNDS.max) > 0) {
    return `${value} ${BANDWIDTH_OUT_OF_RANGE}`;
  }
  return undefined;
}

/**
 * The API server's CEL isInteger() reads a fraction with a binary suffix (`0.5Gi`, `1.0Ki`) as a decimal, never an
 * integer, whatever its value (536870912 is 0.5Gi): the CRD refuses it, so the operator and the CLI do too.
 */
function integerToTheApiServer(text: string): boolean {
  return !/\.[0-9]*(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(text);
}
