/**
 * Templates for lib/components/frontend.ts, workspace-manager.ts and
 * workspace-operator.ts, with the same ports, env, probes and RBAC.
 */
import { FRONTEND_PORT, frontendNginxConf } from '../../components/frontend.js';
import { KNOWLEDGE_BASES_MOUNT, WORKSPACE_MANAGER_PORT } from '../../components/workspace-manager.js';
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT } from '../../components/workspace-operator.js';
import { POSTGRES_PORT } from '../../components/postgres.js';
import { REDIS_PORT } from '../../components/redis.js';
import { SECRET_KEYS } from '../../components/secrets.js';
import { CONNECTION_KEYS, SENSITIVE_KEY_PATTERN, URL_WITH_PASSWORD_PATTERN } from '../../platform/credentials.js';
import { PlatformContext } from '../../platform/context.js';
import { defaultValues } from '../../values/load.js';
import { bindingTemplate, containerTemplate, deploymentTemplate, indent, port, serviceAccountTemplate, serviceTemplate } from '../workload-template.js';

const ALL_VERBS = '["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]';

/**
 * extraEnv() of lib/platform/credentials.ts: `$env`'s credentials through
 * secretKeyRef on the given Secret, the rest as plain values, in key order.
 */
export const extraEnvTemplate = (secretExpr: string, exclude = '') => `{{- range $key := keys $env | sortAlpha }}
{{- if and (ne $key "${exclude}") (include "aileron.isSensitiveEnv" (list $key (get $env $key))) }}
  - name: {{ $key }}
    valueFrom:
      secretKeyRef:
        key: {{ $key }}
        name: {{ ${secretExpr} }}
{{- end }}
{{- end }}
{{- range $key := keys $env | sortAlpha }}
{{- if not (include "aileron.isSensitiveEnv" (list $key (get $env $key))) }}
  - name: {{ $key }}
    value: {{ get $env $key | toString | quote }}
{{- end }}
{{- end }}`;

/** plainEnv() of lib/values/plain-env.ts: a component's `env` map as entries of its env list, in key order. */
export const plainEnvLines = (values: string) => `{{- range $key := keys (${values}.env | default dict) | sortAlpha }}
  - name: {{ $key }}
    value: {{ get ${values}.env $key | toString | quote }}
{{- end }}`;

/** HTTP / TCP probe YAML as lib/platform/pod.ts writes them. */
export const httpProbe = (key: string, path: string, portName: string, period = 10, failures = 3) =>
  `${key}:\n  failureThreshold: ${failures}\n  httpGet:\n    path: ${path}\n    port: ${portName}\n  periodSeconds: ${period}\n  timeoutSeconds: 5`;
export const tcpProbe = (key: string, portNumber: string | number, period = 10, failures = 3) =>
  `${key}:\n  failureThreshold: ${failures}\n  periodSeconds: ${period}\n  tcpSocket:\n    port: ${portNumber}\n  timeoutSeconds: 5`;
export const execProbe = (key: string, command: string[], period = 10, failures = 3) =>
  `${key}:\n  exec:\n    command:\n${command.map((c) => `      - ${JSON.stringify(c)}`).join('\n')}\n  failureThreshold: ${failures}\n  periodSeconds: ${period}\n  timeoutSeconds: 5`;
export const secretEnv = (name: string, secretExpr: string, key: string, optional = false) =>
  `- name: ${name}\n  valueFrom:\n    secretKeyRef:\n      key: ${key}\n      name: {{ ${secretExpr} }}${optional ? '\n      optional: true' : ''}`;
export const emptyDir = (name: string, size = '64Mi') => `- emptyDir:\n    sizeLimit: ${size}\n  name: ${name}`;

/** The credential test of splitEnv, in Go's RE2 with the same pattern sources. */
/** heapLimitMb() of workspace-operator.ts. */
export const HEAP_LIMIT_HELPER = `{{- define "aileron.heapLimitMb" -}}
{{- $limit := toString (dig "limits" "memory" "" .) -}}
{{- if regexMatch "^[0-9]+(Mi|Gi)$" $limit -}}
{{- $mib := int (regexFind "^[0-9]+" $limit) -}}
{{- if hasSuffix "Gi" $limit }}{{ $mib = mul $mib 1024 }}{{ end -}}
{{- max 64 (div (mul $mib 5) 10) -}}
{{- else -}}128{{- end -}}
{{- end -}}
`;

export const SENSITIVE_ENV_HELPER = `{{- define "aileron.sensitiveEnv" -}}
{{- range $key, $value := . }}
{{- if include "aileron.isSensitiveEnv" (list $key $value) }}
{{ $key | quote }}: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "aileron.isSensitiveEnv" -}}
{{- $key := index . 0 -}}{{- $value := toString (index . 1) -}}
{{- if or (regexMatch \`(?i)${SENSITIVE_KEY_PATTERN}\` $key) (has $key (list ${CONNECTION_KEYS.map((k) => `"${k}"`).join(' ')})) (regexMatch \`${URL_WITH_PASSWORD_PATTERN}\` $value) -}}
true
{{- end -}}
{{- end -}}
`;

