/** Operator settings from its environment (the Deployment sets them; see lib/components/workspace-operator.ts). */
import { hostname } from 'node:os';
import { DEFAULT_ACTIVITY_URL } from './lifecycle/activity.js';

export interface OperatorConfig {
  /** "" watches every namespace. */
  watchNamespace: string;
  /**
   * The workspace namespaces (the platform ConfigMap's RUNTIME_K8S_ALLOWED_NAMESPACES, which the Deployment's
   * envFrom gives): the operator's RBAC lets it read and write there only, so it watches its objects there.
   * Empty: every namespace.
   */
  ownedNamespaces: string[];
  podNamespace: string;
  podName: string;
  platformConfigMap: string;
  leaderElection: boolean;
  leaseName: string;
  leaseDurationSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  healthPort: number;
  metricsPort: number;
  workers: number;
  /** Client-side limit on API requests per second, and the burst above it. */
  qps: number;
  burst: number;
  /**
   * Objects per page when the watches list (bounds the memory a large list takes at once). Measured on a restart
   * over 1,000 Workspaces: pages of 500 peaked at 95 MB RSS, pages of 100 at 80 MB (141 list calls instead of 29).
   */
  listPageSize: number;
  /** How often the operator reads the workspace proxies' request counts (activity, for idle stops). */
  activityIntervalSeconds: number;
  /**
   * Where a workspace proxy's metrics are, with `{service}`, `{namespace}` and `{port}` filled in: the Service's
   * cluster DNS name by default (set it for another cluster domain).
   */
  activityUrl: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const int = (key: string, def: number) => (env[key] ? Number.parseInt(env[key]!, 10) : def);
  return {
    watchNamespace: env.WATCH_NAMESPACE ?? '',
    ownedNamespaces: (env.RUNTIME_K8S_ALLOWED_NAMESPACES ?? '').split(',').map((n) => n.trim()).filter(Boolean),
    podNamespace: env.POD_NAMESPACE ?? 'aileron',
    podName: env.POD_NAME ?? hostname(),
    platformConfigMap: env.PLATFORM_CONFIGMAP_NAME ?? 'aileron-platform-config',
    leaderElection: (env.LEADER_ELECTION ?? 'true') === 'true',
    leaseName: env.LEADER_ELECTION_LEASE_NAME ?? 'aileron-workspace-operator',
    leaseDurationSeconds: int('LEASE_DURATION_SECONDS', 15),
    logLevel: (env.LOG_LEVEL as OperatorConfig['logLevel']) ?? 'info',
    healthPort: int('HEALTH_PORT', 8081),
    metricsPort: int('METRICS_PORT', 8080),
    workers: int('WORKERS', 16),
    qps: int('KUBE_API_QPS', 1000),
    burst: int('KUBE_API_BURST', 2000),
    listPageSize: int('LIST_PAGE_SIZE', 100),
    activityIntervalSeconds: int('ACTIVITY_INTERVAL_SECONDS', 60),
    activityUrl: env.ACTIVITY_URL || DEFAULT_ACTIVITY_URL,
  };
}
