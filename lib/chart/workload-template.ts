/**
 * Template text for the workload shapes of lib/platform/workload.ts and
 * pod.ts: Deployment, StatefulSet, Service, ServiceAccount and a container.
 * Component templates state only their containers, volumes and ports.
 */

/**
 * Indents a block of template text by n spaces. A line that is a whole
 * `{{ ... | indent N }}` action gets its N raised instead, since the action
 * indents what it renders itself.
 */
export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => {
      const own = /^(\{\{ .* \| indent )(\d+)( \}\})$/.exec(l);
      if (own) return `${own[1]}${Number(own[2]) + n}${own[3]}`;
      return l.trim() === '' ? l : pad + l;
    })
    .join('\n');
}

export interface ContainerTemplate {
  name: string;
  /** Values path of the component, e.g. `.Values.frontend`. */
  values: string;
  /** YAML (indent 0) for ports, env, command, probes, mounts: everything but image, resources, securityContext. */
  body: string;
  readOnlyRootFilesystem?: boolean;
  /** Fixed resources instead of `<values>.resources` (the bootstrap Job). */
  resources?: string;
}

export function containerTemplate(c: ContainerTemplate): string {
  const resources = c.resources ? indent(c.resources, 4) : `{{ include "aileron.resources" ${c.values}.resources | indent 4 }}`;
  return `- name: ${c.name}
  image: "{{ ${c.values}.image.repository }}:{{ ${c.values}.image.tag }}"
  imagePullPolicy: {{ ${c.values}.image.pullPolicy }}
  resources:
${resources}
  securityContext:
{{ include "aileron.containerSecurity" ${c.readOnlyRootFilesystem ?? true} | indent 4 }}
${indent(c.body, 2)}`;
}

export interface PodTemplate {
  component: string;
  values: string;
  uid: number;
  fsGroup?: number;
  /** Template expression of the ServiceAccount name, for pods that call the API. */
  serviceAccount?: string;
  hostNetwork?: boolean;
  terminationGracePeriodSeconds?: number;
  containers: string[];
  /** The pod-level \`volumes:\` block (indent 0), with any conditions of its own. */
  volumes?: string;
  restartPolicy?: string;
  /** Extra YAML at pod-spec level. */
  extra?: string;
}

function podSpecTemplate(p: PodTemplate, affinity: string): string {
  const sa = p.serviceAccount ?? '""';
  const lines = [
    `{{ include "aileron.podCommon" (dict "root" $ "settings" ${p.values} "uid" ${p.uid} "fsGroup" ${p.fsGroup ?? 0} "serviceAccount" ${sa} "affinity" ${affinity}) | indent 0 }}`,
    p.hostNetwork ? 'hostNetwork: true\ndnsPolicy: ClusterFirstWithHostNet' : '',
    p.terminationGracePeriodSeconds ? `terminationGracePeriodSeconds: ${p.terminationGracePeriodSeconds}` : '',
    p.restartPolicy ? `restartPolicy: ${p.restartPolicy}` : '',
    p.extra ?? '',
    'containers:',
    ...p.containers.map((c) => indent(c, 2)),
    p.volumes ?? '',
  ];
  return lines.filter((l) => l !== '').join('\n');
}

/** Pod template metadata: labels, and podAnnotations with checksums (checksums win, as in synth). */
function templateMetadata(component: string, values: string, checksums: Record<string, string>): string {
  const sums = Object.entries(checksums)
    .map(([k, v]) => `"checksum/${k}" (${v})`)
    .join(' ');
  return `metadata:
  {{- $annotations := merge (dict ${sums}) (${values}.podAnnotations | default dict) }}
  {{- with $annotations }}
  annotations:
{{ toYaml . | indent 4 }}
  {{- end }}
  labels:
{{ include "aileron.labels" (list $ "${component}") | indent 4 }}`;
}

/** The affinity a workload gets (aileron.affinity), as a template expression. */
function affinityExpr(component: string, values: string, replicas: string): string {
  return `(include "aileron.affinity" (list $ "${component}" (dict "affinity" ${values}.affinity "replicas" ${replicas})) | fromYaml)`;
}

export interface DeploymentTemplate extends PodTemplate {
  checksums?: Record<string, string>;
  recreate?: boolean;
  /** Replica count expression; 1 when the component has none. */
  replicas?: string;
}

