/**
 * Templates for lib/components/ingress.ts and network-policies.ts, plus the
 * `helm test` hook and NOTES.txt.
 */
import { FRONTEND_PORT } from '../../components/frontend.js';
import { WORKSPACE_MANAGER_PORT } from '../../components/workspace-manager.js';
import { OPERATOR_HEALTH_PORT, OPERATOR_METRICS_PORT } from '../../components/workspace-operator.js';
import { KEYCLOAK_HTTP_PORT, KEYCLOAK_MANAGEMENT_PORT } from '../../components/keycloak.js';
import { POSTGRES_PORT } from '../../components/postgres.js';
import { REDIS_PORT } from '../../components/redis.js';

const rule = (enabled: string, hostKey: string, component: string) => `{{- if ${enabled} }}
    - host: {{ include "aileron.host" (list $ .Values.publicRouting.${hostKey}) | quote }}
      http:
        paths:
          - backend:
              service:
                name: {{ include "aileron.name" (list $ "${component}") }}
                port:
                  name: http
            path: /
            pathType: Prefix
{{- end }}`;

export const INGRESS = `{{- $i := .Values.ingress }}
{{- if and $i.enabled (or .Values.frontend.enabled .Values.workspaceManager.enabled .Values.keycloak.enabled) }}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  {{- with $i.annotations }}
  annotations:
{{ toYaml . | indent 4 }}
  {{- end }}
{{ include "aileron.metadata" (list $ "platform" (include "aileron.fullname" $)) | indent 2 }}
spec:
  {{- with $i.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with $i.tls }}
  tls:
  {{- range . }}
    - secretName: {{ .secretName }}
      {{- if .hosts }}
      hosts:
      {{- range .hosts }}
        - {{ include "aileron.host" (list $ .) | quote }}
      {{- end }}
      {{- else }}
      hosts: []
      {{- end }}
  {{- end }}
  {{- end }}
  rules:
${rule('.Values.frontend.enabled', 'frontendHost', 'frontend')}
${rule('.Values.workspaceManager.enabled', 'workspaceManagerHost', 'workspace-manager')}
${rule('.Values.keycloak.enabled', 'keycloakHost', 'keycloak')}
{{- end }}
`;

const tcp = (p: number | string) => `- port: ${p}\n  protocol: TCP`;
const from = (...components: string[]) =>
  components.map((c) => `- podSelector:\n    matchLabels:\n{{ include "aileron.selector" (list $ "${c}") | indent 6 }}`).join('\n');

function policy(component: string, enabled: string, ingress: string | undefined, egress?: string): string {
  const ind = (t: string, n: number) => t.split('\n').map((l) => (l.startsWith('{{ include') ? l.replace(/indent (\d+)/, (_m, d) => `indent ${Number(d) + n}`) : ' '.repeat(n) + l)).join('\n');
  return `{{- if ${enabled} }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
{{ include "aileron.metadata" (list $ "${component}" (include "aileron.name" (list $ "${component}"))) | indent 2 }}
spec:
  podSelector:
    matchLabels:
{{ include "aileron.selector" (list $ "${component}") | indent 6 }}
  policyTypes:
    - Ingress${egress !== undefined ? '\n    - Egress' : ''}${ingress ? `\n  ingress:\n${ind(ingress, 4)}` : ''}${egress ? `\n  egress:\n${ind(egress, 4)}` : ''}
{{- end }}
`;
}

const rulePorts = (ports: Array<number | string>, sources?: string[]) =>
  `- ports:\n${ports.map((p) => '    ' + tcp(p).replace('\n', '\n    ')).join('\n')}${sources ? `\n  from:\n${from(...sources).split('\n').map((l) => (l.startsWith('{{') ? l.replace(/indent (\d+)/, (_m, d) => `indent ${Number(d) + 4}`) : '    ' + l)).join('\n')}` : ''}`;

export const NETWORK_POLICIES = `{{- if .Values.networkPolicy.enabled }}
${policy('frontend', '.Values.frontend.enabled', rulePorts([FRONTEND_PORT]))}${policy('workspace-manager', '.Values.workspaceManager.enabled', rulePorts([WORKSPACE_MANAGER_PORT]))}${policy('workspace-operator', 'and .Values.workspaceOperator.enabled .Values.kubernetes.enabled', rulePorts([OPERATOR_METRICS_PORT, OPERATOR_HEALTH_PORT]))}${policy('keycloak', '.Values.keycloak.enabled', `${rulePorts([KEYCLOAK_HTTP_PORT])}\n${rulePorts([KEYCLOAK_MANAGEMENT_PORT], ['workspace-manager', 'test'])}`)}${policy('postgres', '.Values.postgres.enabled', rulePorts([POSTGRES_PORT], ['workspace-manager', 'keycloak', 'postgres-bootstrap']), '')}${policy('redis', '.Values.redis.enabled', rulePorts([REDIS_PORT], ['workspace-manager']), '')}${policy(
  'postgres-bootstrap',
  '.Values.postgres.enabled',
  undefined,
  `- ports:\n    - port: 53\n      protocol: UDP\n    - port: 53\n      protocol: TCP\n- ports:\n    - port: ${POSTGRES_PORT}\n      protocol: TCP\n  to:\n    - podSelector:\n        matchLabels:\n{{ include "aileron.selector" (list $ "postgres") | indent 10 }}`,
)}{{- end }}
`;
