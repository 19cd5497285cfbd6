/**
 * The cross-key rules of lib/values/rules.ts as a Helm template, so
 * `helm install` refuses what `aileron-k8s synth` refuses (JSON Schema cannot
 * compare two keys). test/unit/hostile-values.test.ts holds the two to the
 * same verdicts. Messages follow the synth ones.
 */
import { MAX_WORKSPACE_ID_LENGTH } from '../../values/hosts.js';
import { CHART_ENV, DEDICATED, PLAIN_ENV_COMPONENTS } from '../../values/plain-env.js';
import { AUTOSCALED, BANDWIDTH_DIRECTIONS, DISTINCT_DATABASE_NAMES, GATEWAY_PROBLEMS } from '../../values/rules.js';
import { BANDWIDTH_OUT_OF_RANGE } from '../../workspace/spec-rules.js';

const RESOURCE_BLOCKS = [
  'frontend',
  'workspaceManager',
  'workspaceOperator',
  'keycloak',
  'coturn',
  'postgres',
  'redis',
].map((c) => [c, `.Values.${c}.resources`]);
const WORKSPACE_BLOCKS = ['runtime', 'browser', 'canvas'].map((c) => [`kubernetes.workspaceDefaults.${c}`, `.Values.kubernetes.workspaceDefaults.${c}.resources`]);

