/** The `helm test` hook and NOTES.txt. */
import { KEYCLOAK_MANAGEMENT_PORT } from '../../components/keycloak.js';
import { containerTemplate, indent } from '../workload-template.js';

const check = (what: string, url: string) =>
  `echo checking ${what}; curl -fsS --max-time 5 --retry 30 --retry-delay 2 --retry-all-errors ${url} >/dev/null`;

export const TEST_HOOK = `{{- if or .Values.workspaceManager.enabled .Values.keycloak.enabled }}
{{- $checks := list }}
{{- if .Values.workspaceManager.enabled }}
{{- $checks = append $checks (printf "${check('the workspace manager', 'http://%s:%v/health')}" (include "aileron.name" (list $ "workspace-manager")) .Values.workspaceManager.service.port) }}
{{- end }}
{{- if .Values.keycloak.enabled }}
{{- $checks = append $checks (printf "${check('Keycloak', 'http://%s:' + KEYCLOAK_MANAGEMENT_PORT + '/health/ready')}" (include "aileron.name" (list $ "keycloak"))) }}
{{- end }}
---
apiVersion: v1
kind: Pod
metadata:
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{ include "aileron.metadata" (list $ "test" (include "aileron.name" (list $ "test"))) | indent 2 }}
spec:
{{ include "aileron.podCommon" (dict "root" $ "settings" (dict) "uid" 100 "fsGroup" 0 "serviceAccount" "" "affinity" dict) | indent 2 }}
  restartPolicy: Never
  containers:
${indent(
  containerTemplate({
    name: 'check',
    values: '.Values.tests',
    resources: 'limits:\n  cpu: 100m\n  memory: 32Mi\nrequests:\n  cpu: 10m\n  memory: 16Mi',
    body: 'command:\n  - /bin/sh\n  - -ec\n  - {{ join " && " $checks | quote }}',
  }),
  4,
)}
{{- end }}
`;

export const NOTES = `Aileron {{ .Chart.AppVersion }} is installed as release "{{ .Release.Name }}" in namespace "{{ .Release.Namespace }}".

Public URLs (DNS for these hosts must point at your ingress controller):
{{- $r := .Values.publicRouting }}
{{- if .Values.frontend.enabled }}
  Frontend:          {{ $r.scheme }}://{{ include "aileron.host" (list $ $r.frontendHost) }}
{{- end }}
{{- if .Values.workspaceManager.enabled }}
  Workspace manager: {{ $r.scheme }}://{{ include "aileron.host" (list $ $r.workspaceManagerHost) }}
{{- end }}
{{- if .Values.keycloak.enabled }}
  Keycloak:          {{ $r.scheme }}://{{ include "aileron.host" (list $ $r.keycloakHost) }}
{{- end }}
  Workspaces:        {{ $r.scheme }}://{{ include "aileron.host" (list $ $r.runtimeHostPattern) }} (and browser, canvas)
{{- if not .Values.ingress.enabled }}
  The platform Ingress is off (ingress.enabled=false): route these hosts yourself.
{{- end }}
{{- if and (eq $r.scheme "https") (not .Values.ingress.tls) }}

WARNING: publicRouting.scheme is https but ingress.tls is empty; the ingress controller's default
certificate will be served. Set ingress.tls (or a cert-manager annotation) for real certificates.
{{- end }}
{{- if .Values.keycloak.enabled }}

Keycloak admin credentials:
  kubectl get secret -n {{ .Release.Namespace }} {{ include "aileron.secretName" (list $ "keycloak" .Values.keycloak.auth.existingSecret) }} -o jsonpath='{.data.admin-password}' | base64 -d
{{- end }}

Check the installation:
  kubectl get pods -n {{ .Release.Namespace }}
  kubectl get crd workspaces.platform.aileron.io
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}

Helm does not upgrade CRDs. After upgrading the chart, apply the CRD first:
  kubectl apply --server-side -f https://<this chart>/crds/   (or: helm show crds ... | kubectl apply --server-side -f -)
`;
