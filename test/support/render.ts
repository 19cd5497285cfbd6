/** Rendering helpers shared by the tests. */
import { join } from 'node:path';
import { loadValues, type ValuesSources } from '../../lib/values/load.js';
import { renderPlatform, type K8sObject, type PlatformOptions } from '../../lib/platform/platform-chart.js';
import type { SecretGenerator } from '../../lib/platform/credentials.js';

export const ROOT = process.cwd();
export const EXAMPLE_VALUES = ['prod', 'external-services', 'custom-namespaces', 'minimal', 'custom-hosts', 'private-registry', 'gateway-api', 'gateway-own', 'monitoring'];
export const exampleFile = (name: string) => join(ROOT, 'test', 'values', `${name}.yaml`);

/** The workspace proxies' credentials, as the operator copies them from the platform Secret. */
export const TEST_AUTH = { clientSecret: 'c'.repeat(32), cookieSecret: 'k'.repeat(32) };

/** Deterministic stand-in for random credentials, so renders compare equal. */
export const fixedSecrets: SecretGenerator = { value: (secret, key) => `generated-${secret}-${key}` };

export function render(sources: ValuesSources = {}, options: Partial<PlatformOptions> = {}): K8sObject[] {
  return renderPlatform({ values: loadValues(sources), secrets: fixedSecrets, ...options });
}

export function find(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.find(
    (o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found) {
    const have = objects.filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    throw new Error(`no ${kind} ${name}; have: ${have.join(', ')}`);
  }
  return found;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export function podSpecOf(obj: K8sObject): Loose {
  const spec = obj.spec as Loose;
  return obj.kind === 'Pod' ? spec : spec.template.spec;
}

export function envOf(obj: K8sObject, container = 0): Record<string, Loose> {
  const env = podSpecOf(obj).containers[container].env ?? [];
  return Object.fromEntries(env.map((e: Loose) => [e.name, e.value ?? e.valueFrom]));
}

export const workloads = (objects: K8sObject[]) =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind));
