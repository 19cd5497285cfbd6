/** How Prometheus finds the workspace operator's metrics once its ServiceMonitor scrapes them. */
import type { Release } from '../platform/context.js';

/** The job Prometheus gives the operator's metrics: the name of the Service its ServiceMonitor finds them by. */
export const operatorMetricsJob = (ctx: Release) => `${ctx.name('workspace-operator')}-metrics`;

/** The series selector of the operator's own metrics. */
export const operatorSeries = (ctx: Release) => `job="${operatorMetricsJob(ctx)}", namespace="${ctx.namespace}"`;
