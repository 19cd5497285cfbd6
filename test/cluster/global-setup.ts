/**
 * jest globalSetup/globalTeardown: one control plane for the whole run. Test
 * files find it through AILERON_KUBECONFIG (workers inherit the environment).
 */
import { ControlPlane } from './control-plane.js';

let plane: ControlPlane | undefined;

export async function setup(): Promise<void> {
  // Six nodes: every test release runs a CoTURN on the host network, one per node.
  plane = new ControlPlane(undefined, { nodes: 6 });
  const started = Date.now();
  const info = await plane.start();
  process.env.AILERON_KUBECONFIG = info.kubeconfig;
  process.env.AILERON_CP_DIR = info.dir;
  process.env.AILERON_CP_SERVER = info.server;
  process.stderr.write(`\ncontrol plane up in ${((Date.now() - started) / 1000).toFixed(1)}s at ${info.server}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void plane?.stop().then(() => process.exit(130)));
  }
}

export async function teardown(): Promise<void> {
  await plane?.stop();
}
