/**
 * A Workspace with every field the upstream CRD requires (it has no defaults): what the upstream chart's users
 * hold, and what our CRD accepts as is.
 */
export const completeWorkspaceYaml = (name: string, id: string, namespace: string, ownerId = 'user-123') => `apiVersion: platform.aileron.io/v1alpha1
kind: Workspace
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  workspaceId: ${id}
  ownerId: ${ownerId}
  provisioner: kubernetes
  runtime: {imageKey: default, image: "ailerondocker/workspace-runtime:v0.1.0", resources: {}}
  browser: {enabled: true, image: "ailerondocker/workspace-browser:v0.1.0"}
  canvas: {enabled: true, image: "ailerondocker/workspace-canvas:v0.1.0"}
  workspacePath: /workspace
  targetNamespace: ${namespace}
  git: {url: "https://github.com/example/repo.git", branch: main}
  envVars: [{key: NODE_ENV, value: production}]
  firewall:
    workspace: {networkAccessEnabled: true, domainAccessMode: specific, allowedDomains: [github.com, api.anthropic.com]}
    browser: {networkAccessEnabled: true, domainAccessMode: specific, allowedDomains: [google.com]}
`;
