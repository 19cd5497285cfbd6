/** The ports of each workspace component, and the Ingress paths the public ones serve. */
import { WORKSPACE_PORTS } from '../components/platform-config.js';
import type { WorkspaceComponent } from '../values/hosts.js';

export interface PortSpec {
  name: string;
  port: number;
  /** Ingress path served by this port, if public. */
  path?: string;
}

/** Ports, and the Ingress paths they serve (longest path first). */
/** The ports a component serves publicly, with their paths (what the Ingress or the HTTPRoute routes). */
export function publicPorts(component: WorkspaceComponent): Array<PortSpec & { path: string }> {
  return COMPONENT_PORTS[component].filter((x): x is PortSpec & { path: string } => x.path !== undefined);
}

export const COMPONENT_PORTS: Record<WorkspaceComponent, PortSpec[]> = {
  runtime: [
    { name: 'terminal', port: WORKSPACE_PORTS.runtime.terminal, path: '/ws/terminal' },
    { name: 'http', port: WORKSPACE_PORTS.runtime.http, path: '/' },
  ],
  browser: [
    { name: 'webrtc', port: WORKSPACE_PORTS.browser.webrtc, path: '/' },
    // The Chrome DevTools port stays cluster-internal: it controls the browser.
    { name: 'cdp', port: WORKSPACE_PORTS.browser.cdp },
  ],
  canvas: [
    { name: 'ws', port: WORKSPACE_PORTS.canvas.ws, path: '/ws' },
    { name: 'http', port: WORKSPACE_PORTS.canvas.http, path: '/' },
  ],
};

