/**
 * Values files written the upstream chart's way (its examples, an RKE
 * file of that era): `migrate` turns each into ours, which synth and
 * `helm template` render identically, with the names, ports and settings seed
 * 000's kubectl commands and tables expect.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { find, ROOT, type Loose } from '../support/render.js';
import { helmTemplate, normalize, synthObjects } from '../support/helm.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';

const CLI = join(ROOT, 'build', 'aileron-k8s.cjs');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const upstream = (name: string) => join(ROOT, 'test', 'values', 'upstream', `${name}.yaml`);
const FILES = ['rke', 'cert-manager', 'docker-desktop', 'external-services'];

/** The migrated file, written to a temporary folder. */
function migrated(name: string): string {
  const res = run('migrate', '-f', upstream(name));
  expect([name, res.status, res.stderr.includes('migrated')]).toEqual([name, 0, true]);
  const file = join(mkdtempSync(join(tmpdir(), 'migrated-')), `${name}.yaml`);
  writeFileSync(file, res.stdout);
  return file;
}

describe.each(FILES)('the upstream-style %s values', (name) => {
  const file = migrated(name);
  const objects = synthObjects({ files: [file] });

  test('migrate, then synth and helm template render the same objects', () => {
    expect(normalize(helmTemplate({ files: [file] }))).toEqual(normalize(objects));
  });

  test('names and ports are the ones the upstream chart uses in its kubectl commands', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
    for (const d of ['aileron-workspace-manager', 'aileron-workspace-operator', 'aileron-coturn', 'aileron-frontend']) expect(deployments).toContain(d);
    const manager = find(objects, 'Service', 'aileron-workspace-manager', 'aileron').spec as Loose;
    expect(manager.ports[0].port).toBe(3001);
    expect(find(objects, 'PersistentVolumeClaim', 'knowledge-bases-pvc', 'aileron')).toBeDefined();
    const config = find(objects, 'ConfigMap', 'aileron-platform-config', 'aileron').data as Record<string, string>;
    for (const key of ['RUNTIME_PROVISIONER', 'RUNTIME_K8S_NAMESPACE', 'RUNTIME_K8S_ALLOWED_NAMESPACES', 'RUNTIME_K8S_SERVICE_TYPE', 'RUNTIME_K8S_NODE_PORT', 'RUNTIME_K8S_NODE_ADDRESS', 'RUNTIME_K8S_PVC_NAME', 'RUNTIME_K8S_IMAGE', 'RUNTIME_K8S_BROWSER_IMAGE', 'RUNTIME_K8S_CANVAS_IMAGE', 'WATCH_NAMESPACE']) {
      expect(Object.keys(config)).toContain(key);
    }
  });
});

test('an upstream file is refused as is only for keys upstream renamed, each with its new name', () => {
  const res = run('synth', '-f', upstream('rke'), '-o', join(mkdtempSync(join(tmpdir(), 'rke-')), 'out'));
  expect(res.status).toBe(1);
  const problems = res.stderr.split('\n').filter((l) => l.startsWith('  - '));
  expect(problems).toEqual([
    '  - publicRouting.nextjsHostPattern: renamed to publicRouting.canvasHostPattern (upstream renamed the Next.js canvas); rename it, or run `aileron-k8s migrate -f FILE`',
    '  - kubernetes.nextjsImage: renamed to kubernetes.canvasImage (upstream renamed the Next.js canvas); rename it, or run `aileron-k8s migrate -f FILE`',
  ]);
});

describe('migrate on the RKE file', () => {
  const res = run('migrate', '-f', upstream('rke'));
  const out = parse(res.stdout);

  test('renames keys in place and keeps the comments', () => {
    expect(res.stdout).toContain('# upstream called the canvas "nextjs"\n  canvasHostPattern: "workspace-canvas-{workspaceId}.{baseDomain}"');
    expect(out.kubernetes.canvasImage).toBe('ailerondocker/workspace-canvas:v0.1.0');
    expect(out.frontend.replicaCount).toBe(2);
  });

  test('removes default passwords, pins latest tags, and says so', () => {
    expect(out.postgres.auth.password).toBe('');
    expect(out.keycloak.auth.adminPassword).toBe('');
    expect(out.coturn.credential).toBe('');
    expect(out.frontend.image.tag).toBe('v0.1.0');
    expect(res.stderr).toContain('changed: postgres.auth.password: removed the upstream default PostgreSQL password "postgres"');
    expect(res.stderr).toContain('changed: frontend.image.tag: latest → v0.1.0');
    expect(res.stderr).toContain('8 change(s)');
  });

  test('what upstream keys mean survives: TURN pinned to its node, advertising its external IP, the frontend env', () => {
    const objects: K8sObject[] = synthObjects({ files: [migrated('rke')] });
    const coturn = find(objects, 'Deployment', 'aileron-coturn', 'aileron-turn').spec as Loose;
    expect(coturn.template.spec.nodeSelector).toEqual({ role: 'turn' });
    expect(coturn.template.spec.containers[0].command[2]).toContain('external-ip=203.0.113.10');
    expect(find(objects, 'Service', 'aileron-coturn', 'aileron-turn').spec).toMatchObject({ type: 'NodePort', ports: [{ nodePort: 30479 }, { nodePort: 30479 }] });
    const frontend = find(objects, 'Deployment', 'aileron-frontend', 'aileron').spec as Loose;
    expect(frontend.replicas).toBe(2);
    expect(frontend.template.spec.containers[0].env).toEqual([{ name: 'TZ', value: 'Asia/Seoul' }]);
  });

  test('-o writes a new file, and never replaces an existing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-o-'));
    const target = join(dir, 'ours.yaml');
    expect(run('migrate', '-f', upstream('rke'), '-o', target).status).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(res.stdout);
    writeFileSync(target, 'mine\n');
    const again = run('migrate', '-f', upstream('rke'), '-o', target);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('exists; migrate writes a new file and never replaces one');
    expect(readFileSync(target, 'utf8')).toBe('mine\n');
  });
});

