{{/* The pipeline stages, in flow order; each gets a Deployment, a PDB and optionally a ScaledObject. */}}
{{- define "tamis.stages" -}}
ocr classify extract route
{{- end -}}

{{- define "tamis.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tamis.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "tamis.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tamis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tamis.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tamis.labels" -}}
helm.sh/chart: {{ include "tamis.chart" . }}
{{ include "tamis.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tamis
{{- end -}}

{{/* Labels of one stage's pods: ctx is the root context, stage the stage name. */}}
{{- define "tamis.stageSelectorLabels" -}}
{{ include "tamis.selectorLabels" .ctx }}
app.kubernetes.io/component: worker
tamis.io/stage: {{ .stage }}
{{- end -}}

{{- define "tamis.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tamis.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tamis.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "tamis.brokerSecretName" -}}
{{- default (printf "%s-broker" (include "tamis.fullname" .)) .Values.broker.existingSecret -}}
{{- end -}}

{{- define "tamis.blobClaimName" -}}
{{- default (printf "%s-blobs" (include "tamis.fullname" .)) .Values.blobStore.persistence.existingClaim -}}
{{- end -}}

{{/* Queue consumed by a stage, as shared/src/topology.rs names it. */}}
{{- define "tamis.queue" -}}
{{- printf "%s.%s" .ctx.Values.broker.prefix .stage -}}
{{- end -}}

{{/* Pod annotations that roll the pods when the configuration or chart-managed credentials change. */}}
{{- define "tamis.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.broker.existingSecret }}
checksum/broker: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end -}}

{{/* Environment shared by every Tamis container. */}}
{{- define "tamis.env" -}}
- name: TAMIS_AMQP_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "tamis.brokerSecretName" . }}
      key: {{ .Values.broker.urlKey }}
- name: TAMIS_AMQP_PREFIX
  value: {{ .Values.broker.prefix | quote }}
{{- if eq .Values.blobStore.type "s3" }}
{{- $s3 := .Values.blobStore.s3 }}
- name: TAMIS_BLOB_URL
  value: {{ printf "s3://%s/%s" $s3.bucket (trimAll "/" $s3.prefix) | trimSuffix "/" | quote }}
- name: AWS_REGION
  value: {{ $s3.region | quote }}
{{- with $s3.endpoint }}
- name: AWS_ENDPOINT_URL
  value: {{ . | quote }}
{{- end }}
{{- if $s3.virtualHostedStyle }}
- name: AWS_VIRTUAL_HOSTED_STYLE_REQUEST
  value: "true"
{{- end }}
{{- if $s3.allowHttp }}
- name: AWS_ALLOW_HTTP
  value: "true"
{{- end }}
{{- with $s3.existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $s3.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $s3.secretAccessKeyKey }}
{{- end }}
{{- else }}
- name: TAMIS_BLOB_URL
  value: {{ printf "file://%s" .Values.blobStore.mountPath | quote }}
{{- end }}
- name: TAMIS_RETENTION_DOCUMENTS_DAYS
  value: {{ .Values.retention.documentsDays | quote }}
- name: TAMIS_RETENTION_AUDIT_DAYS
  value: {{ .Values.retention.auditDays | quote }}
- name: TAMIS_TAXONOMY
  value: /etc/tamis/taxonomy.toml
- name: TAMIS_POLICY
  value: /etc/tamis/policy.toml
{{- if .Values.config.extraToml }}
- name: TAMIS_CONFIG
  value: /etc/tamis/tamis.toml
{{- end }}
{{- if .Values.twoddocTrustList.existingConfigMap }}
- name: TAMIS_2DDOC_TRUST_LIST
  value: {{ printf "/etc/tamis-2ddoc/%s" .Values.twoddocTrustList.fileName | quote }}
{{- end }}
{{- with .Values.telemetry.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_METRIC_EXPORT_INTERVAL
  value: {{ $.Values.telemetry.metricExportIntervalMs | quote }}
{{- end }}
- name: RUST_LOG
  value: {{ .Values.config.rustLog | quote }}
- name: TAMIS_LOG_FORMAT
  value: {{ .Values.config.logFormat | quote }}
# Tesseract is several times slower with OpenMP threads; the binary re-execs itself without it.
- name: OMP_THREAD_LIMIT
  value: "1"
- name: TMPDIR
  value: /tmp
{{- end -}}

{{/* Volume mounts shared by every Tamis container; blobReadOnly for the console. */}}
{{- define "tamis.volumeMounts" -}}
- name: config
  mountPath: /etc/tamis
  readOnly: true
{{- if .ctx.Values.twoddocTrustList.existingConfigMap }}
- name: twoddoc-trust
  mountPath: /etc/tamis-2ddoc
  readOnly: true
{{- end }}
{{- if eq .ctx.Values.blobStore.type "volume" }}
- name: blobs
  mountPath: {{ .ctx.Values.blobStore.mountPath }}
  {{- if .blobReadOnly }}
  readOnly: true
  {{- end }}
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{- define "tamis.volumes" -}}
- name: config
  configMap:
    name: {{ include "tamis.fullname" . }}-config
{{- if .Values.twoddocTrustList.existingConfigMap }}
- name: twoddoc-trust
  configMap:
    name: {{ .Values.twoddocTrustList.existingConfigMap }}
{{- end }}
{{- if eq .Values.blobStore.type "volume" }}
- name: blobs
  persistentVolumeClaim:
    claimName: {{ include "tamis.blobClaimName" . }}
{{- end }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.workers.tmpSizeLimit }}
{{- end -}}

{{/* The Secret holding the console's session key: the user's, or the one the chart creates. */}}
{{- define "tamis.consoleSessionSecretName" -}}
{{- .Values.console.sessionKey.existingSecret | default (printf "%s-console-session" (include "tamis.fullname" .)) -}}
{{- end -}}
