import { describe, expect, it } from 'vitest';
import { readYaml, renderChart, REQUIRED_SECRETS, type Manifest } from './delivery-support.js';

interface Container {
  name: string;
  ports: { name: string; containerPort: number }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  topologySpreadConstraints?: {
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: { matchLabels: Record<string, string> };
  }[];
}
interface PodTemplate {
  replicas?: number;
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

const named = (manifests: Manifest[], kind: string, suffix: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(suffix));
  if (!found) throw new Error(`no ${kind} named *${suffix}`);
  return found;
};
const deployment = (manifests: Manifest[], suffix: string) =>
  named(manifests, 'Deployment', suffix).spec as unknown as PodTemplate;
const production = readYaml('helm/shop/values-production.yaml');
const withMetricsPort = { ...REQUIRED_SECRETS, config: { METRICS_PORT: '9464' } };

describe('the chart, for production', () => {
  const defaults = renderChart(REQUIRED_SECRETS);

  it('scales the api on CPU and memory, up fast and down slowly', () => {
    const hpa = named(defaults, 'HorizontalPodAutoscaler', '-api').spec as {
      metrics: { resource: { name: string; target: { averageUtilization: number } } }[];
      behavior: {
        scaleUp: { stabilizationWindowSeconds: number; policies: unknown[] };
        scaleDown: { stabilizationWindowSeconds: number; policies: unknown[] };
      };
    };
    expect(hpa.metrics.map((m) => m.resource.name)).toEqual(['cpu', 'memory']);
    for (const metric of hpa.metrics)
      expect(metric.resource.target.averageUtilization).toBeGreaterThan(0);
    expect(hpa.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(hpa.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThanOrEqual(300);
    expect(hpa.behavior.scaleUp.policies.length).toBeGreaterThan(0);
    expect(hpa.behavior.scaleDown.policies.length).toBeGreaterThan(0);
  });

  it('limits the CPU and memory of both processes (the container alerts compare with the limits)', () => {
    for (const suffix of ['-api', '-worker']) {
      const [container] = deployment(defaults, suffix).template.spec.containers;
      expect(Object.keys(container!.resources.limits).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('spreads each process over zones and nodes, by its own pod labels', () => {
    for (const suffix of ['-api', '-worker']) {
      const { template } = deployment(defaults, suffix);
      const spread = template.spec.topologySpreadConstraints ?? [];
      expect(spread.map((s) => s.topologyKey)).toContain('kubernetes.io/hostname');
      for (const constraint of spread) {
        expect(constraint.whenUnsatisfiable).toBe('ScheduleAnyway');
        expect(template.metadata.labels).toMatchObject(constraint.labelSelector.matchLabels);
      }
    }
    expect(
      deployment(defaults, '-api').template.spec.topologySpreadConstraints!.map(
        (s) => s.topologyKey,
      ),
    ).toContain('topology.kubernetes.io/zone');
  });

  it('drains with the preStop sleep, so the app itself need not wait again', () => {
    expect(named(defaults, 'ConfigMap', '-config').data!.SHUTDOWN_DRAIN_MS).toBe('0');
  });

  it('runs three api replicas in the example production values', () => {
    const manifests = renderChart(production);
    expect(
      (named(manifests, 'HorizontalPodAutoscaler', '-api').spec as { minReplicas: number })
        .minReplicas,
    ).toBe(3);
    const fixed = renderChart({
      ...production,
      api: { ...(production.api as object), autoscaling: { enabled: false } },
    });
    expect(deployment(fixed, '-api').replicas).toBe(3);
    expect(named(manifests, 'ConfigMap', '-config').data).toMatchObject({
      METRICS_PORT: '9464',
      NODE_ENV: 'production',
    });
    expect(manifests.map((m) => m.kind)).toEqual(
      expect.arrayContaining(['NetworkPolicy', 'Ingress', 'ServiceMonitor', 'PrometheusRule']),
    );
  });
});

describe('only the API at the edge', () => {
  const ingressPaths = (values: Record<string, unknown>) =>
    (
      named(renderChart({ ...values, ingress: { enabled: true } }), 'Ingress', 'shop').spec as {
        rules: {
          http: {
            paths: {
              path: string;
              pathType: string;
              backend: { service: { port: { name: string } } };
            }[];
          };
        }[];
      }
    ).rules[0]!.http.paths;

  it('routes /api only, to the http port, while the docs are off', () => {
    const paths = ingressPaths(REQUIRED_SECRETS);
    expect(paths.map((p) => [p.path, p.pathType])).toEqual([['/api', 'Prefix']]);
    expect(paths[0]!.backend.service.port.name).toBe('http');
  });

  it('adds /docs and the OpenAPI documents when DOCS_ENABLED is true, and never /metrics', () => {
    const paths = ingressPaths({
      ...withMetricsPort,
      config: { ...withMetricsPort.config, DOCS_ENABLED: 'true' },
    });
    expect(paths.map((p) => [p.path, p.pathType])).toEqual([
      ['/api', 'Prefix'],
      ['/docs', 'Prefix'],
      ['/docs-json', 'Exact'],
      ['/docs-yaml', 'Exact'],
    ]);
    for (const path of paths) expect(path.backend.service.port.name).toBe('http');
    expect(ingressPaths({ ...REQUIRED_SECRETS, config: { DOCS_ENABLED: 'false' } })).toHaveLength(
      1,
    );
  });

  it('serves /metrics on METRICS_PORT, which the Services expose and the ServiceMonitor scrapes', () => {
    const manifests = renderChart({ ...withMetricsPort, serviceMonitor: { enabled: true } });
    for (const suffix of ['-api', '-worker']) {
      const [container] = deployment(manifests, suffix).template.spec.containers;
      expect(container!.ports).toContainEqual({
        name: 'metrics',
        containerPort: 9464,
        protocol: 'TCP',
      });
      const service = named(manifests, 'Service', suffix).spec as {
        ports: { name: string; port: number; targetPort: string }[];
      };
      expect(service.ports).toContainEqual({
        name: 'metrics',
        port: 9464,
        targetPort: 'metrics',
        protocol: 'TCP',
      });
    }
    expect(named(manifests, 'ServiceMonitor', 'shop').spec).toMatchObject({
      endpoints: [{ port: 'metrics', path: '/metrics' }],
    });
  });

  it('has no NetworkPolicy unless asked', () => {
    expect(renderChart(REQUIRED_SECRETS).filter((m) => m.kind === 'NetworkPolicy')).toEqual([]);
  });

  it('admits only the ingress controller (to the api) and Prometheus (to the metrics port) when enabled', () => {
    const selectors = {
      ingressController: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'controller' } },
      },
      prometheus: {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      },
    };
    const manifests = renderChart({
      ...withMetricsPort,
      networkPolicy: { enabled: true, ...selectors },
    });
    const policy = (suffix: string) =>
      named(manifests, 'NetworkPolicy', suffix).spec as {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: { from: unknown[]; ports: { port: string }[] }[];
      };
    const prometheusRule = {
      from: [selectors.prometheus],
      ports: [{ port: 'metrics', protocol: 'TCP' }],
    };
    expect(policy('-api').policyTypes).toEqual(['Ingress']);
    expect(policy('-api').ingress).toEqual([
      { from: [selectors.ingressController], ports: [{ port: 'http', protocol: 'TCP' }] },
      prometheusRule,
    ]);
    expect(policy('-worker').ingress).toEqual([prometheusRule]);
    for (const suffix of ['-api', '-worker']) {
      expect(deployment(manifests, suffix).template.metadata.labels).toMatchObject(
        policy(suffix).podSelector.matchLabels,
      );
    }
    // Without METRICS_PORT, Prometheus scrapes the http port.
    const plain = renderChart({ ...REQUIRED_SECRETS, networkPolicy: { enabled: true } });
    expect(
      (
        named(plain, 'NetworkPolicy', '-worker').spec as {
          ingress: { ports: { port: string }[] }[];
        }
      ).ingress[0]!.ports,
    ).toEqual([{ port: 'http', protocol: 'TCP' }]);
  });
});