test('Docker Desktop: browsers get 127.0.0.1 for TURN, pods the node IP', () => {
  const config = find(synthObjects({ files: [migrated('docker-desktop')] }), 'ConfigMap', 'aileron-platform-config', 'aileron').data as Record<string, string>;
  expect(config).toMatchObject({ TURN_HOST: '192.168.65.3', TURN_FRONTEND_HOST: '127.0.0.1', TURN_PORT: '30479', RUNTIME_K8S_SERVICE_TYPE: 'NodePort' });
});

describe("the upstream chart's own stock values.yaml", () => {
  const stock = join(ROOT, '..', 'shared', 'upstream-chart', 'aileron', 'values.yaml');
  const res = run('migrate', '-f', stock);
  const out = parse(res.stdout);

  test('migrates: every upstream-only key is mapped or dropped, each with a reason', () => {
    expect(res.stderr).not.toContain('invalid values');
    expect(res.status).toBe(0);
    for (const key of ['bootstrap', 'service', 'workspaceManager.extraEnv', 'workspaceManager.service.flowerPort', 'workspaceOperator.rbac', 'postgres.service', 'postgres.persistence.accessModes', 'redis.service', 'redis.args', 'redis.persistence.accessModes', 'kubernetes.nodePort']) {
      expect(res.stderr).toMatch(new RegExp(`changed: ${key.replaceAll('.', '\\.')}[: ]`));
    }
    expect([out.bootstrap, out.service, out.redis.args, out.kubernetes.nodePort, out.workspaceManager.env.SECRET_KEY]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(out.workspaceOperator.logLevel).toBe('info');
  });

  test('keeps what the data needs: PostgreSQL 15 as the alpine image\'s postgres user; Redis and Keycloak move to pinned releases', () => {
    expect([out.postgres.image.tag, out.postgres.runAsUser, out.redis.image.tag, out.keycloak.image.tag]).toEqual(['15-alpine', 70, '7.4.6', '26.5.6']);
    expect(res.stderr).toContain('warning: postgres.image.tag: 15-alpine follows every PostgreSQL 15 release');
  });

  test('ingress-nginx stays, with a warning that it is retired and where to go', () => {
    expect(out.gatewayAPI).toBeUndefined();
    expect(res.stderr).toContain('warning: ingress.className: nginx, and ingress-nginx reached the end of its maintenance in March 2026');
    // A file that routes through a Gateway already is not told.
    const dir = mkdtempSync(join(tmpdir(), 'gateway-'));
    writeFileSync(join(dir, 'values.yaml'), 'gatewayAPI: {enabled: true, parentRefs: [{name: public, namespace: gateway-system}]}\n');
    expect(run('migrate', '-f', join(dir, 'values.yaml')).stderr).not.toContain('ingress-nginx');
  });

  test('the public hosts stay upstream\'s, and both renderers agree', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stock-')), 'values.yaml');
    writeFileSync(file, res.stdout);
    const objects = synthObjects({ files: [file] });
    expect(normalize(helmTemplate({ files: [file] }))).toEqual(normalize(objects));
    const ingress = objects.find((o) => o.kind === 'Ingress')!.spec as Loose;
    expect(ingress.rules.map((r: Loose) => r.host)).toEqual(expect.arrayContaining(['aileron.aileron.localhost', 'workspace-manager.aileron.localhost', 'keycloak.aileron.localhost']));
  });

  test('a manager extraEnv entry and a default workspace become the manager\'s env; a Secret reference is refused with the way that works', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'extra-')), 'values.yaml');
    writeFileSync(file, [
      'workspaceManager:',
      '  extraEnv:',
      '    - {name: FEATURE_X, value: "on"}',
      '    - {name: API_TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}',
      'bootstrap:',
      '  defaultWorkspace: {enabled: true, id: team-ws, ownerEmail: a@example.com}',
      'service:',
      '  annotations: {example.com/team: platform}',
      '',
    ].join('\n'));
    const r = run('migrate', '-f', file);
    expect(r.status).toBe(0);
    const m = parse(r.stdout);
    expect(m.workspaceManager.env).toMatchObject({ FEATURE_X: 'on', BOOTSTRAP_DEFAULT_WORKSPACE_ENABLED: 'true', BOOTSTRAP_DEFAULT_WORKSPACE_ID: 'team-ws' });
    expect(m.workspaceManager.service.annotations).toEqual({ 'example.com/team': 'platform' });
    expect(r.stderr).toContain('warning: workspaceManager.extraEnv[API_TOKEN]: takes its value from a Secret or field');
  });
});
