import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { EXAMPLE_VALUES, exampleFile, render, ROOT } from '../support/render.js';
import { toYamlDocuments, writeManifests } from '../../lib/render/write.js';
import { kubeconform } from '../support/tools.js';

// Every rendered object against the Kubernetes 1.34 OpenAPI schemas and our
// CRD schemas, offline, with unknown fields rejected.
describe('kubeconform -strict', () => {
  test('the committed dist/', () => {
    const res = kubeconform([join(ROOT, 'dist')]);
    expect(res.stdout + res.stderr).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    expect(res.status).toBe(0);
  });

  test.each(EXAMPLE_VALUES)('the %s example', (name) => {
    const out = join(mkdtempSync(join(tmpdir(), 'render-')), name);
    writeManifests(out, render({ files: [exampleFile(name)] }));
    const res = kubeconform([out]);
    expect(res.stdout + res.stderr).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  test('catches an unknown field (the check can fail)', () => {
    const objs = render();
    const deployment = objs.find((o) => o.kind === 'Deployment')!;
    (deployment.spec as Record<string, unknown>).replicaz = 2;
    const res = kubeconform([], toYamlDocuments([deployment]));
    expect(res.status).not.toBe(0);
    expect(res.stdout).toContain("additional properties 'replicaz' not allowed");
  });

  test('catches a Workspace that breaks the CRD schema', () => {
    const ws = 'apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: w}\nspec: {workspaceId: Not_Valid, ownerId: u}\n';
    const res = kubeconform([], ws);
    expect(res.stdout).toContain('/spec/workspaceId');
  });
});
