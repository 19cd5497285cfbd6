import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { exampleFile, ROOT } from '../support/render.js';

const CLI = join(ROOT, 'build', 'aileron-k8s.cjs'); // the bundle the bin runs
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const tmp = () => mkdtempSync(join(tmpdir(), 'cli-'));

describe('aileron-k8s workspace', () => {
  test('prints what the operator would apply, as multi-document YAML', () => {
    const res = run('workspace', '-f', exampleFile('prod'), join(ROOT, 'examples', 'workspace.yaml'));
    expect(res.status).toBe(0);
    const kinds = res.stdout.split('---\n').map((d) => parse(d).kind).sort();
    expect(kinds).toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'Deployment', 'Deployment', 'Deployment', 'Ingress', 'Ingress', 'Ingress', 'PersistentVolumeClaim', 'Secret', 'Service', 'Service', 'Service']);
    // The TURN credential is the operator's to copy at apply time; the review output says so.
    expect(res.stdout).toContain('<copied from aileron/aileron-turn by the operator>');
  });

  test('an invalid Workspace exits non-zero and names the field', () => {
    const bad = join(tmp(), 'ws.yaml');
    writeFileSync(bad, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: Bad_Id, ownerId: u}\n');
    const res = run('workspace', bad);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('invalid Workspace: spec.workspaceId');
    expect(res.stdout).toBe('');
  });

  test('a namespace that is not allowed is refused', () => {
    const ws = join(tmp(), 'ws.yaml');
    writeFileSync(ws, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: ok, ownerId: u, targetNamespace: elsewhere}\n');
    const res = run('workspace', ws);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('spec.targetNamespace: "elsewhere" is not an allowed namespace');
  });
});

describe('aileron-k8s synth', () => {
  test('-f files, --set, --release and --namespace shape the output', () => {
    const out = join(tmp(), 'out');
    const res = run('synth', '-f', exampleFile('prod'), '-f', exampleFile('custom-hosts'), '--set', 'coturn.host=198.51.100.7', '--release', 'prod', '-n', 'platform', '-o', out);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const ingress = parse(readFileSync(join(out, 'platform.yaml'), 'utf8').split('---\n').find((d) => d.includes('kind: Ingress'))!);
    expect(ingress.metadata).toMatchObject({ name: 'prod-aileron', namespace: 'platform' });
    expect(ingress.spec.rules[0].host).toBe('app.dev.example.org'); // custom-hosts wins over prod
    expect(ingress.spec.tls[0].secretName).toBe('aileron-tls'); // from prod, untouched by custom-hosts
    expect(readFileSync(join(out, 'platform.yaml'), 'utf8')).toContain('TURN_HOST: 198.51.100.7');
  });

  test('a bad values file exits non-zero, names the key and writes nothing', () => {
    const dir = tmp();
    const out = join(dir, 'out');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'publicRouting:\n  scheme: ftp\n');
    const res = run('synth', '-f', bad, '-o', out);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('publicRouting.scheme: must be one of "http", "https" (got "ftp")');
    expect(res.stderr).toContain('nothing was written');
    expect(existsSync(out)).toBe(false);
  });

  test('a failed render leaves an earlier output untouched', () => {
    const out = join(tmp(), 'out');
    expect(run('synth', '-o', out).status).toBe(0);
    const before = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'));
    expect(run('synth', '--set', 'coturn.nodePort=1', '-o', out).status).toBe(1);
    expect(readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8'))).toEqual(before);
  });

  test('generated credentials are kept across re-renders into the same folder', () => {
    const out = join(tmp(), 'out');
    run('synth', '-o', out);
    const first = readFileSync(join(out, 'secrets.generated.yaml'), 'utf8');
    expect(first).toMatch(/postgres-password: [A-Za-z0-9]{32}/);
    run('synth', '--set', 'publicRouting.baseDomain=example.org', '-o', out);
    expect(readFileSync(join(out, 'secrets.generated.yaml'), 'utf8')).toBe(first);
  });

  test('a bad --release is refused before anything runs', () => {
    const res = run('synth', '--release', 'Not_Valid', '-o', join(tmp(), 'x'));
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('--release "Not_Valid" must be a DNS label');
  });

  test('an unknown command or flag prints usage', () => {
    expect(run('deploy').stderr).toContain('unknown command "deploy"');
    expect(run('synth', '--bogus').stderr).toContain('usage: aileron-k8s');
  });
});