export const VALIDATE_HELPERS = `{{/* A quantity (500m, 2, 1Gi) as a number, to compare requests with limits. */}}
{{- define "aileron.quantity" -}}
{{- $q := toString . -}}
{{- $num := regexFind "^[0-9]+(\\\\.[0-9]+)?" $q -}}
{{- $suffix := trimPrefix $num $q -}}
{{- if eq $suffix "m" -}}{{ divf (float64 $num) 1000 }}
{{- else -}}{{ mulf (float64 $num) (get (dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "P" 1000000000000000 "E" 1000000000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 "Pi" 1125899906842624 "Ei" 1152921504606846976) $suffix) }}
{{- end -}}
{{- end -}}

{{/* Why a host is not a valid DNS name ("" when it is): list host allowWildcard. */}}
{{- define "aileron.hostProblem" -}}
{{- $host := index . 0 -}}
{{- if gt (len $host) 253 -}}is {{ len $host }} characters long (at most 253)
{{- else -}}
{{- $why := "" -}}
{{- range $i, $label := splitList "." $host -}}
{{- if and (not $why) (not (and (index $ 1) (eq $i 0) (eq $label "*"))) -}}
{{- if gt (len $label) 63 -}}{{- $why = printf "has a label %q of %d characters (at most 63)" $label (len $label) -}}
{{- else if not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $label) -}}{{- $why = printf "has an invalid label %q" $label -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $why -}}
{{- end -}}
{{- end -}}

{{- define "aileron.validate" -}}
{{- $v := .Values -}}
{{- $k := $v.kubernetes -}}
{{- $r := $v.publicRouting -}}
{{- $problems := list -}}
{{- if and (not $k.enabled) (eq $k.provisioner "kubernetes") -}}
{{- $problems = append $problems (printf "kubernetes.enabled: false turns Kubernetes workspaces off, but kubernetes.provisioner is %q; set it to %q or enable Kubernetes" "kubernetes" "docker") -}}
{{- else if not (has $k.defaultNamespace $k.allowedNamespaces) -}}
{{- $problems = append $problems (printf "kubernetes.defaultNamespace: %q is not in kubernetes.allowedNamespaces (%s); add it there or pick one of them" $k.defaultNamespace (join ", " $k.allowedNamespaces)) -}}
{{- end -}}
{{- range $key := list "frontendHost" "workspaceManagerHost" "keycloakHost" -}}
{{- $pattern := index $r $key -}}
{{- if contains "{workspaceId}" $pattern -}}
{{- $problems = append $problems (printf "publicRouting.%s: %q must not contain {workspaceId} (only the workspace host patterns do)" $key $pattern) -}}
{{- else -}}
{{- $host := replace "{baseDomain}" $r.baseDomain $pattern -}}
{{- $why := include "aileron.hostProblem" (list $host false) -}}
{{- if $why }}{{ $problems = append $problems (printf "publicRouting.%s: %q %s" $key $host $why) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $key := list "runtimeHostPattern" "browserHostPattern" "canvasHostPattern" -}}
{{- $pattern := index $r $key -}}
{{- if not (contains "{workspaceId}" $pattern) -}}
{{- $problems = append $problems (printf "publicRouting.%s: %q must contain {workspaceId}, or every workspace would share one host" $key $pattern) -}}
{{- else -}}
{{- $host := replace "{workspaceId}" (repeat ${MAX_WORKSPACE_ID_LENGTH} "w") (replace "{baseDomain}" $r.baseDomain $pattern) -}}
{{- $why := include "aileron.hostProblem" (list $host false) -}}
{{- if $why }}{{ $problems = append $problems (printf "publicRouting.%s: with a ${MAX_WORKSPACE_ID_LENGTH}-character workspaceId the host %s; shorten the pattern or publicRouting.baseDomain" $key $why) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- range $i, $tls := $v.ingress.tls -}}
{{- range $j, $host := $tls.hosts -}}
{{- $why := include "aileron.hostProblem" (list (replace "{baseDomain}" $r.baseDomain $host) true) -}}
{{- if $why }}{{ $problems = append $problems (printf "ingress.tls[%d].hosts[%d]: %q %s" $i $j $host $why) }}{{ end -}}
{{- end -}}
{{- end -}}
{{- $m := $v.workspaceManager -}}
{{- if and $m.enabled (not $m.existingSecret) -}}
{{- if and (not $v.postgres.enabled) (not $m.env.DATABASE_URL) -}}
{{- $problems = append $problems "workspaceManager.env.DATABASE_URL: required when postgres.enabled is false (for example postgresql://user:pass@db:5432/aileron?sslmode=require), or put it in workspaceManager.existingSecret" -}}
{{- end -}}
{{- if and (not $v.redis.enabled) (not $m.env.REDIS_URL) -}}
{{- $problems = append $problems "workspaceManager.env.REDIS_URL: required when redis.enabled is false (for example rediss://user:pass@redis:6379), or put it in workspaceManager.existingSecret" -}}
{{- end -}}
{{- end -}}
{{- if and (not $v.keycloak.enabled) $m.enabled (not $m.env.KEYCLOAK_SERVER_URL) -}}
{{- $problems = append $problems "workspaceManager.env.KEYCLOAK_SERVER_URL: required when keycloak.enabled is false (for example https://sso.company.com)" -}}
{{- end -}}
{{- if and $v.workspaceAuth.enabled (not $v.keycloak.enabled) (not $v.workspaceAuth.issuerUrl) -}}
{{- $problems = append $problems "workspaceAuth.issuerUrl: required when keycloak.enabled is false (your IdP's issuer, for example https://sso.company.com/realms/aileron, with workspaceAuth.clientId and a client secret); or set workspaceAuth.enabled=false to leave workspace endpoints unauthenticated" -}}
{{- end -}}
{{- if and $v.keycloak.enabled (not $v.postgres.enabled) (not $v.keycloak.env.KC_DB_URL) -}}
{{- $problems = append $problems "keycloak.env.KC_DB_URL: required when postgres.enabled is false and keycloak.enabled is true (jdbc:postgresql://host:5432/keycloak), with KC_DB_USERNAME and KC_DB_PASSWORD" -}}
{{- end -}}
{{- if gt (int $v.coturn.minRelayPort) (int $v.coturn.maxRelayPort) -}}
{{- $problems = append $problems (printf "coturn.minRelayPort: %d is above coturn.maxRelayPort %d" (int $v.coturn.minRelayPort) (int $v.coturn.maxRelayPort)) -}}
{{- end -}}
{{- if and $v.coturn.enabled $v.coturn.namespace -}}
{{- if and $v.kubernetes.enabled (has $v.coturn.namespace $v.kubernetes.allowedNamespaces) -}}
{{- $problems = append $problems (printf "coturn.namespace: %s is a workspace namespace (kubernetes.allowedNamespaces), where untrusted code runs under Pod Security \\"restricted\\"; give CoTURN a namespace of its own" $v.coturn.namespace) -}}
{{- end -}}
{{- if and $v.coturn.createNamespace (or (eq $v.coturn.namespace "default") (hasPrefix "kube-" $v.coturn.namespace)) -}}
{{- $problems = append $problems (printf "coturn.namespace: %s exists in every cluster and is not the chart's to create; name a namespace of its own, or set coturn.createNamespace=false" $v.coturn.namespace) -}}
{{- end -}}
{{- end -}}
{{- range $c := list ${AUTOSCALED.map((c) => JSON.stringify(c)).join(' ')} -}}
{{- $a := (index $v $c).autoscaling -}}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- $problems = append $problems (printf "%s.autoscaling.minReplicas: %d is above %s.autoscaling.maxReplicas %d" $c (int $a.minReplicas) $c (int $a.maxReplicas)) -}}
{{- end -}}
{{- end -}}
{{- range $d := list ${BANDWIDTH_DIRECTIONS.map((d) => JSON.stringify(d)).join(' ')} -}}
{{- $b := index $v.kubernetes.workspaceDefaults.bandwidth $d -}}
{{- if and $b (or (lt (float64 (include "aileron.quantity" $b)) 1000.0) (gt (float64 (include "aileron.quantity" $b)) 1000000000000000.0)) -}}
{{- $problems = append $problems (printf "kubernetes.workspaceDefaults.bandwidth.%s: %s ${BANDWIDTH_OUT_OF_RANGE}" $d $b) -}}
{{- end -}}
{{- end -}}
{{- $g := $v.gatewayAPI -}}
{{- if $g.enabled -}}
{{- if and (not $g.parentRefs) (not $g.createGateway) -}}
{{- $problems = append $problems ${JSON.stringify(GATEWAY_PROBLEMS.noGateway)} -}}
{{- end -}}
{{- if and $g.createGateway (not $g.gatewayClassName) -}}
{{- $problems = append $problems ${JSON.stringify(GATEWAY_PROBLEMS.noClass)} -}}
{{- end -}}
{{- if and $g.createGateway (eq $v.publicRouting.scheme "https") (not $v.ingress.workspaceTls.secretName) (not (include "aileron.wildcardTlsSecret" $)) (not $v.ingress.workspaceTls.clusterIssuer) -}}
{{- $problems = append $problems ${JSON.stringify(GATEWAY_PROBLEMS.noCertificate)} -}}
{{- end -}}
{{- if and (eq $g.implementation "cilium") $v.kubernetes.enabled (not $v.cilium.enabled) -}}
{{- $problems = append $problems ${JSON.stringify(GATEWAY_PROBLEMS.ciliumEntity)} -}}
{{- end -}}
{{- end -}}
{{- range $block := list ${[...RESOURCE_BLOCKS, ...WORKSPACE_BLOCKS].map(([path, ref]) => `(list "${path}" ${ref})`).join(' ')} -}}
{{- $path := index $block 0 -}}
{{- $res := index $block 1 -}}
{{- range $name, $request := ($res.requests | default dict) -}}
{{- $limit := index ($res.limits | default dict) $name -}}
{{- if and $limit (gt (float64 (include "aileron.quantity" $request)) (float64 (include "aileron.quantity" $limit))) -}}
{{- $problems = append $problems (printf "%s.resources.requests.%s: %s is above the limit %s; raise %s.resources.limits.%s or lower the request" $path $name $request $limit $path $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $component, $reserved := dict ${PLAIN_ENV_COMPONENTS.map((c) => `"${c}" (list ${CHART_ENV[c].map((e) => `"${e}"`).join(' ')})`).join(' ')} -}}
{{- $env := (index $v $component).env | default dict -}}
{{- range $key := keys $env | sortAlpha -}}
{{- if has $key $reserved -}}
{{- $dedicated := get (dict ${Object.entries(DEDICATED).map(([k, v]) => `"${k}" "${v}"`).join(' ')}) $key -}}
{{- $problems = append $problems (printf "%s.env.%s: the chart sets %s itself; %s" $component $key $key (ternary (printf "set %s instead" $dedicated) "leave it out" (ne $dedicated ""))) -}}
{{- else if include "aileron.isSensitiveEnv" (list $key (get $env $key)) -}}
{{- $problems = append $problems (printf "%s.env.%s: looks like a credential, which would be plain text in the Deployment; %s takes plain settings only" $component $key $component) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $component := list "workspaceManager" "workspaceOperator" -}}
{{- $sa := (index $v $component).serviceAccount -}}
{{- if and (not $sa.create) (not $sa.name) -}}
{{- $problems = append $problems (printf "%s.serviceAccount.name: required when %s.serviceAccount.create is false (the existing ServiceAccount its RBAC binds to)" $component $component) -}}
{{- end -}}
{{- end -}}
{{- if $v.postgres.enabled -}}
{{- range $rule := list ${DISTINCT_DATABASE_NAMES.map(([key, other, why]) => `(list "${key}" "${other}" ${JSON.stringify(why)})`).join(' ')} -}}
{{- $value := index $v.postgres.auth (index $rule 0) -}}
{{- if eq $value (index $v.postgres.auth (index $rule 1)) -}}
{{- $problems = append $problems (printf "postgres.auth.%s: %q %s" (index $rule 0) $value (index $rule 2)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $msa := $v.workspaceManager.serviceAccount -}}
{{- $osa := $v.workspaceOperator.serviceAccount -}}
{{- if and $msa.create $osa.create $msa.name (eq $msa.name $osa.name) -}}
{{- $problems = append $problems (printf "workspaceOperator.serviceAccount.name: %q is also the manager's, and both would create it; create it once (create: false on one) or name them apart" $osa.name) -}}
{{- end -}}
{{- if $problems -}}
{{- fail (printf "invalid values:\\n  - %s" (join "\\n  - " $problems)) -}}
{{- end -}}
{{- end -}}
`;

/** A template that renders nothing, only checks. */
export const VALIDATE = `{{- include "aileron.validate" . -}}\n`;
