/**
 * What ships: the release workflow (checked by actionlint, as it cannot run here), the operator image's Dockerfile
 * against what the Deployment and the tests run, and one version from package.json to the chart and the image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tool } from '../support/tools.js';
import { find, podSpecOf, render, ROOT, type Loose } from '../support/render.js';
import { OPERATOR_BUNDLE } from '../support/operator-harness.js';
import { OPERATOR_IMAGE } from '../../lib/values/schema.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const workflow = parse(readFileSync(join(ROOT, '.github', 'workflows', 'release.yaml'), 'utf8'));
const dockerfile = readFileSync(join(ROOT, 'operator', 'Dockerfile'), 'utf8');
/** Dockerfile instructions as [keyword, rest], comments and continuation aside (this one has none). */
const instructions = dockerfile
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'))
  .map((l) => [l.split(/\s+/)[0], l.slice(l.indexOf(' ') + 1).trim()] as [string, string]);
const of = (keyword: string) => instructions.filter(([k]) => k === keyword).map(([, rest]) => rest);

test('actionlint finds nothing in the workflows', () => {
  const res = tool('actionlint', ['-no-color', join(ROOT, '.github', 'workflows', 'release.yaml')]);
  expect(res.stdout + res.stderr).toBe('');
  expect(res.status).toBe(0);
});

test('the release pushes the image the chart runs by default, for amd64 and arm64, signed, with SBOM and provenance', () => {
  expect(workflow.env.IMAGE).toBe(OPERATOR_IMAGE);
  const operator = podSpecOf(find(render(), 'Deployment', 'aileron-workspace-operator')).containers[0];
  expect(operator.image).toBe(`${OPERATOR_IMAGE}:v${pkg.version}`);
  const build = (workflow.jobs.release.steps as Loose[]).find((s) => s.uses?.startsWith('docker/build-push-action'));
  expect(build.with).toMatchObject({ file: 'operator/Dockerfile', platforms: 'linux/amd64,linux/arm64', push: true, sbom: true, provenance: 'mode=max' });
  const steps = JSON.stringify(workflow.jobs.release.steps);
  for (const needed of ['cosign sign', 'helm push', 'action-gh-release', 'tar -czf']) expect(steps).toContain(needed);
});

test('one version: package.json is the chart\'s version and appVersion, and the operator image\'s tag', () => {
  const chart = parse(readFileSync(join(ROOT, 'charts', 'aileron', 'Chart.yaml'), 'utf8'));
  expect([chart.version, chart.appVersion]).toEqual([pkg.version, `v${pkg.version}`]);
});

describe('the operator image runs what the Deployment and the tests run', () => {
  test('every COPY source exists after npm run build', () => {
    for (const copy of of('COPY')) expect([copy, existsSync(join(ROOT, copy.split(/\s+/)[0]))]).toEqual([copy, true]);
  });

  test('the entrypoint is the bundle the operator tests run', () => {
    const workdir = of('WORKDIR')[0];
    const entry = JSON.parse(of('ENTRYPOINT')[0]) as string[];
    const copied = of('COPY').map((c) => c.split(/\s+/)).find(([, to]) => join(workdir, to) === join(workdir, entry[1]));
    expect(copied?.[0]).toBe('build/workspace-operator.mjs');
    expect(join(ROOT, copied![0])).toBe(OPERATOR_BUNDLE);
  });

  test('USER is the Deployment\'s runAsUser', () => {
    const spec = podSpecOf(find(render(), 'Deployment', 'aileron-workspace-operator'));
    expect(of('USER')[0]).toBe(`${spec.securityContext.runAsUser}:${spec.securityContext.runAsGroup}`);
  });

  test('the base image\'s Node major is the one package.json\'s engines asks for', () => {
    const nodeMajor = /nodejs(\d+)/.exec(of('FROM')[0])?.[1];
    expect(nodeMajor).toBe(/(\d+)/.exec(pkg.engines.node)?.[1]);
  });
});

test('Renovate sees every pin: each tool version in install-tools.sh and each literal platform image tag', () => {
  const renovate = JSON.parse(readFileSync(join(ROOT, 'renovate.json'), 'utf8'));
  const matches = (file: string) => {
    const manager = renovate.customManagers.find((m: Loose) => new RegExp(m.fileMatch[0]).test(file));
    // Renovate's named groups, in JavaScript's regex syntax (the same).
    return [...readFileSync(join(ROOT, file), 'utf8').matchAll(new RegExp(manager.matchStrings[0], 'g'))].map((m) => m.groups!);
  };
  const tools = readFileSync(join(ROOT, 'scripts', 'install-tools.sh'), 'utf8');
  const pinned = [...tools.matchAll(/^([A-Z0-9_]+_VERSION)=(v?\d[^\s]*)$/gm)].map((m) => m[2]);
  expect(matches('scripts/install-tools.sh').map((g) => g.currentValue).sort()).toEqual(pinned.sort());
  const schema = readFileSync(join(ROOT, 'lib', 'values', 'schema.ts'), 'utf8');
  const literalImages = [...schema.matchAll(/image\('([^']+)', '([^']+)'/g)].map((m) => `${m[1]}:${m[2]}`);
  expect(matches('lib/values/schema.ts').map((g) => `${g.depName}:${g.currentValue}`)).toEqual(literalImages);
  expect(literalImages).toEqual(expect.arrayContaining(['postgres:16.14', 'redis:7.4.6', 'quay.io/keycloak/keycloak:26.5.6']));
});
