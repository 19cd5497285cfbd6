/**
 * Templates for lib/components/platform-config.ts, secrets.ts, storage.ts and
 * namespaces.ts. ConfigMap data is produced by named templates so the
 * checksum annotations can hash the same maps (`toJson | sha256sum`).
 */
import { SECRET_KEYS } from '../../components/secrets.js';
import { WORKSPACE_PORTS } from '../../components/platform-config.js';
import { RESTRICTED } from '../../components/namespaces.js';

const url = (hostKey: string) =>
  `{{ printf "%s://%s" $v.publicRouting.scheme (include "aileron.host" (list $ $v.publicRouting.${hostKey})) | quote }}`;

export const CONFIG_DATA_HELPERS = `{{- define "aileron.platformConfigData" -}}
{{- $v := .Values -}}{{- $k := $v.kubernetes -}}
RUNTIME_PROVISIONER: {{ $k.provisioner | quote }}
RUNTIME_K8S_NAMESPACE: {{ $k.defaultNamespace | quote }}
RUNTIME_K8S_ALLOWED_NAMESPACES: {{ join "," $k.allowedNamespaces | quote }}
RUNTIME_K8S_SERVICE_TYPE: {{ $k.serviceType | quote }}
RUNTIME_K8S_NODE_PORT: {{ $k.nodePort | toString | quote }}
RUNTIME_K8S_NODE_ADDRESS: {{ $k.nodeAddress | quote }}
RUNTIME_K8S_PVC_NAME: {{ $k.pvcName | quote }}
RUNTIME_K8S_PVC_SIZE: {{ $k.workspaceStorage.size | quote }}
RUNTIME_K8S_PVC_STORAGE_CLASS: {{ $k.workspaceStorage.storageClassName | default $v.global.storageClass | quote }}
RUNTIME_K8S_IMAGE: {{ $k.runtimeImage | quote }}
RUNTIME_K8S_BROWSER_IMAGE: {{ $k.browserImage | quote }}
RUNTIME_K8S_CANVAS_IMAGE: {{ $k.canvasImage | quote }}
RUNTIME_K8S_RUNTIME_RESOURCES: {{ $k.workspaceDefaults.runtime.resources | toJson | quote }}
RUNTIME_K8S_BROWSER_RESOURCES: {{ $k.workspaceDefaults.browser.resources | toJson | quote }}
RUNTIME_K8S_CANVAS_RESOURCES: {{ $k.workspaceDefaults.canvas.resources | toJson | quote }}
WATCH_NAMESPACE: {{ $k.watchNamespace | quote }}
KNOWLEDGE_BASES_PVC_NAME: {{ $k.knowledgeBases.pvcName | quote }}
FIREWALL_DEFAULTS_CONFIGMAP_NAME: {{ include "aileron.name" (list $ "firewall-defaults") | quote }}
WORKSPACE_ROUTING_CONFIGMAP_NAME: {{ include "aileron.name" (list $ "workspace-routing") | quote }}
CILIUM_ENABLED: {{ $v.cilium.enabled | toString | quote }}
PUBLIC_SCHEME: {{ $v.publicRouting.scheme | quote }}
PUBLIC_BASE_DOMAIN: {{ $v.publicRouting.baseDomain | quote }}
FRONTEND_URL: ${url('frontendHost')}
WORKSPACE_MANAGER_URL: ${url('workspaceManagerHost')}
KEYCLOAK_PUBLIC_URL: ${url('keycloakHost')}
TURN_ENABLED: {{ $v.coturn.enabled | toString | quote }}
TURN_HOST: {{ $v.coturn.host | quote }}
TURN_FRONTEND_HOST: {{ $v.coturn.frontendHost | default $v.coturn.host | quote }}
TURN_PORT: {{ $v.coturn.nodePort | toString | quote }}
TURN_REALM: {{ $v.coturn.realm | quote }}
WORKSPACE_PLATFORM: {{ include "aileron.workspacePlatform" . | quote }}
{{- end -}}

{{/* lib/workspace/platform.ts: the settings that shape a workspace, as JSON. */}}
{{- define "aileron.workspacePlatform" -}}
{{- $v := .Values -}}{{- $k := $v.kubernetes -}}{{- $r := $v.publicRouting -}}
{{- $tlsSecret := $v.ingress.workspaceTls.secretName -}}
{{- if not $tlsSecret -}}
{{- $wildcard := printf "*.%s" $r.baseDomain -}}
{{- range $t := $v.ingress.tls -}}
{{- range $h := $t.hosts -}}
{{- if and (not $tlsSecret) (eq (replace "{baseDomain}" $r.baseDomain $h) $wildcard) -}}{{- $tlsSecret = $t.secretName -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $turnSecret := "" -}}
{{- if $v.coturn.enabled -}}{{- $turnSecret = include "aileron.secretName" (list . "coturn" $v.coturn.existingSecret) -}}{{- end -}}
{{- $ingress := dict "className" $v.ingress.className "annotations" $v.ingress.annotations "tlsSecretName" $tlsSecret "clusterIssuer" $v.ingress.workspaceTls.clusterIssuer -}}
{{- $images := dict "runtime" $k.runtimeImage "browser" $k.browserImage "canvas" $k.canvasImage -}}
{{- $defaults := dict "runtime" $k.workspaceDefaults.runtime.resources "browser" $k.workspaceDefaults.browser.resources "canvas" $k.workspaceDefaults.canvas.resources -}}
{{- $storage := dict "pvcPrefix" $k.pvcName "size" $k.workspaceStorage.size "storageClassName" ($k.workspaceStorage.storageClassName | default $v.global.storageClass) "accessModes" $k.workspaceStorage.accessModes "deleteWithWorkspace" $k.workspaceStorage.deleteWithWorkspace -}}
{{- $firewall := dict "workspace" $v.firewall.defaults.workspace.allowedDomains "browser" $v.firewall.defaults.browser.allowedDomains -}}
{{- $turn := dict "enabled" $v.coturn.enabled "host" $v.coturn.host "frontendHost" ($v.coturn.frontendHost | default $v.coturn.host) "port" $v.coturn.nodePort "listenPort" $v.coturn.port "minRelayPort" $v.coturn.minRelayPort "maxRelayPort" $v.coturn.maxRelayPort "secretName" $turnSecret -}}
{{- dict "releaseNamespace" .Release.Namespace "releaseName" .Release.Name "appName" (include "aileron.appName" .) "routing" $r "ingress" $ingress "defaultNamespace" $k.defaultNamespace "allowedNamespaces" $k.allowedNamespaces "serviceType" $k.serviceType "images" $images "defaults" $defaults "storage" $storage "knowledgeBasesPvc" $k.knowledgeBases.pvcName "imagePullSecrets" $v.global.imagePullSecrets "cilium" $v.cilium.enabled "firewall" $firewall "ingressController" (dict "namespaceLabels" $v.networkPolicy.ingressController.namespaceLabels "podLabels" $v.networkPolicy.ingressController.podLabels) "turn" $turn | toJson -}}
{{- end -}}

{{- define "aileron.routingData" -}}
{{- $r := .Values.publicRouting -}}
PUBLIC_SCHEME: {{ $r.scheme | quote }}
PUBLIC_BASE_DOMAIN: {{ $r.baseDomain | quote }}
FRONTEND_HOST: {{ include "aileron.host" (list $ $r.frontendHost) | quote }}
WORKSPACE_MANAGER_HOST: {{ include "aileron.host" (list $ $r.workspaceManagerHost) | quote }}
KEYCLOAK_HOST: {{ include "aileron.host" (list $ $r.keycloakHost) | quote }}
RUNTIME_HOST_PATTERN: {{ include "aileron.host" (list $ $r.runtimeHostPattern) | quote }}
BROWSER_HOST_PATTERN: {{ include "aileron.host" (list $ $r.browserHostPattern) | quote }}
CANVAS_HOST_PATTERN: {{ include "aileron.host" (list $ $r.canvasHostPattern) | quote }}
RUNTIME_SERVICE_NAME_TEMPLATE: "workspace-runtime-{workspaceId}"
BROWSER_SERVICE_NAME_TEMPLATE: "workspace-browser-{workspaceId}"
CANVAS_SERVICE_NAME_TEMPLATE: "workspace-canvas-{workspaceId}"
RUNTIME_SERVICE_PORT: "${WORKSPACE_PORTS.runtime.http}"
RUNTIME_TERMINAL_PORT: "${WORKSPACE_PORTS.runtime.terminal}"
BROWSER_SERVICE_PORT: "${WORKSPACE_PORTS.browser.webrtc}"
BROWSER_CDP_PORT: "${WORKSPACE_PORTS.browser.cdp}"
CANVAS_SERVICE_PORT: "${WORKSPACE_PORTS.canvas.http}"
CANVAS_WS_PORT: "${WORKSPACE_PORTS.canvas.ws}"
{{- end -}}

{{- define "aileron.firewallData" -}}
WORKSPACE_ALLOWED_DOMAINS: {{ join "," .Values.firewall.defaults.workspace.allowedDomains | quote }}
BROWSER_ALLOWED_DOMAINS: {{ join "," .Values.firewall.defaults.browser.allowedDomains | quote }}
{{- end -}}

{{/* Digest of the three maps, as synth computes it (Go JSON of {firewall, platform, routing}). */}}
{{- define "aileron.configChecksum" -}}
{{- dict "platform" (include "aileron.platformConfigData" . | fromYaml) "routing" (include "aileron.routingData" . | fromYaml) "firewall" (include "aileron.firewallData" . | fromYaml) | toJson | sha256sum -}}
{{- end -}}
`;