/**
 * nginx.conf is rendered by the construct's own function with placeholder
 * names, which become template expressions: one text, two renderers.
 */
export function nginxConfHelper(): string {
  const values = defaultValues();
  const SENTINEL_PORT = 65001;
  values.workspaceManager.service.port = SENTINEL_PORT;
  const probe = new PlatformContext(values, { release: 'RELEASE', namespace: 'NAMESPACE' });
  const conf = frontendNginxConf(probe)
    .replace(`${probe.name('workspace-manager')}.NAMESPACE`, '{{ include "aileron.name" (list $ "workspace-manager") }}.{{ $.Release.Namespace }}')
    .replace(`:${SENTINEL_PORT}`, ':{{ $.Values.workspaceManager.service.port }}');
  if (conf.includes('RELEASE') || conf.includes('NAMESPACE')) throw new Error('nginx.conf has names the chart cannot template');
  // No trim before `end`: the file keeps its final newline, as in synth.
  return `{{- define "aileron.nginxConf" -}}\n${conf}{{ end -}}\n`;
}

export const FRONTEND = `{{- if .Values.frontend.enabled }}
{{- $data := dict "nginx.conf" (include "aileron.nginxConf" $) }}
---
apiVersion: v1
kind: ConfigMap
metadata:
{{ include "aileron.metadata" (list $ "frontend" (include "aileron.name" (list $ "frontend-nginx"))) | indent 2 }}
data:
  nginx.conf: |
{{ get $data "nginx.conf" | indent 4 }}
${deploymentTemplate({
  component: 'frontend',
  values: '.Values.frontend',
  replicas: '.Values.frontend.replicaCount',
  uid: 101,
  checksums: { 'frontend-nginx': '$data | toJson | sha256sum' },
  containers: [
    containerTemplate({
      name: 'frontend',
      values: '.Values.frontend',
      body: [
        `ports:\n  - containerPort: ${FRONTEND_PORT}\n    name: http`,
        `{{- if .Values.frontend.env }}\nenv:\n${plainEnvLines('$.Values.frontend')}\n{{- end }}`,
        'volumeMounts:\n  - mountPath: /etc/nginx/nginx.conf\n    name: nginx-config\n    readOnly: true\n    subPath: nginx.conf\n  - mountPath: /tmp\n    name: tmp\n  - mountPath: /var/cache/nginx\n    name: cache',
        httpProbe('readinessProbe', '/healthz', 'http'),
        tcpProbe('livenessProbe', FRONTEND_PORT, 20),
      ].join('\n'),
    }),
  ],
  volumes: `volumes:\n  - configMap:\n      name: {{ include "aileron.name" (list $ "frontend-nginx") }}\n    name: nginx-config\n${indent(emptyDir('tmp'), 2)}\n${indent(emptyDir('cache'), 2)}`,
})}${serviceTemplate({ component: 'frontend', settings: '.Values.frontend.service', ports: port('http', '{{ .Values.frontend.service.port }}') })}{{- end }}
`;

const managerSecret = 'include "aileron.secretName" (list $ "workspace-manager" $.Values.workspaceManager.existingSecret)';
const postgresSecret = 'include "aileron.secretName" (list $ "postgres" $.Values.postgres.auth.existingSecret)';
const redisSecret = 'include "aileron.secretName" (list $ "redis" $.Values.redis.auth.existingSecret)';

