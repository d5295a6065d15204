import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import type { Manifest } from './delivery-support.js';

interface Validating {
  validate(): void;
}
type Model = new (data: never) => Validating;

/**
 * The schema of every kind the chart renders: the Kubernetes OpenAPI schemas as the
 * kubernetes-models packages compile them, and the Prometheus Operator CRDs' schemas
 * (@kubernetes-models/prometheus-operator) for ServiceMonitor and PrometheusRule.
 */
const MODELS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/**
 * Validates a rendered manifest against its kind's schema; throws naming the manifest and the
 * first problems (types, required fields, enums, formats). A kind without a schema here is an
 * error too, so nothing the chart renders goes unchecked.
 */
export function validateManifest(manifest: Manifest): void {
  const { source, ...resource } = manifest;
  const key = `${resource.apiVersion}/${resource.kind}`;
  const model = MODELS[key];
  if (!model) throw new Error(`${source}: no schema for ${key}`);
  try {
    new model(structuredClone(resource) as never).validate();
  } catch (error) {
    throw new Error(`${source}: ${key} ${resource.metadata.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
