/**
 * Templates for lib/components/keycloak.ts, coturn.ts, postgres.ts and
 * redis.ts. Their scripts come from the constructs' own functions, called
 * with template placeholders instead of values.
 */
import { KEYCLOAK_HTTP_PORT, KEYCLOAK_MANAGEMENT_PORT } from '../../components/keycloak.js';
import { coturnScript } from '../../components/coturn.js';
import { bootstrapScript, POSTGRES_PORT } from '../../components/postgres.js';
import { redisCommand, REDIS_PORT } from '../../components/redis.js';
import { SECRET_KEYS } from '../../components/secrets.js';
import { containerTemplate, deploymentTemplate, indent, port, serviceTemplate, statefulSetTemplate } from '../workload-template.js';
import { emptyDir, execProbe, extraEnvTemplate, httpProbe, plainEnvLines, secretEnv, tcpProbe } from './services.js';

const keycloakSecret = 'include "aileron.secretName" (list $ "keycloak" $.Values.keycloak.auth.existingSecret)';
const postgresSecret = 'include "aileron.secretName" (list $ "postgres" $.Values.postgres.auth.existingSecret)';
const redisSecret = 'include "aileron.secretName" (list $ "redis" $.Values.redis.auth.existingSecret)';
const coturnSecret = 'include "aileron.secretName" (list $ "coturn" $.Values.coturn.existingSecret)';

/** A YAML list item holding a shell script, with Helm placeholders left to expand. */
const scriptItem = (script: string) => `- ${JSON.stringify(script)}`;

export const REALM_HELPER = `{{- define "aileron.realmJson" -}}
{{- $frontend := printf "%s://%s" .Values.publicRouting.scheme (include "aileron.host" (list . .Values.publicRouting.frontendHost)) -}}
{{- $client := dict "clientId" .Values.keycloak.clientId "enabled" true "publicClient" true "standardFlowEnabled" true "directAccessGrantsEnabled" false "redirectUris" (list (printf "%s/*" $frontend)) "webOrigins" (list $frontend) "attributes" (dict "pkce.code.challenge.method" "S256" "post.logout.redirect.uris" (printf "%s/*" $frontend)) -}}
{{- dict "realm" .Values.keycloak.realm "enabled" true "sslRequired" (ternary "external" "none" (eq .Values.publicRouting.scheme "https")) "registrationAllowed" false "clients" (list $client) | toPrettyJson -}}
{{- end -}}
`;

const KEYCLOAK_ENV = `env:
${indent(secretEnv('KC_BOOTSTRAP_ADMIN_USERNAME', keycloakSecret, SECRET_KEYS.keycloak.adminUser), 2)}
${indent(secretEnv('KC_BOOTSTRAP_ADMIN_PASSWORD', keycloakSecret, SECRET_KEYS.keycloak.adminPassword), 2)}
  - name: KC_HTTP_ENABLED
    value: "true"
  - name: KC_HTTP_PORT
    value: "${KEYCLOAK_HTTP_PORT}"
  - name: KC_HEALTH_ENABLED
    value: "true"
  - name: KC_METRICS_ENABLED
    value: "true"
  - name: KC_PROXY_HEADERS
    value: xforwarded
  - name: KC_HOSTNAME
    value: {{ printf "%s://%s" .Values.publicRouting.scheme (include "aileron.host" (list $ .Values.publicRouting.keycloakHost)) | quote }}
{{- $env := .Values.keycloak.env }}
{{- if .Values.postgres.enabled }}
  - name: KC_DB
    value: postgres
  - name: KC_DB_URL
    value: "jdbc:postgresql://{{ include "aileron.serviceHost" (list $ "postgres") }}:${POSTGRES_PORT}/{{ .Values.postgres.auth.keycloakDatabase }}"
  - name: KC_DB_USERNAME
    value: {{ .Values.postgres.auth.username | quote }}
${indent(secretEnv('KC_DB_PASSWORD', postgresSecret, SECRET_KEYS.postgres.password), 2)}
{{- else if not (hasKey $env "KC_DB") }}
  - name: KC_DB
    value: postgres
{{- end }}
${extraEnvTemplate(keycloakSecret)}`;

