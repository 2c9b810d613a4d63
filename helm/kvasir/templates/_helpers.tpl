{{- define "kvasir.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kvasir.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: kvasir-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kvasir.selectorLabels" -}}
app.kubernetes.io/name: kvasir-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kvasir.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kvasir.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The operator's permissions: exactly the API calls it makes (OperatorPermissionsIT checks this against the calls
recorded while the operator runs). Owned objects are never deleted by the operator; the garbage collector removes
them through owner references, so there is no delete verb.
*/}}
{{- define "kvasir.rules" -}}
- apiGroups: ["kvasir.io"]
  resources: ["kvasirclusters"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["kvasir.io"]
  resources: ["kvasirclusters/status"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "create", "update"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "create", "update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end -}}
