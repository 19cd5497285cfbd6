/**
 * The PlatformContext of template mode: values are tokens for `.Values`, and
 * names and labels are the `_helpers.tpl` definitions that compute them at
 * install time. Each one is a render of its own, with its own TemplateRegistry.
 */
import { type Component, PlatformContext } from '../platform/context.js';
import { Expressions } from '../platform/expr.js';
import { TemplateRegistry, type HelmToken, type Schema, type ValueType } from '../platform/helm-tokens.js';
import { ValuesSchema, type Values } from '../values/schema.js';
import type { ValOr } from '../platform/template-value.js';

export class TemplateContext extends PlatformContext {
  override readonly release = this.token<string>('$.Release.Name', 'string');
  override readonly namespace = this.token<string>('$.Release.Namespace', 'string');
  override readonly appName = this.token<string>('include "aileron.appName" $', 'string');
  override readonly fullname = this.token<string>('include "aileron.fullname" $', 'string');

  constructor(registry = new TemplateRegistry()) {
    super(registry.valueTokens(ValuesSchema as unknown as Schema, '$.Values') as Values, {}, new Expressions(registry));
  }

  /** The render's tokens, conditions and hoisted data, which the printer reads. */
  get registry(): TemplateRegistry {
    return this.x.registry!;
  }

  override name(component: string): string {
    return this.token(`include "aileron.name" (list $ ${JSON.stringify(component)})`, 'string');
  }

  override selector(component: Component): Record<string, string> {
    return this.token(`include "aileron.selector" (list $ ${JSON.stringify(component)})`, 'map', { yamlText: true });
  }

  override labels(component: Component): Record<string, string> {
    return this.token(`include "aileron.labels" (list $ ${JSON.stringify(component)})`, 'map', { yamlText: true });
  }

  override host(pattern: ValOr<string>): string {
    return this.token(`include "aileron.host" (list $ ${this.x.helm(pattern)})`, 'string');
  }

  override serviceHost(component: Component): string {
    return this.token(`include "aileron.serviceHost" (list $ ${JSON.stringify(component)})`, 'string');
  }

  private token<T>(text: string, type: ValueType, extra: Omit<HelmToken, 'text' | 'type'> = {}): T {
    return this.x.registry!.token<T>(text, type, extra);
  }
}