export const KEYCLOAK = `{{- if .Values.keycloak.enabled }}
{{- $data := dict "realm.json" (include "aileron.realmJson" $) }}
---
apiVersion: v1
kind: ConfigMap
metadata:
{{ include "aileron.metadata" (list $ "keycloak" (include "aileron.name" (list $ "keycloak-realm"))) | indent 2 }}
data:
  realm.json: |-
{{ get $data "realm.json" | indent 4 }}
${deploymentTemplate({
  component: 'keycloak',
  values: '.Values.keycloak',
  replicas: '.Values.keycloak.replicaCount',
  uid: 1000,
  fsGroup: 1000,
  checksums: { realm: '$data | toJson | sha256sum' },
  containers: [
    containerTemplate({
      name: 'keycloak',
      values: '.Values.keycloak',
      readOnlyRootFilesystem: false,
      body: [
        'args:\n  - start\n  - --import-realm',
        `ports:\n  - containerPort: ${KEYCLOAK_HTTP_PORT}\n    name: http\n  - containerPort: ${KEYCLOAK_MANAGEMENT_PORT}\n    name: management`,
        KEYCLOAK_ENV,
        'volumeMounts:\n  - mountPath: /opt/keycloak/data\n    name: data\n  - mountPath: /opt/keycloak/data/import\n    name: realm\n    readOnly: true\n  - mountPath: /tmp\n    name: tmp',
        httpProbe('readinessProbe', '/health/ready', 'management'),
        httpProbe('livenessProbe', '/health/live', 'management', 20),
        httpProbe('startupProbe', '/health/started', 'management', 5, 60),
      ].join('\n'),
    }),
  ],
  volumes: `volumes:\n${indent(emptyDir('data', '512Mi'), 2)}\n  - configMap:\n      name: {{ include "aileron.name" (list $ "keycloak-realm") }}\n    name: realm\n${indent(emptyDir('tmp', '256Mi'), 2)}`,
})}${serviceTemplate({ component: 'keycloak', settings: '.Values.keycloak.service', ports: `${port('http', '{{ .Values.keycloak.service.port }}')}\n${port('management', KEYCLOAK_MANAGEMENT_PORT)}` })}{{- end }}
`;

const turnScript = coturnScript({
  port: '{{ .Values.coturn.port }}',
  host: '{{ .Values.coturn.host }}',
  externalIp: '{{ .Values.coturn.externalIp | default .Values.coturn.host }}',
  realm: '{{ .Values.coturn.realm }}',
  minRelayPort: '{{ .Values.coturn.minRelayPort }}',
  maxRelayPort: '{{ .Values.coturn.maxRelayPort }}',
});

export const COTURN = `{{- if .Values.coturn.enabled }}
${deploymentTemplate({
  component: 'coturn',
  values: '.Values.coturn',
  uid: 65534,
  hostNetwork: true,
  recreate: true,
  containers: [
    containerTemplate({
      name: 'coturn',
      values: '.Values.coturn',
      body: [
        `command:\n  - /bin/sh\n  - -c\n  ${scriptItem(turnScript)}`,
        'ports:\n  - containerPort: {{ .Values.coturn.port }}\n    name: turn-udp\n    protocol: UDP\n  - containerPort: {{ .Values.coturn.port }}\n    name: turn-tcp\n    protocol: TCP',
        `env:\n${indent(secretEnv('TURN_USERNAME', coturnSecret, SECRET_KEYS.coturn.username), 2)}\n${indent(secretEnv('TURN_CREDENTIAL', coturnSecret, SECRET_KEYS.coturn.credential), 2)}\n${plainEnvLines('$.Values.coturn')}`,
        'volumeMounts:\n  - mountPath: /tmp\n    name: tmp',
        tcpProbe('readinessProbe', '{{ .Values.coturn.port }}'),
        execProbe('livenessProbe', ['turnutils_stunclient', '-p', '{{ .Values.coturn.port }}', '127.0.0.1'], 20),
      ].join('\n'),
    }),
  ],
  volumes: `volumes:\n${indent(emptyDir('tmp'), 2)}`,
})}${serviceTemplate({
  component: 'coturn',
  type: 'NodePort',
  ports: `${port('turn-udp', '{{ .Values.coturn.port }}', 'UDP', '\n  nodePort: {{ .Values.coturn.nodePort }}')}\n${port('turn-tcp', '{{ .Values.coturn.port }}', 'TCP', '\n  nodePort: {{ .Values.coturn.nodePort }}')}`,
})}{{- end }}
`;

