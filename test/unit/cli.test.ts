import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(kinds).toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy', 'Deployment', 'Deployment', 'Deployment', 'Ingress', 'Ingress', 'Ingress', 'PersistentVolumeClaim', 'Secret', 'Secret', 'Service', 'Service', 'Service']);
    // The TURN credential and the proxies' secrets are the operator's to copy at apply time; the review output says so.
    expect(res.stdout).toContain('<copied from aileron-turn/aileron-turn by the operator>');
    expect(res.stdout).toContain('<cookie-secret copied from aileron/aileron-workspace-auth by the operator>');
  });

  test('an invalid Workspace exits non-zero and names the field', () => {
    const bad = join(tmp(), 'ws.yaml');
    writeFileSync(bad, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: Bad_Id, ownerId: u}\n');
    const res = run('workspace', bad);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('invalid Workspace: spec.workspaceId');
    expect(res.stdout).toBe('');
  });

  test('a stopped Workspace (spec.started: false) keeps its volume, Secrets and policies, with no pod and no route', () => {
    const ws = join(tmp(), 'ws.yaml');
    writeFileSync(ws, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: ok, ownerId: u, started: false}\n');
    const res = run('workspace', ws);
    expect(res.status).toBe(0);
    const docs = res.stdout.split('---\n').map((d) => parse(d));
    expect(docs.map((d) => d.kind).sort()).toEqual(['Deployment', 'Deployment', 'Deployment', 'NetworkPolicy', 'NetworkPolicy', 'PersistentVolumeClaim', 'Secret', 'Secret', 'Service', 'Service', 'Service']);
    expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.spec.replicas)).toEqual([0, 0, 0]);
  });

  test('a lifecycle beyond the platform\'s limits is refused, naming the field and the limit', () => {
    const ws = join(tmp(), 'ws.yaml');
    writeFileSync(ws, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: ok, ownerId: u, lifecycle: {idleTimeout: 48h}}\n');
    const res = run('workspace', ws);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('spec.lifecycle.idleTimeout: 48h is beyond the platform\'s limit of 24h (workspaceLifecycle.limits.idleTimeout)');
    const never = join(tmp(), 'never.yaml');
    writeFileSync(never, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: ok, ownerId: u, lifecycle: {idleTimeout: "0"}}\n');
    expect(run('workspace', never).stderr).toContain('spec.lifecycle.idleTimeout: 0 is beyond the platform\'s limit of 24h');
    // Within the limit, and a max age where the platform sets no limit.
    writeFileSync(ws, 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: ok, ownerId: u, lifecycle: {idleTimeout: 8h, maxAge: 72h}}\n');
    expect(run('workspace', ws).status).toBe(0);
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

describe('-o never destroys what synth did not write', () => {
  const files = (dir: string) => readdirSync(dir).sort();

  test('a values file given as -o is refused and kept', () => {
    const dir = tmp();
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'frontend: {replicaCount: 2}\n');
    const res = run('synth', '-f', values, '-o', values);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('values.yaml is a file; give a folder to write into');
    expect(readFileSync(values, 'utf8')).toBe('frontend: {replicaCount: 2}\n');
  });

  test('the current folder, "" and a folder holding the current folder are refused', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    mkdirSync(join(dir, 'sub'));
    const inDir = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
    for (const [cwd, out, why] of [
      [dir, '.', 'is the current folder'],
      [dir, '', 'give the folder to write into'],
      [join(dir, 'sub'), '..', 'holds the current folder'],
      [dir, '/', 'is the filesystem root'],
    ]) {
      const res = inDir(cwd, 'synth', '-o', out);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(why);
    }
    expect(files(dir)).toEqual(['keep.txt', 'sub']);
  });

  test('a folder with files synth did not write is refused; one it wrote is replaced', () => {
    const repo = tmp();
    writeFileSync(join(repo, 'README.md'), 'mine');
    const res = run('synth', '-o', repo);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('is not empty and was not written by aileron-k8s');
    expect(files(repo)).toEqual(['README.md']);

    const out = join(tmp(), 'out');
    expect(run('synth', '-o', out).status).toBe(0);
    expect(files(out)).toContain('.aileron-k8s-output');
    writeFileSync(join(out, 'kustomization.yaml'), 'resources: []\n');
    const again = run('synth', '-o', out);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('holds files aileron-k8s did not write (kustomization.yaml)');
    expect(readFileSync(join(out, 'kustomization.yaml'), 'utf8')).toBe('resources: []\n');
  });

  test('filesystem failures are one line naming the path, never a stack trace', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'afile'), 'x');
    const out = join(tmp(), 'out');
    expect(run('synth', '-o', out).status).toBe(0);
    rmSync(join(out, 'secrets.generated.yaml'));
    mkdirSync(join(out, 'secrets.generated.yaml'));
    for (const [target, message] of [
      [join(dir, 'afile', 'sub'), 'a folder on its path is a file'],
      ['/proc/aileron-out', 'cannot create a folder in /proc'],
      [out, 'secrets.generated.yaml: not a regular file'],
    ]) {
      const res = run('synth', '-o', target);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(message);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('the chart command follows the same rules', () => {
    const repo = tmp();
    writeFileSync(join(repo, 'Chart.yaml'), 'mine');
    expect(run('chart', '-o', repo).stderr).toContain('was not written by aileron-k8s');
    expect(readFileSync(join(repo, 'Chart.yaml'), 'utf8')).toBe('mine');
  });
});

