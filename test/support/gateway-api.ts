/** The real Gateway API CRDs (standard channel), from the pinned sigs.k8s.io/gateway-api module (scripts/install-tools.sh). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kOk, waitForCrd } from './cluster.js';
import { TOOLS_BIN } from '../cluster/control-plane.js';

export const GATEWAY_API_CRDS = join(TOOLS_BIN, '..', 'gateway-api-crds');
export const HTTPROUTE_CRD = join(GATEWAY_API_CRDS, 'gateway.networking.k8s.io_httproutes.yaml');
export const GATEWAY_CRD = join(GATEWAY_API_CRDS, 'gateway.networking.k8s.io_gateways.yaml');

/** Every file of the standard channel, as its install applies them (the CRDs, and the policy guarding their upgrades). */
export function installGatewayApiCrds(): void {
  kOk(['apply', '--server-side', ...readdirSync(GATEWAY_API_CRDS).filter((f) => f.endsWith('.yaml')).flatMap((f) => ['-f', join(GATEWAY_API_CRDS, f)])]);
  waitForCrd('httproutes.gateway.networking.k8s.io');
  waitForCrd('gateways.gateway.networking.k8s.io');
}
