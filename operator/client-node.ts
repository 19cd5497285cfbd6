/**
 * The parts of client-node the operator uses: KubeConfig (credentials, TLS)
 * and Watch. Imported from their own modules: the package's index re-exports
 * the generated API classes, and a bundle that imports it carries a
 * serializer of every Kubernetes type (see api-client.ts).
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { Watch } from '@kubernetes/client-node/dist/watch.js';