describe('input is read within bounds', () => {
  test('folders, oversized files and streams that never end are refused by name', () => {
    const dir = tmp();
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `a: "${'x'.repeat(5 * 1024 * 1024)}"\n`);
    for (const [file, message] of [
      ['/dev/zero', '/dev/zero: is more than 4194304 bytes; at most that many are read'],
      [dir, 'is a folder; give a YAML file'],
      [big, 'at most 4194304 are read'],
      [join(dir, 'missing.yaml'), 'missing.yaml: cannot read (no such file or directory)'],
    ]) {
      const res = run('synth', '-f', file, '-o', join(dir, 'out'));
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(message);
    }
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('values from pipes, as Helm reads them: -f -, process substitution, a FIFO; /dev/null is empty values', () => {
    const dir = tmp();
    const replicas = (out: string) => readFileSync(join(out, 'frontend.yaml'), 'utf8').match(/replicas: (\d+)/)?.[1];
    // Standard input.
    const stdin = spawnSync(process.execPath, [CLI, 'synth', '-f', '-', '-o', join(dir, 'stdin')], { encoding: 'utf8', input: 'frontend: {replicaCount: 3}\n' });
    expect([stdin.status, stdin.stderr]).toEqual([0, '']);
    expect(replicas(join(dir, 'stdin'))).toBe('3');
    // Process substitution (what -f <(sops -d secrets.yaml) is), through bash.
    const sub = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" synth -f <(printf 'frontend: {replicaCount: 4}\\n') -o "${join(dir, 'sub')}"`], { encoding: 'utf8' });
    expect([sub.status, sub.stderr]).toEqual([0, '']);
    expect(replicas(join(dir, 'sub'))).toBe('4');
    // A named pipe with its writer.
    const fifo = join(dir, 'values.fifo');
    spawnSync('mkfifo', [fifo]);
    const viaFifo = spawnSync('bash', ['-c', `printf 'frontend: {replicaCount: 5}\\n' > "${fifo}" & "${process.execPath}" "${CLI}" synth -f "${fifo}" -o "${join(dir, 'fifo')}"; wait`], { encoding: 'utf8' });
    expect([viaFifo.status, viaFifo.stderr]).toEqual([0, '']);
    expect(replicas(join(dir, 'fifo'))).toBe('5');
    // /dev/null: no values, the defaults.
    expect(run('synth', '-f', '/dev/null', '-o', join(dir, 'null')).status).toBe(0);
    expect(replicas(join(dir, 'null'))).toBe('1');
  });

  test('a pipe that never ends is refused at the bound, and nothing is written', () => {
    const dir = tmp();
    const res = spawnSync('bash', ['-c', `yes 'a: b' | "${process.execPath}" "${CLI}" synth -f - -o "${join(dir, 'out')}"`], { encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('standard input (-f -): is more than 4194304 bytes');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  test('several documents and duplicate keys are refused, naming the line', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'multi.yaml'), 'frontend: {replicaCount: 1}\n---\nfrontend: {replicaCount: 2}\n');
    writeFileSync(join(dir, 'dup.yaml'), 'frontend:\n  replicaCount: 1\n  replicaCount: 2\n');
    expect(run('synth', '-f', join(dir, 'multi.yaml'), '-o', join(dir, 'o')).stderr).toContain('holds 2 YAML documents');
    expect(run('synth', '-f', join(dir, 'dup.yaml'), '-o', join(dir, 'o')).stderr).toContain('key "replicaCount" is given twice in one map (line 3, column 3)');
  });

  test('YAML 1.1 scalars read as Helm reads them', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'v.yaml'), 'cilium: {enabled: yes}\nkeycloak: {realm: on}\n');
    const res = run('synth', '-f', join(dir, 'v.yaml'), '-o', join(dir, 'o'));
    expect(res.stderr).toContain('keycloak.realm: must be string (got true)');
    expect(res.stderr).not.toContain('cilium.enabled');
  });
});