const pgReady = ['/bin/sh', '-c', 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1'];

export const POSTGRES = `{{- if .Values.postgres.enabled }}
${statefulSetTemplate({
  component: 'postgres',
  values: '.Values.postgres',
  persistence: '.Values.postgres.persistence',
  uid: 999,
  fsGroup: 999,
  containers: [
    containerTemplate({
      name: 'postgres',
      values: '.Values.postgres',
      body: [
        `ports:\n  - containerPort: ${POSTGRES_PORT}\n    name: postgres`,
        `env:\n  - name: POSTGRES_USER\n    value: {{ .Values.postgres.auth.username | quote }}\n  - name: POSTGRES_DB\n    value: {{ .Values.postgres.auth.appDatabase | quote }}\n${indent(secretEnv('POSTGRES_PASSWORD', postgresSecret, SECRET_KEYS.postgres.password), 2)}\n  - name: PGDATA\n    value: /var/lib/postgresql/data/pgdata\n${plainEnvLines('$.Values.postgres')}`,
        'volumeMounts:\n  - mountPath: /var/lib/postgresql/data\n    name: data\n  - mountPath: /var/run/postgresql\n    name: run\n  - mountPath: /tmp\n    name: tmp',
        execProbe('readinessProbe', pgReady),
        tcpProbe('livenessProbe', POSTGRES_PORT, 20, 6),
      ].join('\n'),
    }),
  ],
  volumes: `volumes:\n{{- if not .Values.postgres.persistence.enabled }}\n${indent(emptyDir('data', '{{ .Values.postgres.persistence.size }}'), 2)}\n{{- end }}\n${indent(emptyDir('run'), 2)}\n${indent(emptyDir('tmp'), 2)}`,
})}${serviceTemplate({ component: 'postgres', ports: port('postgres', POSTGRES_PORT) })}${serviceTemplate({
  component: 'postgres',
  nameExpr: '(printf "%s-headless" (include "aileron.name" (list $ "postgres")))',
  headless: true,
  ports: port('postgres', POSTGRES_PORT),
})}---
apiVersion: batch/v1
kind: Job
metadata:
{{ include "aileron.metadata" (list $ "postgres-bootstrap" (include "aileron.name" (list $ "postgres-bootstrap"))) | indent 2 }}
spec:
  backoffLimit: 10
  template:
    metadata:
      labels:
{{ include "aileron.labels" (list $ "postgres-bootstrap") | indent 8 }}
    spec:
${indent(
  `{{ include "aileron.podCommon" (dict "root" $ "settings" .Values.postgres "uid" 999 "fsGroup" 0 "serviceAccount" "" "affinity" (.Values.postgres.affinity | default dict)) | indent 0 }}
restartPolicy: OnFailure
containers:
${indent(
  containerTemplate({
    name: 'bootstrap',
    values: '.Values.postgres',
    resources: 'limits:\n  cpu: 200m\n  memory: 128Mi\nrequests:\n  cpu: 50m\n  memory: 64Mi',
    body: [
      `command:\n  - /bin/sh\n  - -ec\n  ${scriptItem(bootstrapScript('{{ .Values.postgres.auth.keycloakDatabase }}'))}`,
      `env:\n  - name: PGHOST\n    value: {{ include "aileron.serviceHost" (list $ "postgres") }}\n  - name: PGPORT\n    value: "${POSTGRES_PORT}"\n  - name: PGUSER\n    value: {{ .Values.postgres.auth.username | quote }}\n  - name: PGDATABASE\n    value: {{ .Values.postgres.auth.appDatabase | quote }}\n${indent(secretEnv('PGPASSWORD', postgresSecret, SECRET_KEYS.postgres.password), 2)}`,
    ].join('\n'),
  }),
  2,
)}`,
  6,
)}
{{- end }}
`;

const redisPing = ['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'];

export const REDIS = `{{- if .Values.redis.enabled }}
{{- $appendonly := ternary "yes" "no" .Values.redis.persistence.enabled }}
${statefulSetTemplate({
  component: 'redis',
  values: '.Values.redis',
  persistence: '.Values.redis.persistence',
  uid: 999,
  fsGroup: 999,
  containers: [
    containerTemplate({
      name: 'redis',
      values: '.Values.redis',
      body: [
        `command:\n  - /bin/sh\n  - -c\n  ${scriptItem(redisCommand('{{ $appendonly }}'))}`,
        `ports:\n  - containerPort: ${REDIS_PORT}\n    name: redis`,
        `env:\n${indent(secretEnv('REDIS_PASSWORD', redisSecret, SECRET_KEYS.redis.password), 2)}\n${indent(secretEnv('REDISCLI_AUTH', redisSecret, SECRET_KEYS.redis.password), 2)}\n${plainEnvLines('$.Values.redis')}`,
        'volumeMounts:\n  - mountPath: /data\n    name: data',
        execProbe('readinessProbe', redisPing),
        tcpProbe('livenessProbe', REDIS_PORT, 20),
      ].join('\n'),
    }),
  ],
  volumes: `{{- if not .Values.redis.persistence.enabled }}\nvolumes:\n${indent(emptyDir('data', '{{ .Values.redis.persistence.size }}'), 2)}\n{{- end }}`,
})}${serviceTemplate({ component: 'redis', ports: port('redis', REDIS_PORT) })}${serviceTemplate({
  component: 'redis',
  nameExpr: '(printf "%s-headless" (include "aileron.name" (list $ "redis")))',
  headless: true,
  ports: port('redis', REDIS_PORT),
})}{{- end }}
`;
