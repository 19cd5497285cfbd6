/**
 * Keys that upstream's chart (or an earlier aileron-k8s) spelled differently.
 * A file that still uses one gets a precise message, not a typo hint, and
 * `aileron-k8s migrate` rewrites it.
 */
const REPLICA_COMPONENTS = ['frontend', 'workspaceManager', 'workspaceOperator', 'keycloak'];

export const RENAMED_KEYS: Record<string, { to: string; why: string }> = {
  'publicRouting.nextjsHostPattern': { to: 'publicRouting.canvasHostPattern', why: 'upstream renamed the Next.js canvas' },
  'kubernetes.nextjsImage': { to: 'kubernetes.canvasImage', why: 'upstream renamed the Next.js canvas' },
  ...Object.fromEntries(
    REPLICA_COMPONENTS.map((c) => [`${c}.replicas`, { to: `${c}.replicaCount`, why: 'replicaCount is the Helm convention upstream uses' }]),
  ),
};

export function renamedKeyMessage(path: string): string | undefined {
  const r = RENAMED_KEYS[path];
  return r && `${path}: renamed to ${r.to} (${r.why}); rename it, or run \`aileron-k8s migrate -f FILE\``;
}
