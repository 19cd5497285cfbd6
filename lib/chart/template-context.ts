/**
 * The PlatformContext of template mode: values are tokens for `.Values`, and
 * names and labels are the `_helpers.tpl` definitions that compute them at
 * install time.
 */
import { type Component, PlatformContext } from '../platform/context.js';
import { Expressions } from '../platform/expr.js';
import { token, valueTokens, type Schema } from '../platform/helm-tokens.js';
import { ValuesSchema, type Values } from '../values/schema.js';

export class TemplateContext extends PlatformContext {
  override readonly release = token<string>('$.Release.Name', 'string');
  override readonly namespace = token<string>('$.Release.Namespace', 'string');
  override readonly appName = token<string>('include "aileron.appName" $', 'string');
  override readonly fullname = token<string>('include "aileron.fullname" $', 'string');

  constructor() {
    super(valueTokens(ValuesSchema as unknown as Schema, '$.Values') as Values, {}, new Expressions(true));
  }

  override name(component: string): string {
    return token(`include "aileron.name" (list $ ${JSON.stringify(component)})`, 'string');
  }

  override selector(component: Component): Record<string, string> {
    return token(`include "aileron.selector" (list $ ${JSON.stringify(component)})`, 'map', { yamlText: true });
  }

  override labels(component: Component): Record<string, string> {
    return token(`include "aileron.labels" (list $ ${JSON.stringify(component)})`, 'map', { yamlText: true });
  }

  override host(pattern: string): string {
    return token(`include "aileron.host" (list $ ${this.x.helm(pattern)})`, 'string');
  }

  override serviceHost(component: Component): string {
    return token(`include "aileron.serviceHost" (list $ ${JSON.stringify(component)})`, 'string');
  }
}
