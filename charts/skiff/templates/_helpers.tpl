{{- define "skiff.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "skiff.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "skiff.labels" -}}
app.kubernetes.io/name: {{ include "skiff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "skiff.selectorLabels" -}}
app.kubernetes.io/name: {{ include "skiff.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "skiff.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "skiff.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "skiff.secretName" -}}
{{- default (printf "%s-github" (include "skiff.fullname" .)) .Values.github.existingSecret -}}
{{- end -}}

{{- define "skiff.namespaces" -}}
{{- if .Values.watchNamespaces -}}
{{- join "," .Values.watchNamespaces -}}
{{- else -}}
{{- .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{- define "skiff.controllerName" -}}
{{- printf "%s-controller" (include "skiff.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "skiff.controllerSelectorLabels" -}}
app.kubernetes.io/name: {{ include "skiff.name" . }}-controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "skiff.controllerServiceAccountName" -}}
{{- if .Values.controller.serviceAccount.create -}}
{{- default (include "skiff.controllerName" .) .Values.controller.serviceAccount.name -}}
{{- else -}}
{{- required "controller.serviceAccount.name is required when controller.serviceAccount.create is false" .Values.controller.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- /* How skiff serve runs: cluster (runs are Workflows in the namespaces it manages) or single-machine. */ -}}
{{- define "skiff.serveEmbedsController" -}}
{{- if and .Values.serve.cluster (not .Values.controller.enabled) }}true{{ end -}}
{{- end -}}

{{- define "skiff.controllerNamespace" -}}
{{- default .Release.Namespace .Values.controller.namespace -}}
{{- end -}}

{{- /*
What a controller calls in the namespaces it drives (see controller-rbac.yaml): the rules of the
controller's Role, and of skiff serve's Role when serve drives its runs itself (embedded controller).
*/ -}}
{{- define "skiff.controllerRules" -}}
- apiGroups: [argoproj.io]
  resources: [workflows]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [argoproj.io]
  resources: [workflowtemplates]
  verbs: [get]
- apiGroups: [argoproj.io]
  resources: [cronworkflows]
  verbs: [list, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch, create, delete]
- apiGroups: [""]
  resources: [persistentvolumeclaims]
  verbs: [create, delete]
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, create, update, delete]
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
{{- if eq .Values.controller.resourceStepsAs "service-account" }}
- apiGroups: [""]
  resources: [serviceaccounts]
  verbs: [impersonate]
{{- end }}
{{- with .Values.controller.resourceRules }}
{{- toYaml . | nindent 0 }}
{{- end }}
{{- end -}}
