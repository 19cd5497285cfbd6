import { OPERATOR_IMAGE, UPSTREAM_OPERATOR_IMAGE } from '../../values/schema.js';

/** NOTES.txt: what Helm prints after install and upgrade. */
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
{{- if .Values.workspaceAuth.enabled }}
  Sign-in callback:  {{ $r.scheme }}://{{ include "aileron.host" (list $ .Values.workspaceAuth.callbackHost) }}
{{- end }}
  Workspaces:        {{ $r.scheme }}://{{ include "aileron.host" (list $ $r.runtimeHostPattern) }} (and browser, canvas)
{{- if not .Values.ingress.enabled }}
  The platform Ingress is off (ingress.enabled=false): route these hosts yourself.
{{- end }}
{{- if and (eq $r.scheme "https") (not .Values.ingress.tls) }}

WARNING: publicRouting.scheme is https but ingress.tls is empty; the ingress controller's default
certificate will be served. Set ingress.tls (or a cert-manager annotation) for real certificates.
{{- end }}
{{- if .Values.workspaceAuth.enabled }}

Workspace endpoints let in only each Workspace's owner (claim "{{ .Values.workspaceAuth.ownerClaim }}" = spec.ownerId)
{{- if .Values.workspaceAuth.adminGroup }} and members of the "{{ .Values.workspaceAuth.adminGroup }}" group{{ end }}.
{{- else }}

WARNING: workspaceAuth.enabled is false. Every workspace's terminal, browser and canvas answer anyone who
knows or guesses its host name, with no sign-in. Turn it back on unless something else in front of the
workspace pods authenticates every request, WebSockets included.
{{- end }}
{{- if .Values.workspaceOperator.enabled }}

Workspace operator image: {{ .Values.workspaceOperator.image.repository }}:{{ .Values.workspaceOperator.image.tag }}
{{- if eq .Values.workspaceOperator.image.repository "${UPSTREAM_OPERATOR_IMAGE}" }}
WARNING: that is the upstream project's own operator, not this chart's: it does not read this chart's settings.
  Use ${OPERATOR_IMAGE} (the default), or your own build of operator/Dockerfile.
{{- end }}
{{- end }}
{{- if .Values.keycloak.enabled }}

Keycloak admin credentials:
  kubectl get secret -n {{ .Release.Namespace }} {{ include "aileron.secretName" (list $ "keycloak" .Values.keycloak.auth.existingSecret) }} -o jsonpath='{.data.admin-password}' | base64 -d
{{- end }}

Check the installation:
  kubectl get pods -n {{ .Release.Namespace }}
{{- $turnHere := eq (include "aileron.turnNamespace" $) .Release.Namespace }}
{{- if and .Values.coturn.enabled (not $turnHere) }}
  kubectl get pods -n {{ include "aileron.turnNamespace" $ }}    (CoTURN: its hostNetwork needs a "privileged" namespace of its own)
{{- end }}
  kubectl get crd workspaces.platform.aileron.io
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}

{{- /* Notes render before --create-namespace makes the namespace: none yet means one with no labels. */}}
{{- $ns := lookup "v1" "Namespace" "" .Release.Namespace | default dict }}
{{- $enforced := index (($ns.metadata | default dict).labels | default dict) "pod-security.kubernetes.io/enforce" | default "" }}
{{- if and (not (and .Values.coturn.enabled $turnHere)) (ne $enforced "restricted") }}

NOTE: namespace {{ .Release.Namespace }} does not enforce Pod Security "restricted", which every platform pod here passes:
  kubectl label namespace {{ .Release.Namespace }} --overwrite pod-security.kubernetes.io/enforce=restricted
{{- end }}

Helm does not upgrade CRDs. Before the next helm upgrade, apply the new chart's:
  helm show crds CHART | kubectl apply --server-side --force-conflicts -f -
`;
