{{/* Names and labels shared by the templates. */}}

{{- define "banyan.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "banyan.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "banyan.siloSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: silo
{{- end -}}

{{- define "banyan.redisSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end -}}

{{- define "banyan.redisName" -}}
{{- printf "%s-redis" (include "banyan.fullname" .) -}}
{{- end -}}

{{/*
The silo's Silo__Cluster__RedisConnectionString variable: the chart's own Redis, a Secret's key, or the given string.
Rendering fails, naming the values to set, when Redis is neither managed by the chart nor given.
*/}}
{{- define "banyan.redisConnectionEnv" -}}
- name: Silo__Cluster__RedisConnectionString
{{- if .Values.redis.enabled }}
  value: {{ printf "%s:6379" (include "banyan.redisName" .) | quote }}
{{- else if and .Values.redis.connectionStringSecret.name .Values.redis.connectionStringSecret.key }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.connectionStringSecret.name | quote }}
      key: {{ .Values.redis.connectionStringSecret.key | quote }}
{{- else if .Values.redis.connectionString }}
  value: {{ .Values.redis.connectionString | quote }}
{{- else }}
{{- fail "redis.enabled is false: set redis.connectionString or redis.connectionStringSecret.name and .key to the Redis that holds the cluster's membership and grain state" }}
{{- end }}
{{- end -}}

{{/* terminationGracePeriodSeconds less 10 s (at least 1 s) as a TimeSpan, hh:mm:ss, for Silo:ShutdownTimeout. */}}
{{- define "banyan.shutdownTimeout" -}}
{{- $seconds := max 1 (sub (int .Values.terminationGracePeriodSeconds) 10) -}}
{{- printf "%02d:%02d:%02d" (div $seconds 3600) (mod (div $seconds 60) 60) (mod $seconds 60) -}}
{{- end -}}

{{/* listenAddress as the host of a URL: an IPv6 address in brackets. */}}
{{- define "banyan.listenHost" -}}
{{- if contains ":" .Values.listenAddress -}}
{{- printf "[%s]" .Values.listenAddress -}}
{{- else -}}
{{- .Values.listenAddress -}}
{{- end -}}
{{- end -}}
