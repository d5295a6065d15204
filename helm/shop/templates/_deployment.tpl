{{/* One Deployment per process; called with (dict "root" $ "component" "api"|"worker"). */}}
{{- define "shop.deployment" -}}
{{- $root := .root -}}
{{- $name := .component -}}
{{- $values := index $root.Values $name -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" $root }}-{{ $name }}
  labels:
    {{- include "shop.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $name }}
spec:
  {{- if not $values.autoscaling.enabled }}
  replicas: {{ $values.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "shop.selector" $root | nindent 6 }}
      app.kubernetes.io/component: {{ $name }}
  template:
    metadata:
      labels:
        {{- include "shop.selector" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $name }}
      annotations:
        # A changed setting rolls the pods.
        checksum/config: {{ toJson $root.Values.config | sha256sum }}
        checksum/secrets: {{ toJson $root.Values.secrets | sha256sum }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets: {{ toJson . }}
      {{- end }}
      securityContext: {{ toJson $root.Values.podSecurityContext }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      containers:
        - name: {{ $name }}
          image: {{ include "shop.image" $root }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          {{- if eq $name "worker" }}
          command: ["node", "dist/worker.js"]
          {{- else }}
          command: ["node", "dist/main.js"]
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $values.port }}
              protocol: TCP
            {{- with $root.Values.config.METRICS_PORT }}
            # /metrics only here (METRICS_PORT), for Prometheus; the Ingress never routes to it.
            - name: metrics
              containerPort: {{ . }}
              protocol: TCP
            {{- end }}
          envFrom:
            {{- include "shop.envFrom" $root | nindent 12 }}
          env:
            {{- if eq $name "worker" }}
            - name: WORKER_PORT
              value: {{ $values.port | quote }}
            {{- else }}
            - name: PORT
              value: {{ $values.port | quote }}
            # The worker Deployment processes the queues.
            - name: RUN_WORKERS
              value: "false"
            {{- end }}
            - name: OTEL_SERVICE_NAME
              value: {{ printf "shop-%s" $name | quote }}
            {{- with $values.nodeOptions }}
            - name: NODE_OPTIONS
              value: {{ . | quote }}
            {{- end }}
            {{- include "shop.commonEnv" $root | nindent 12 }}
          startupProbe:
            httpGet: { path: /health/live, port: http }
            periodSeconds: 2
            failureThreshold: 30
          livenessProbe:
            httpGet: { path: /health/live, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          readinessProbe:
            httpGet: { path: /health/ready, port: http }
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          {{- if $values.preStopSeconds }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", {{ $values.preStopSeconds | quote }}]
          {{- end }}
          resources: {{ toJson $values.resources }}
          securityContext: {{ toJson $root.Values.securityContext }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- include "shop.redisTlsMount" $root | nindent 12 }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- include "shop.redisTlsVolume" $root | nindent 8 }}
      {{- with $values.nodeSelector }}
      nodeSelector: {{ toJson . }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations: {{ toJson . }}
      {{- end }}
      {{- with $values.affinity }}
      affinity: {{ toJson . }}
      {{- end }}
      {{- with $values.topologySpread }}
      # Replicas spread over zones and nodes, so one failure takes few of them.
      topologySpreadConstraints:
        {{- range . }}
        - maxSkew: {{ .maxSkew }}
          topologyKey: {{ .topologyKey }}
          whenUnsatisfiable: {{ .whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "shop.selector" $root | nindent 14 }}
              app.kubernetes.io/component: {{ $name }}
        {{- end }}
      {{- end }}
{{- end -}}
