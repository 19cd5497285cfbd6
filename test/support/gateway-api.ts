/** The real Gateway API CRDs (standard channel), from the pinned sigs.k8s.io/gateway-api module (scripts/install-tools.sh). */
import { join } from 'node:path';
import { TOOLS_BIN } from '../cluster/control-plane.js';

export const GATEWAY_API_CRDS = join(TOOLS_BIN, '..', 'gateway-api-crds');
export const HTTPROUTE_CRD = join(GATEWAY_API_CRDS, 'gateway.networking.k8s.io_httproutes.yaml');
export const GATEWAY_CRD = join(GATEWAY_API_CRDS, 'gateway.networking.k8s.io_gateways.yaml');