/** The manager's env, in the order managerEnv() builds it. */
const MANAGER_ENV = `env:
${indent(secretEnv(SECRET_KEYS.workspaceManager.secretKey, managerSecret, SECRET_KEYS.workspaceManager.secretKey), 2)}
{{- $env := .Values.workspaceManager.env }}
{{- if and .Values.postgres.enabled (not (hasKey $env "DATABASE_URL")) }}
${indent(secretEnv('DATABASE_PASSWORD', postgresSecret, SECRET_KEYS.postgres.password), 2)}
  - name: DATABASE_URL
    value: "postgresql://{{ .Values.postgres.auth.username }}:$(DATABASE_PASSWORD)@{{ include "aileron.serviceHost" (list $ "postgres") }}:${POSTGRES_PORT}/{{ .Values.postgres.auth.appDatabase }}"
{{- end }}
{{- if and .Values.redis.enabled (not (hasKey $env "REDIS_URL")) }}
{{- $redis := printf "redis://:$(REDIS_PASSWORD)@%s:${REDIS_PORT}" (include "aileron.serviceHost" (list $ "redis")) }}
${indent(secretEnv('REDIS_PASSWORD', redisSecret, SECRET_KEYS.redis.password), 2)}
  - name: REDIS_URL
    value: "{{ $redis }}/0"
{{- if not (hasKey $env "CELERY_BROKER_URL") }}
  - name: CELERY_BROKER_URL
    value: "{{ $redis }}/0"
{{- end }}
{{- if not (hasKey $env "CELERY_RESULT_BACKEND") }}
  - name: CELERY_RESULT_BACKEND
    value: "{{ $redis }}/1"
{{- end }}
{{- end }}
{{- if .Values.keycloak.enabled }}
{{- if not (hasKey $env "KEYCLOAK_SERVER_URL") }}
  - name: KEYCLOAK_SERVER_URL
    value: "http://{{ include "aileron.serviceHost" (list $ "keycloak") }}:{{ .Values.keycloak.service.port }}"
{{- end }}
{{- if not (hasKey $env "KEYCLOAK_REALM") }}
  - name: KEYCLOAK_REALM
    value: {{ .Values.keycloak.realm | quote }}
{{- end }}
{{- if not (hasKey $env "KEYCLOAK_CLIENT_ID") }}
  - name: KEYCLOAK_CLIENT_ID
    value: {{ .Values.keycloak.clientId | quote }}
{{- end }}
{{- end }}
{{- if .Values.workspaceManager.existingSecret }}
{{- range $key := list ${CONNECTION_KEYS.map((k) => `"${k}"`).join(' ')} }}
{{- $bundled := ternary $.Values.postgres.enabled $.Values.redis.enabled (hasPrefix "DATABASE" $key) }}
{{- if and (not $bundled) (not (hasKey $env $key)) }}
  - name: {{ $key }}
    valueFrom:
      secretKeyRef:
        key: {{ $key }}
        name: {{ $.Values.workspaceManager.existingSecret }}
        optional: true
{{- end }}
{{- end }}
{{- end }}
${extraEnvTemplate(managerSecret, 'SECRET_KEY')}
  - name: KNOWLEDGE_BASES_PATH
    value: ${KNOWLEDGE_BASES_MOUNT}`;

export const WORKSPACE_MANAGER = `{{- if .Values.workspaceManager.enabled }}
{{- $name := include "aileron.name" (list $ "workspace-manager") }}
${serviceAccountTemplate('workspace-manager', '.Values.workspaceManager')}
{{- range $ns := (ternary .Values.kubernetes.allowedNamespaces list .Values.kubernetes.enabled) }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  labels:
{{ include "aileron.labels" (list $ "workspace-manager") | indent 4 }}
  name: {{ $name }}
  namespace: {{ $ns }}
rules:
  - apiGroups: ["platform.aileron.io"]
    resources: ["workspaces"]
    verbs: ${ALL_VERBS}
${bindingTemplate({
  kind: 'RoleBinding',
  metadata: '  labels:\n{{ include "aileron.labels" (list $ "workspace-manager") | indent 4 }}\n  name: {{ $name }}\n  namespace: {{ $ns }}',
  role: '{{ $name }}',
  account: '{{ $account }}',
  accountNamespace: '{{ $.Release.Namespace }}',
})}{{- end }}
${deploymentTemplate({
  component: 'workspace-manager',
  values: '.Values.workspaceManager',
  replicas: '.Values.workspaceManager.replicaCount',
  uid: 1000,
  fsGroup: 1000,
  serviceAccount: '$account',
  checksums: { config: 'include "aileron.configChecksum" $' },
  containers: [
    containerTemplate({
      name: 'workspace-manager',
      values: '.Values.workspaceManager',
      body: [
        `ports:\n  - containerPort: ${WORKSPACE_MANAGER_PORT}\n    name: http`,
        'envFrom:\n  - configMapRef:\n      name: {{ include "aileron.name" (list $ "platform-config") }}',
        MANAGER_ENV,
        `volumeMounts:\n  - mountPath: ${KNOWLEDGE_BASES_MOUNT}\n    name: knowledge-bases\n  - mountPath: /tmp\n    name: tmp`,
        httpProbe('readinessProbe', '/health', 'http'),
        tcpProbe('livenessProbe', WORKSPACE_MANAGER_PORT, 20),
        httpProbe('startupProbe', '/health', 'http', 5, 60),
      ].join('\n'),
    }),
  ],
  volumes: `volumes:\n  - name: knowledge-bases\n    persistentVolumeClaim:\n      claimName: {{ .Values.kubernetes.knowledgeBases.pvcName }}\n${indent(emptyDir('tmp', '1Gi'), 2)}`,
})}${serviceTemplate({ component: 'workspace-manager', settings: '.Values.workspaceManager.service', ports: port('http', '{{ .Values.workspaceManager.service.port }}') })}{{- end }}
`;

