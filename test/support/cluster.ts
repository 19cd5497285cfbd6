/** Access to the control plane that jest's globalSetup started. */
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { kubectl, kubeconfigForServiceAccount } from '../cluster/control-plane.js';
import { renderPlatform } from '../../lib/platform/platform-chart.js';
import { loadValues, type ValuesSources } from '../../lib/values/load.js';
import { writeManifests } from '../../lib/render/write.js';
import { fixedSecrets } from './render.js';

export function cluster() {
  const kubeconfig = process.env.AILERON_KUBECONFIG;
  const dir = process.env.AILERON_CP_DIR;
  const server = process.env.AILERON_CP_SERVER;
  if (!kubeconfig || !dir || !server) throw new Error('no control plane: run through jest (globalSetup starts it)');
  return { kubeconfig, dir, server };
}

/** kubectl as the cluster admin. */
export const k = (args: string[], input?: string) => kubectl(cluster().kubeconfig, args, input);

/** kubectl that must succeed; returns stdout. */
export function kOk(args: string[], input?: string): string {
  const res = k(args, input);
  if (res.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

export function asServiceAccount(namespace: string, name: string) {
  const config = kubeconfigForServiceAccount(cluster(), namespace, name);
  return (args: string[], input?: string) => kubectl(config, args, input);
}

/** Renders a release into a fresh folder, as `aileron-k8s synth` would. */
export function synthToDir(sources: ValuesSources, release: string, namespace: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), `synth-${release}-`)), 'out');
  writeManifests(dir, renderPlatform({ values: loadValues(sources), release, namespace, secrets: fixedSecrets }));
  return dir;
}

export function applyServerSide(dir: string) {
  return k(['apply', '--server-side', '--field-manager=aileron-k8s', '-f', dir]);
}

export function waitForCrd(name = 'workspaces.platform.aileron.io') {
  // `kubectl wait` fails at once while a new CRD has no conditions yet: retry that briefly.
  for (let attempt = 0; ; attempt++) {
    const res = k(['wait', '--for=condition=Established', '--timeout=60s', `crd/${name}`]);
    if (res.status === 0) return;
    if (attempt >= 50 || !res.stderr.includes('conditions accessor error')) throw new Error(`CRD ${name} not established: ${res.stderr}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}