const configMap = (name: string, data: string) => `---
apiVersion: v1
kind: ConfigMap
metadata:
{{ include "aileron.metadata" (list $ "platform" (include "aileron.name" (list $ "${name}"))) | indent 2 }}
data:
{{ include "${data}" $ | indent 2 }}
`;

export const PLATFORM_CONFIG = [
  configMap('platform-config', 'aileron.platformConfigData'),
  configMap('workspace-routing', 'aileron.routingData'),
  configMap('firewall-defaults', 'aileron.firewallData'),
].join('');

/** One credentials Secret; `entries` maps a key to the values expression given for it. */
function secret(owner: string, component: string, condition: string, entries: Record<string, string>, extra = ''): string {
  const lines = Object.entries(entries).map(
    ([key, given]) => `  ${key}: {{ include "aileron.credential" (list $ $name "${key}" ${given}) | quote }}`,
  );
  return `{{- if ${condition} }}
{{- $name := include "aileron.name" (list $ "${owner}") }}
---
apiVersion: v1
kind: Secret
type: Opaque
metadata:
{{ include "aileron.metadata" (list $ "${component}" $name) | indent 2 }}
stringData:
${lines.join('\n')}${extra}
{{- end }}
`;
}

/** The credential-like entries of an env map, as splitEnv decides (shared patterns). */
const sensitiveEnvEntries = (env: string) => `
{{- range $key, $value := ${env} }}
{{- if include "aileron.isSensitiveEnv" (list $key $value) }}
  {{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}`;

