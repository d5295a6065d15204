{{- define "shop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shop.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "shop.labels" -}}
app.kubernetes.io/name: {{ include "shop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "shop.selector" -}}
app.kubernetes.io/name: {{ include "shop.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "shop.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}

{{- define "shop.secretName" -}}
{{- default (printf "%s-secrets" (include "shop.fullname" .)) .Values.existingSecret -}}
{{- end -}}

{{/* Settings every process reads, after envFrom; explicit entries win over the ConfigMap. */}}
{{- define "shop.commonEnv" -}}
- name: MIGRATIONS_RUN
  value: "false"
{{- if .Values.tracing.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.tracing.endpoint | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ .Values.tracing.sampler | quote }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.tracing.samplerArg | quote }}
{{- end }}
{{- range .Values.extraEnv }}
- {{ toJson . }}
{{- end }}
{{- end -}}

{{- define "shop.envFrom" -}}
- configMapRef:
    name: {{ include "shop.fullname" . }}-config
- secretRef:
    name: {{ include "shop.secretName" . }}
{{- end -}}

{{/* "true" when config.DOCS_ENABLED turns Swagger on (the app's own reading of a boolean). */}}
{{- define "shop.docsEnabled" -}}
{{- if has (lower (toString .Values.config.DOCS_ENABLED)) (list "true" "1" "yes" "on") -}}
true
{{- end -}}
{{- end -}}

{{/* The Service port Prometheus scrapes: "metrics" when config.METRICS_PORT is set. */}}
{{- define "shop.metricsPortName" -}}
{{- if .Values.config.METRICS_PORT -}}metrics{{- else -}}http{{- end -}}
{{- end -}}

{{/* The Redis TLS files (redisTls.secretName), read-only, in every pod that reads the settings. */}}
{{- define "shop.redisTlsMount" -}}
{{- if .Values.redisTls.secretName }}
- name: redis-tls
  mountPath: {{ .Values.redisTls.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "shop.redisTlsVolume" -}}
{{- if .Values.redisTls.secretName }}
- name: redis-tls
  secret:
    secretName: {{ .Values.redisTls.secretName }}
{{- end }}
{{- end -}}