export const WORKSPACE_OPERATOR = `{{- if and .Values.workspaceOperator.enabled .Values.kubernetes.enabled }}
{{- $name := include "aileron.name" (list $ "workspace-operator") }}
{{- $o := .Values.workspaceOperator }}
${serviceAccountTemplate('workspace-operator', '.Values.workspaceOperator')}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  labels:
{{ include "aileron.labels" (list $ "workspace-operator") | indent 4 }}
  name: {{ $name }}
rules:
  - apiGroups: [""]
    resources: ["pods", "services", "persistentvolumeclaims", "events", "configmaps", "secrets"]
    verbs: ${ALL_VERBS}
  - apiGroups: ["apps"]
    resources: ["deployments", "statefulsets"]
    verbs: ${ALL_VERBS}
  - apiGroups: ["networking.k8s.io"]
    resources: ["ingresses", "networkpolicies"]
    verbs: ${ALL_VERBS}
  - apiGroups: ["cilium.io"]
    resources: ["ciliumnetworkpolicies"]
    verbs: ${ALL_VERBS}
  - apiGroups: ["platform.aileron.io"]
    resources: ["workspaces", "workspaces/status", "workspaces/finalizers"]
    verbs: ${ALL_VERBS}
${bindingTemplate({
  kind: 'ClusterRoleBinding',
  metadata: '  labels:\n{{ include "aileron.labels" (list $ "workspace-operator") | indent 4 }}\n  name: {{ $name }}',
  role: '{{ $name }}',
  account: '{{ $account }}',
  accountNamespace: '{{ .Release.Namespace }}',
})}---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
{{ include "aileron.metadata" (list $ "workspace-operator" (printf "%s-leader-election" $name)) | indent 2 }}
rules:
  - apiGroups: ["coordination.k8s.io"]
    resources: ["leases"]
    verbs: ["get", "list", "watch", "create", "update", "patch"]
${bindingTemplate({
  kind: 'RoleBinding',
  metadata: '{{ include "aileron.metadata" (list $ "workspace-operator" (printf "%s-leader-election" $name)) | indent 2 }}',
  role: '{{ $name }}-leader-election',
  account: '{{ $account }}',
  accountNamespace: '{{ .Release.Namespace }}',
})}${deploymentTemplate({
  component: 'workspace-operator',
  values: '.Values.workspaceOperator',
  replicas: '.Values.workspaceOperator.replicaCount',
  uid: 65532,
  serviceAccount: '$account',
  terminationGracePeriodSeconds: 30,
  checksums: { config: 'include "aileron.configChecksum" $' },
  containers: [
    containerTemplate({
      name: 'workspace-operator',
      values: '.Values.workspaceOperator',
      body: [
        `ports:\n  - containerPort: ${OPERATOR_METRICS_PORT}\n    name: metrics\n  - containerPort: ${OPERATOR_HEALTH_PORT}\n    name: health`,
        'envFrom:\n  - configMapRef:\n      name: {{ include "aileron.name" (list $ "platform-config") }}',
        `env:
  - name: POD_NAMESPACE
    valueFrom:
      fieldRef:
        fieldPath: metadata.namespace
  - name: POD_NAME
    valueFrom:
      fieldRef:
        fieldPath: metadata.name
  - name: PLATFORM_CONFIGMAP_NAME
    value: {{ include "aileron.name" (list $ "platform-config") }}
  - name: LEADER_ELECTION
    value: {{ $o.leaderElection | toString | quote }}
  - name: WORKERS
    value: {{ $o.workers | toString | quote }}
  - name: KUBE_API_QPS
    value: {{ $o.apiQps | toString | quote }}
  - name: KUBE_API_BURST
    value: {{ mul $o.apiQps 2 | toString | quote }}
  - name: LEADER_ELECTION_LEASE_NAME
    value: {{ $name }}
  - name: LOG_LEVEL
    value: {{ $o.logLevel }}
  - name: COTURN_SECRET_NAME
    value: {{ if .Values.coturn.enabled }}{{ include "aileron.secretName" (list $ "coturn" .Values.coturn.existingSecret) | quote }}{{ else }}""{{ end }}
  - name: NODE_OPTIONS
    value: "--max-old-space-size={{ include "aileron.heapLimitMb" $o.resources }}"
${plainEnvLines('$.Values.workspaceOperator')}`,
        httpProbe('readinessProbe', '/readyz', 'health'),
        httpProbe('livenessProbe', '/healthz', 'health', 20),
      ].join('\n'),
    }),
  ],
})}${serviceTemplate({
  component: 'workspace-operator',
  nameExpr: '(printf "%s-metrics" $name)',
  ports: port('metrics', OPERATOR_METRICS_PORT),
})}{{- end }}
`;
