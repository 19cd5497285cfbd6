/**
 * What every platform construct needs besides its own values: the release, the
 * namespace, Helm-style names and the standard labels.
 */
import { APP_VERSION, type Values } from '../values/schema.js';
import { Expressions } from './expr.js';
import { expandHost } from '../values/hosts.js';
import type { ValOr, Vals } from './template-value.js';

export const CHART_NAME = 'aileron';

export interface ReleaseOptions {
  /** Helm release name (default `aileron`). */
  release?: string;
  /** Namespace of the platform objects (default `aileron`). */
  namespace?: string;
}

export type Component =
  | 'frontend'
  | 'workspace-manager'
  | 'workspace-operator'
  | 'keycloak'
  | 'coturn'
  | 'workspace-auth'
  | 'postgres'
  | 'redis'
  | 'postgres-bootstrap'
  | 'platform'
  | 'test';

/**
 * What a construct gets of its release besides its props: names, labels, the namespace, public hosts and how values
 * are read (concretely in synth, as `.Values` in the chart). Not the values tree: a construct's props name the
 * values it reads.
 */
export type Release = Omit<PlatformContext, 'values' | 'inNamespace'> & { inNamespace(namespace: string): Release };

/** What every platform construct takes: the release it belongs to, and the values it reads. */
export interface ConstructProps<V> {
  /** Names, labels, namespace and public hosts of the release, and how values are read. */
  readonly release: Release;
  /** The values this construct reads, and no others: placed with `x.value`, tested and looped through `x` (template-value.ts). */
  readonly values: Vals<V>;
}

export class PlatformContext {
  readonly release: string;
  readonly namespace: string;
  /** `app.kubernetes.io/name`: the chart name, or nameOverride. */
  readonly appName: string;
  readonly fullname: string;
  /** global.imagePullSecrets: every platform pod pulls with them. */
  readonly imagePullSecrets: Array<{ name: string }>;
  /** global.storageClass: for any claim whose own storageClass is "". */
  readonly storageClass: string;
  /** The chart sets `Helm` in its own templates; synth's objects say who made them. */
  readonly managedBy = 'aileron-k8s';

  constructor(
    readonly values: Values,
    options: ReleaseOptions = {},
    /** How constructs test and loop over values: concretely here, as Helm actions in the chart. */
    readonly x: Expressions = new Expressions(),
  ) {
    this.release = options.release ?? 'aileron';
    this.namespace = options.namespace ?? 'aileron';
    this.appName = appName(values);
    this.fullname = fullname(this.release, values);
    this.imagePullSecrets = values.global.imagePullSecrets;
    this.storageClass = values.global.storageClass;
  }

  /**
   * The same release, for objects that live in another namespace (CoTURN's): names, labels and
   * values are this context's; metadata() puts them in `namespace`.
   */
  inNamespace(namespace: string): PlatformContext {
    return Object.create(this, { namespace: { value: namespace } }) as PlatformContext;
  }

  /** `<fullname>-<component>`, e.g. `aileron-workspace-manager`. */
  name(component: string): string {
    return truncate(`${this.fullname}-${component}`);
  }

  /** Labels that select a component's pods; they never change across upgrades. */
  selector(component: Component): Record<string, string> {
    return {
      'app.kubernetes.io/name': this.appName,
      'app.kubernetes.io/instance': this.release,
      'app.kubernetes.io/component': component,
    };
  }

  labels(component: Component): Record<string, string> {
    return {
      ...this.selector(component),
      'app.kubernetes.io/part-of': CHART_NAME,
      'app.kubernetes.io/version': APP_VERSION,
      'app.kubernetes.io/managed-by': this.managedBy,
    };
  }

  metadata(component: Component, name = this.name(component), extra: { annotations?: Record<string, string> } = {}) {
    return { name, namespace: this.namespace, labels: this.labels(component), ...extra };
  }

  /** A public host from a publicRouting pattern, `{baseDomain}` expanded. */
  host(pattern: ValOr<string>): string {
    return expandHost(pattern as string, this.values.publicRouting);
  }

  /** In-cluster DNS name of a platform Service. */
  serviceHost(component: Component): string {
    return `${this.name(component)}.${this.namespace}.svc.cluster.local`;
  }
}

/** Helm's `name`: nameOverride, else the chart name. */
export function appName(values: Pick<Values, 'nameOverride'>): string {
  return truncate(values.nameOverride || CHART_NAME);
}

/**
 * Helm's conventional fullname (as `helm create` writes it): fullnameOverride; else the release name when it
 * already holds the name; else `<release>-<name>`. Truncated to 63 characters, never ending in "-".
 */
export function fullname(release: string, values: Pick<Values, 'nameOverride' | 'fullnameOverride'> = { nameOverride: '', fullnameOverride: '' }): string {
  if (values.fullnameOverride) return truncate(values.fullnameOverride);
  const name = values.nameOverride || CHART_NAME;
  return truncate(release.includes(name) ? release : `${release}-${name}`);
}

function truncate(name: string): string {
  return name.slice(0, 63).replace(/-+$/, '');
}