export function deploymentTemplate(d: DeploymentTemplate): string {
  const replicas = d.replicas ?? '1';
  const affinity = affinityExpr(d.component, d.values, replicas);
  return `---
apiVersion: apps/v1
kind: Deployment
metadata:
{{ include "aileron.metadata" (list $ "${d.component}" (include "aileron.name" (list $ "${d.component}"))) | indent 2 }}
spec:
  replicas: {{ int (${replicas}) }}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
{{ include "aileron.selector" (list $ "${d.component}") | indent 6 }}${d.recreate ? '\n  strategy:\n    type: Recreate' : ''}
  template:
${indent(templateMetadata(d.component, d.values, d.checksums ?? {}), 4)}
    spec:
${indent(podSpecTemplate(d, affinity), 6)}
{{ include "aileron.pdb" (list $ "${d.component}" (dict "replicas" (${replicas}))) }}
`;
}

export interface StatefulSetTemplate extends PodTemplate {
  /** Values path of the persistence settings. */
  persistence: string;
}

export function statefulSetTemplate(s: StatefulSetTemplate): string {
  const affinity = affinityExpr(s.component, s.values, '1');
  return `---
apiVersion: apps/v1
kind: StatefulSet
metadata:
{{ include "aileron.metadata" (list $ "${s.component}" (include "aileron.name" (list $ "${s.component}"))) | indent 2 }}
spec:
  replicas: 1
  serviceName: {{ include "aileron.name" (list $ "${s.component}") }}-headless
  selector:
    matchLabels:
{{ include "aileron.selector" (list $ "${s.component}") | indent 6 }}
  template:
${indent(templateMetadata(s.component, s.values, {}), 4)}
    spec:
${indent(podSpecTemplate(s, affinity), 6)}
  {{- if ${s.persistence}.enabled }}
  volumeClaimTemplates:
    - metadata:
        labels:
{{ include "aileron.selector" (list $ "${s.component}") | indent 10 }}
        name: data
      spec:
        accessModes:
          - ReadWriteOnce
        {{- with (${s.persistence}.storageClass | default $.Values.global.storageClass) }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ ${s.persistence}.size }}
  {{- end }}
`;
}

export interface ServiceTemplate {
  component: string;
  /** Go template expression of the name; `<fullname>-<component>` by default. */
  nameExpr?: string;
  type?: 'ClusterIP' | 'NodePort';
  headless?: boolean;
  /** The values of a `service` block (type and annotations), for components whose Service users shape. */
  settings?: string;
  /** YAML list items (indent 0). */
  ports: string;
}

export function serviceTemplate(s: ServiceTemplate): string {
  const name = s.nameExpr ?? `(include "aileron.name" (list $ "${s.component}"))`;
  return `---
apiVersion: v1
kind: Service
metadata:
{{ include "aileron.metadata" (list $ "${s.component}" ${name}) | indent 2 }}
${s.settings ? `{{- with ${s.settings}.annotations }}
  annotations:
{{ toYaml . | indent 4 }}
{{- end }}
` : ''}spec:
${s.headless ? '  clusterIP: None' : `  type: ${s.settings ? `{{ ${s.settings}.type }}` : (s.type ?? 'ClusterIP')}`}
  selector:
{{ include "aileron.selector" (list $ "${s.component}") | indent 4 }}
  ports:
${indent(s.ports, 4)}
`;
}

/** serviceAccount() of lib/platform/workload.ts: sets `$account` and renders the ServiceAccount unless create is false. */
export function serviceAccountTemplate(component: string, values: string): string {
  return `{{- $account := ${values}.serviceAccount.name | default (include "aileron.name" (list $ "${component}")) }}
{{- if ${values}.serviceAccount.create }}
---
apiVersion: v1
kind: ServiceAccount
automountServiceAccountToken: false
metadata:
{{ include "aileron.metadata" (list $ "${component}" $account) | indent 2 }}
{{- end }}
`;
}

/** A TCP service port targeting the container port of the same name. */
export function port(name: string, number: number | string, protocol = 'TCP', extra = ''): string {
  return `- name: ${name}\n  port: ${number}\n  protocol: ${protocol}\n  targetPort: ${name}${extra}`;
}

/** serviceAccountBinding() of lib/platform/workload.ts: `metadata` is YAML at indent 2, names are template text. */
export function bindingTemplate(o: { kind: 'RoleBinding' | 'ClusterRoleBinding'; metadata: string; role: string; account: string; accountNamespace: string }): string {
  return `---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${o.kind}
metadata:
${o.metadata}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ${o.kind === 'RoleBinding' ? 'Role' : 'ClusterRole'}
  name: ${o.role}
subjects:
  - kind: ServiceAccount
    name: ${o.account}
    namespace: ${o.accountNamespace}
`;
}
