/**
 * `npm run cluster`: starts the local control plane, prints the kubeconfig
 * path and waits; Ctrl-C stops etcd and the apiserver and removes the data.
 */
import { ControlPlane } from './control-plane.js';

const plane = new ControlPlane();
const info = await plane.start();
process.stdout.write(`control plane ready at ${info.server}\n  export KUBECONFIG=${info.kubeconfig}\nCtrl-C stops it.\n`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping control plane...\n');
    void plane.stop().then(() => process.exit(0));
  });
}
setInterval(() => undefined, 1 << 30);
