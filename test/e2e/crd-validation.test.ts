import { join } from 'node:path';
import { ROOT } from '../support/render.js';
import { k, kOk, waitForCrd } from '../support/cluster.js';

const NS = 'crd-validation';

function workspace(name: string, spec: string): string {
  return `apiVersion: platform.aileron.io/v1alpha1\nkind: Workspace\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n${spec}`;
}

beforeAll(() => {
  kOk(['apply', '--server-side', '--field-manager=aileron-k8s', '-f', join(ROOT, 'dist', '01-crds.yaml')]);
  waitForCrd();
  kOk(['create', 'namespace', NS]);
});

test('the upstream example Workspace is accepted, with defaults filled in', () => {
  const res = k(['create', '-f', '-'], workspace('ok', `  workspaceId: my-workspace
  ownerId: user-123
  firewall:
    workspace: {allowedDomains: [github.com, "*.npmjs.org"]}
  operations: {restartRuntimeAt: "2026-04-09T10:00:00Z"}
`));
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  const spec = JSON.parse(kOk(['get', 'workspace', 'ok', '-n', NS, '-o', 'jsonpath={.spec}']));
  expect(spec).toMatchObject({ provisioner: 'kubernetes', workspacePath: '/workspace', started: true, firewall: { workspace: { domainAccessMode: 'specific', networkAccessEnabled: true } } });
  expect(kOk(['get', 'ws', '-n', NS])).toMatch(/NAME\s+PHASE\s+OWNER\s+STARTED\s+NAMESPACE\s+AGE/);
  expect(kOk(['get', 'ws', '-n', NS, '-o', 'wide'])).toMatch(/STARTED\s+LAST ACTIVITY\s+NAMESPACE/);
});

test.each([
  ['a bad workspaceId', '  workspaceId: Bad_Id\n  ownerId: u\n', 'spec.workspaceId'],
  ['a workspaceId too long for its derived names', `  workspaceId: ${'a'.repeat(41)}\n  ownerId: u\n`, 'spec.workspaceId'],
  ['an unknown domainAccessMode', '  workspaceId: w1\n  ownerId: u\n  firewall: {browser: {domainAccessMode: some}}\n', 'spec.firewall.browser.domainAccessMode'],
  ['an unknown provisioner', '  workspaceId: w1\n  ownerId: u\n  provisioner: nomad\n', 'spec.provisioner'],
  ['a missing ownerId', '  workspaceId: w1\n', 'spec.ownerId'],
  ['a domain that is not a hostname', '  workspaceId: w1\n  ownerId: u\n  firewall: {workspace: {allowedDomains: ["http://x.com/"]}}\n', 'spec.firewall.workspace.allowedDomains[0]'],
  ['a restart time that is not a timestamp', '  workspaceId: w1\n  ownerId: u\n  operations: {restartWorkspaceAt: soon}\n', 'spec.operations.restartWorkspaceAt'],
  ['a target namespace that is not a DNS label', '  workspaceId: w1\n  ownerId: u\n  targetNamespace: Team_A\n', 'spec.targetNamespace'],
  // The workspace proxy reads its allowed owner as a CSV list: these would split it, or cut it at the line break.
  ['an ownerId with a comma', '  workspaceId: w1\n  ownerId: "alice,bob"\n', 'spec.ownerId'],
  ['an ownerId with a quote', '  workspaceId: w1\n  ownerId: \'"alice"\'\n', 'spec.ownerId'],
  ['an ownerId with a line break', '  workspaceId: w1\n  ownerId: "alice\\nbob"\n', 'spec.ownerId'],
  ['an empty ownerId', '  workspaceId: w1\n  ownerId: ""\n', 'spec.ownerId'],
  ['an idle timeout that is not a duration', '  workspaceId: w1\n  ownerId: u\n  lifecycle: {idleTimeout: 2 hours}\n', 'spec.lifecycle.idleTimeout'],
  ['a negative max age', '  workspaceId: w1\n  ownerId: u\n  lifecycle: {maxAge: -1h}\n', 'spec.lifecycle.maxAge'],
  ['a bandwidth below what the kubelet accepts', '  workspaceId: w1\n  ownerId: u\n  bandwidth: {ingress: "500"}\n', 'spec.bandwidth.ingress'],
  ['a bandwidth in bytes', '  workspaceId: w1\n  ownerId: u\n  bandwidth: {egress: 10Mi}\n', 'spec.bandwidth.egress'],
  ['started that is not a boolean', '  workspaceId: w1\n  ownerId: u\n  started: sometimes\n', 'spec.started'],
])('%s is rejected by the apiserver, naming the field', (_what, spec, field) => {
  const res = k(['create', '-f', '-'], workspace('bad', spec));
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain('is invalid');
  expect(res.stderr).toContain(field);
});

test('workspaceId cannot change once set', () => {
  kOk(['create', '-f', '-'], workspace('immutable', '  workspaceId: first\n  ownerId: u\n'));
  const res = k(['patch', 'workspace', 'immutable', '-n', NS, '--type=merge', '-p', '{"spec":{"workspaceId":"second"}}']);
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain('workspaceId is immutable');
});

test('targetNamespace cannot change, nor be added or removed, once created', () => {
  kOk(['create', '-f', '-'], workspace('moving', '  workspaceId: moving\n  ownerId: u\n  targetNamespace: team-a\n'));
  const moved = k(['patch', 'workspace', 'moving', '-n', NS, '--type=merge', '-p', '{"spec":{"targetNamespace":"team-b"}}']);
  expect(moved.status).not.toBe(0);
  expect(moved.stderr).toContain('targetNamespace is immutable');
  kOk(['create', '-f', '-'], workspace('unset', '  workspaceId: unset\n  ownerId: u\n'));
  expect(k(['patch', 'workspace', 'unset', '-n', NS, '--type=merge', '-p', '{"spec":{"targetNamespace":"team-b"}}']).stderr).toContain('targetNamespace is immutable');
  // Other spec changes stay allowed.
  kOk(['patch', 'workspace', 'moving', '-n', NS, '--type=merge', '-p', '{"spec":{"ownerId":"someone-else"}}']);
});

test('status is a subresource: a spec update cannot write it', () => {
  kOk(['create', '-f', '-'], workspace('status', '  workspaceId: st\n  ownerId: u\n'));
  kOk(['patch', 'workspace', 'status', '-n', NS, '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
  expect(kOk(['get', 'workspace', 'status', '-n', NS, '-o', 'jsonpath={.status.phase}'])).toBe('');
  kOk(['patch', 'workspace', 'status', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
  expect(kOk(['get', 'workspace', 'status', '-n', NS, '-o', 'jsonpath={.status.phase}'])).toBe('Running');
});