export const SECRETS = [
  secret('postgres', 'postgres', 'and .Values.postgres.enabled (not .Values.postgres.auth.existingSecret)', {
    [SECRET_KEYS.postgres.password]: '.Values.postgres.auth.password',
  }),
  secret('redis', 'redis', 'and .Values.redis.enabled (not .Values.redis.auth.existingSecret)', {
    [SECRET_KEYS.redis.password]: '.Values.redis.auth.password',
  }),
  secret(
    'keycloak',
    'keycloak',
    'and .Values.keycloak.enabled (not .Values.keycloak.auth.existingSecret)',
    {
      [SECRET_KEYS.keycloak.adminUser]: '.Values.keycloak.auth.adminUser',
      [SECRET_KEYS.keycloak.adminPassword]: '.Values.keycloak.auth.adminPassword',
    },
    sensitiveEnvEntries('.Values.keycloak.env'),
  ),
  secret('coturn', 'coturn', 'and .Values.coturn.enabled (not .Values.coturn.existingSecret)', {
    [SECRET_KEYS.coturn.username]: '.Values.coturn.username',
    [SECRET_KEYS.coturn.credential]: '.Values.coturn.credential',
  }),
  secret(
    'workspace-manager',
    'workspace-manager',
    'and .Values.workspaceManager.enabled (not .Values.workspaceManager.existingSecret)',
    { [SECRET_KEYS.workspaceManager.secretKey]: '(index .Values.workspaceManager.env "SECRET_KEY" | default "")' },
    sensitiveEnvEntries('(omit .Values.workspaceManager.env "SECRET_KEY")'),
  ),
].join('');

export const KNOWLEDGE_BASES_PVC = `{{- $kb := .Values.kubernetes.knowledgeBases }}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  annotations:
    helm.sh/resource-policy: keep
{{ include "aileron.metadata" (list $ "platform" $kb.pvcName) | indent 2 }}
spec:
  accessModes:
{{ toYaml $kb.accessModes | indent 4 }}
  {{- with ($kb.storageClassName | default .Values.global.storageClass) }}
  storageClassName: {{ . }}
  {{- end }}
  resources:
    requests:
      storage: {{ $kb.size }}
`;

const restrictedLabels = Object.entries(RESTRICTED)
  .map(([k, v]) => `    ${k}: ${v}`)
  .join('\n');

export const NAMESPACES = `{{- if and .Values.kubernetes.enabled .Values.kubernetes.createNamespaces }}
{{- range $ns := .Values.kubernetes.allowedNamespaces }}
{{- if and (ne $ns "default") (not (hasPrefix "kube-" $ns)) (ne $ns $.Release.Namespace) }}
---
apiVersion: v1
kind: Namespace
metadata:
  annotations:
    helm.sh/resource-policy: keep
  labels:
{{ include "aileron.labels" (list $ "platform") | indent 4 }}
${restrictedLabels}
  name: {{ $ns }}
{{- end }}
{{- end }}
{{- end }}
`;
