import { describe, expect, it } from 'vitest';
import { readYaml, renderChart, REQUIRED_SECRETS, type Manifest } from './delivery-support.js';
import { validateManifest } from './kubernetes-schemas.js';

type Values = Record<string, unknown>;
const production = readYaml<Values>('helm/shop/values-production.yaml');

/** The chart as it is installed: its defaults, every option on, and the production example. */
const renderings: [string, Values][] = [
  ['defaults', REQUIRED_SECRETS],
  [
    'every option',
    {
      ...REQUIRED_SECRETS,
      config: { METRICS_PORT: '9464', DOCS_ENABLED: 'true' },
      ingress: { enabled: true, className: 'nginx', tls: [{ secretName: 't', hosts: ['x'] }] },
      networkPolicy: { enabled: true },
      serviceMonitor: { enabled: true },
      prometheusRule: { enabled: true },
      grafanaDashboard: { enabled: true },
      tracing: { endpoint: 'http://collector:4318' },
      worker: { autoscaling: { enabled: true }, pdb: { enabled: true } },
      extraEnv: [{ name: 'EXTRA', value: 'x' }],
    },
  ],
  ['values-production.yaml', production],
  [
    'fixed replicas',
    { ...production, api: { ...(production.api as object), autoscaling: { enabled: false } } },
  ],
];

describe('every rendered manifest, against the Kubernetes and Prometheus Operator schemas', () => {
  it.each(renderings)('validates with %s', (_name, values) => {
    const manifests = renderChart(values);
    expect(manifests.length).toBeGreaterThan(8);
    for (const manifest of manifests)
      expect(() => {
        validateManifest(manifest);
      }).not.toThrow();
  });

  it('covers every kind the chart renders, the CRDs included', () => {
    const kinds = new Set(
      renderings.flatMap(([, values]) => renderChart(values).map((m) => m.kind)),
    );
    expect([...kinds].sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Ingress',
        'Job',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PrometheusRule',
        'Secret',
        'Service',
        'ServiceMonitor',
      ].sort(),
    );
  });
});

describe('the validation', () => {
  const manifests = renderChart(renderings[1]![1]);
  const one = (kind: string): Manifest => structuredClone(manifests.find((m) => m.kind === kind)!);

  it.each([
    [
      'a Deployment with replicas as text',
      () => {
        const d = one('Deployment');
        (d.spec as { replicas: unknown }).replicas = 'three';
        return d;
      },
      /replicas must be integer/,
    ],
    [
      'a Deployment whose pod has no containers',
      () => {
        const d = one('Deployment');
        const pod = (d.spec as { template: { spec: Record<string, unknown> } }).template.spec;
        pod.contianers = pod.containers;
        delete pod.containers;
        return d;
      },
      /must have required property containers/,
    ],
    [
      'a Service port that is not a number',
      () => {
        const s = one('Service');
        (s.spec as { ports: { port: unknown }[] }).ports[0]!.port = 'eighty';
        return s;
      },
      /port must be integer/,
    ],
    [
      'an HPA with an unknown metric source',
      () => {
        const h = one('HorizontalPodAutoscaler');
        (h.spec as { metrics: { type: string }[] }).metrics[0]!.type = 7 as unknown as string;
        return h;
      },
      /type must be string/,
    ],
    [
      'a PrometheusRule group without a name',
      () => {
        const r = one('PrometheusRule');
        delete (r.spec as { groups: { name?: string }[] }).groups[0]!.name;
        return r;
      },
      /must have required property name/,
    ],
    [
      'a ServiceMonitor whose endpoints are not a list',
      () => {
        const m = one('ServiceMonitor');
        (m.spec as { endpoints: unknown }).endpoints = { port: 'metrics' };
        return m;
      },
      /endpoints must be array/,
    ],
    [
      'a kind it has no schema for',
      () => ({ ...one('ConfigMap'), kind: 'ConfigMapp' }),
      /no schema for v1\/ConfigMapp/,
    ],
  ])('fails on %s', (_name, broken, message) => {
    expect(() => {
      validateManifest(broken());
    }).toThrow(message);
  });
});
