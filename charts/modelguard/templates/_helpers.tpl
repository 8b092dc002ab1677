{{/*
Chart name, truncated to the 63 characters of a DNS label.
*/}}
{{- define "modelguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name if it already contains the chart name, else <release>-<chart>.
`helm install modelguard` therefore names the Service `modelguard`.
*/}}
{{- define "modelguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "modelguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "modelguard.labels" -}}
helm.sh/chart: {{ include "modelguard.chart" . }}
{{ include "modelguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: modelguard
{{- end }}

{{/*
Selector labels (immutable on the Deployment: keep them minimal).
*/}}
{{- define "modelguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/*
Name of the ServiceAccount to use.
*/}}
{{- define "modelguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modelguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference: digest wins over tag; the tag defaults to the appVersion.
*/}}
{{- define "modelguard.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Leader election: on when asked, and always with more than one replica.
*/}}
{{- define "modelguard.leaderElect" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{- end }}
{{- end }}

{{/*
Base URL of the filter module served by the operator's own Service in the release namespace.
*/}}
{{- define "modelguard.wasmBaseUrl" -}}
{{- printf "http://%s.%s.svc.cluster.local:%d/wasm" (include "modelguard.fullname" .) .Release.Namespace (int .Values.metrics.port) }}
{{- end }}

{{/*
The module URL the WasmPlugins point to: wasm.url, else <service base URL>/<sha256>.wasm when
the sha256 is known. Empty means the operator's built-in default
(http://modelguard.modelguard-system.svc.cluster.local:8080/wasm/<sha256>.wasm).
*/}}
{{- define "modelguard.wasmUrl" -}}
{{- if .Values.wasm.url }}
{{- .Values.wasm.url }}
{{- else if .Values.wasm.sha256 }}
{{- printf "%s/%s.wasm" (include "modelguard.wasmBaseUrl" .) .Values.wasm.sha256 }}
{{- end }}
{{- end }}

{{/*
Labels of one component other than the operator: the common labels with its own component, so
the operator's Service selector (component: operator) never matches it.
Call with (dict "root" $ "component" "ratelimit").
*/}}
{{- define "modelguard.componentLabels" -}}
helm.sh/chart: {{ include "modelguard.chart" .root }}
{{ include "modelguard.componentSelectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: modelguard
{{- end }}

{{/*
Selector labels of one component other than the operator (see modelguard.componentLabels).
*/}}
{{- define "modelguard.componentSelectorLabels" -}}
app.kubernetes.io/name: {{ include "modelguard.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Envoy's ratelimit service. Its Service is <fullname>-ratelimit, so release "modelguard" in
namespace "modelguard-system" answers at the policies' default address
modelguard-ratelimit.modelguard-system.svc.cluster.local:8081.
*/}}
{{- define "modelguard.ratelimit.fullname" -}}
{{- printf "%s-ratelimit" (include "modelguard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The one ConfigMap of descriptors the operator keeps for the ratelimit service (one key per policy).
*/}}
{{- define "modelguard.ratelimit.configMapName" -}}
{{- printf "%s-ratelimit-config" (include "modelguard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "modelguard.redis.fullname" -}}
{{- printf "%s-redis" (include "modelguard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
host:port of the Redis the ratelimit service counts in: ratelimit.redis.url, else the chart's own.
*/}}
{{- define "modelguard.redis.url" -}}
{{- if .Values.ratelimit.redis.url }}
{{- .Values.ratelimit.redis.url }}
{{- else }}
{{- printf "%s.%s.svc.cluster.local:%d" (include "modelguard.redis.fullname" .) .Release.Namespace (int .Values.ratelimit.redis.port) }}
{{- end }}
{{- end }}

{{/*
An image reference from {repository, tag, digest}: the digest wins over the tag.
*/}}
{{- define "modelguard.imageRef" -}}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}

{{/*
The Prometheus job label of the operator's metrics: the ServiceMonitor names it after the Service.
*/}}
{{- define "modelguard.metricsJob" -}}
{{- default (include "modelguard.fullname" .) .Values.prometheusRule.operatorJob }}
{{- end }}

{{/*
The Secret holding the key report tokens are derived from: the user's, or the chart's own.
*/}}
{{- define "modelguard.detector.secretName" -}}
{{- default (printf "%s-detector" (include "modelguard.fullname" .) | trunc 63 | trimSuffix "-") .Values.detector.existingSecret }}
{{- end }}

{{/*
The Service sidecars send traffic reports to: with leader election it selects only the Pod the
leader labelled (modelguard.dev/leader=true), so every report reaches the replica that acts.
*/}}
{{- define "modelguard.detector.serviceName" -}}
{{- printf "%s-detector" (include "modelguard.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
