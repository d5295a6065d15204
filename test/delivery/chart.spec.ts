import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  appDefault,
  appEnvironmentVariables,
  healthRoutes,
  read,
  readYaml,
  renderChart,
  REQUIRED_SECRETS,
  type Manifest,
} from './delivery-support.js';

interface Container {
  name: string;
  command: string[];
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string }[];
  envFrom: ({ configMapRef?: { name: string } } & { secretRef?: { name: string } })[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe: { httpGet: { path: string; port: string } };
  lifecycle?: { preStop: { exec: { command: string[] } } };
  resources: { requests: Record<string, string> };
  securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean };
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean };
  containers: Container[];
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, suffix: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(suffix));
  if (!found) throw new Error(`no ${kind} named *${suffix}`);
  return found;
};
const podOf = (deployment: Manifest) =>
  (deployment.spec as { template: { spec: PodSpec } }).template.spec;

describe('the Helm chart, rendered with its defaults', () => {
  const manifests = renderChart(REQUIRED_SECRETS);
  const values = readYaml<{
    config: Record<string, string>;
    secrets: Record<string, string>;
    api: { preStopSeconds: number };
  }>('helm/shop/values.yaml');

  it('renders the api and the worker, their Services, HPA, PDB, config, secret and the migration job', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        'ConfigMap/shop-config',
        'Deployment/shop-api',
        'Deployment/shop-worker',
        'HorizontalPodAutoscaler/shop-api',
        'Job/shop-migrate',
        'PodDisruptionBudget/shop-api',
        'Secret/shop-migrate',
        'Secret/shop-secrets',
        'Service/shop-api',
        'Service/shop-worker',
      ].sort(),
    );
  });

  it('probes the routes the app serves, on the ports it listens on', () => {
    const { live, ready } = healthRoutes();
    for (const [suffix, port] of [
      ['-api', appDefault('PORT')],
      ['-worker', appDefault('WORKER_PORT')],
    ] as const) {
      const [container] = podOf(named(manifests, 'Deployment', suffix)).containers;
      expect(container!.ports).toEqual([
        { name: 'http', containerPort: Number(port), protocol: 'TCP' },
      ]);
      expect(container!.livenessProbe.httpGet).toEqual({ path: live, port: 'http' });
      expect(container!.startupProbe.httpGet).toEqual({ path: live, port: 'http' });
      expect(container!.readinessProbe.httpGet).toEqual({ path: ready, port: 'http' });
    }
  });

  it('runs the api and the worker by their commands, each on its own port variable', () => {
    const api = podOf(named(manifests, 'Deployment', '-api')).containers[0]!;
    const worker = podOf(named(manifests, 'Deployment', '-worker')).containers[0]!;
    expect(api.command).toEqual(['node', 'dist/main.js']);
    expect(worker.command).toEqual(['node', 'dist/worker.js']);
    const env = (c: Container) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
    expect(env(api)).toMatchObject({ PORT: '3000', RUN_WORKERS: 'false', MIGRATIONS_RUN: 'false' });
    expect(env(worker)).toMatchObject({ WORKER_PORT: '3001', MIGRATIONS_RUN: 'false' });
  });

  it('gives the app time to shut down: grace period above preStop plus SHUTDOWN_TIMEOUT', () => {
    const shutdown = Number(values.config.SHUTDOWN_TIMEOUT ?? appDefault('SHUTDOWN_TIMEOUT'));
    for (const suffix of ['-api', '-worker']) {
      const pod = podOf(named(manifests, 'Deployment', suffix));
      const preStop = Number(pod.containers[0]!.lifecycle?.preStop.exec.command[1] ?? 0);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + shutdown);
    }
    expect(podOf(named(manifests, 'Deployment', '-api')).containers[0]!.lifecycle).toEqual({
      preStop: { exec: { command: ['sleep', String(values.api.preStopSeconds)] } },
    });
  });

  it('runs as non-root with a read-only root filesystem and resource requests', () => {
    for (const deployment of byKind(manifests, 'Deployment')) {
      const pod = podOf(deployment);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.containers[0]!.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(Object.keys(pod.containers[0]!.resources.requests).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('migrates in a pre-install,pre-upgrade hook job with its own settings', () => {
    const job = named(manifests, 'Job', '-migrate');
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const secret = named(manifests, 'Secret', '-migrate');
    expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(
      Number(job.metadata.annotations?.['helm.sh/hook-weight']),
    );
    const pod = (job.spec as { template: { spec: PodSpec & { restartPolicy: string } } }).template
      .spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0]!.command).toEqual(['node', 'dist/cli/migrate.js', 'run']);
    expect(pod.containers[0]!.envFrom).toEqual([{ secretRef: { name: 'shop-migrate' } }]);
    expect(pod.containers[0]!.env.map((e) => e.name)).toContain('NODE_ENV');
    expect(Buffer.from(secret.data!.DATABASE_URL!, 'base64').toString()).toBe(
      REQUIRED_SECRETS.secrets.DATABASE_URL,
    );
  });

  it('scales the api with an autoscaling/v2 HPA and keeps one pod through disruptions', () => {
    const hpa = named(manifests, 'HorizontalPodAutoscaler', '-api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'shop-api' } });
    expect(
      (named(manifests, 'Deployment', '-api').spec as { replicas?: number }).replicas,
    ).toBeUndefined();
    expect(named(manifests, 'PodDisruptionBudget', '-api').spec).toMatchObject({ minAvailable: 1 });
  });

  it('lets every variable of the app be set, and the README documents each', () => {
    const byChart = new Set(['PORT', 'WORKER_PORT', 'RUN_WORKERS', 'MIGRATIONS_RUN']);
    const settable = new Set([
      ...Object.keys(values.config),
      ...Object.keys(values.secrets),
      ...byChart,
    ]);
    const readme = read('README.md');
    const variables = appEnvironmentVariables();
    expect(variables.length).toBeGreaterThan(30);
    expect(variables.filter((name) => !settable.has(name))).toEqual([]);
    expect(variables.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('puts secret values only in the Secret, plain ones only in the ConfigMap', () => {
    const config = named(manifests, 'ConfigMap', '-config').data!;
    expect(Object.keys(config)).not.toContain('DATABASE_URL');
    expect(Object.keys(config)).not.toContain('JWT_SECRET');
    expect(config.NODE_ENV).toBe('production');
    expect(Object.keys(named(manifests, 'Secret', '-secrets').data!).sort()).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
    ]);
  });
});

describe('the Helm chart with options', () => {
  it('refuses to render without the database and Redis URLs', () => {
    expect(() => renderChart()).toThrow(/secrets.DATABASE_URL is required/);
  });

  it('uses an existing Secret instead of making one', () => {
    const manifests = renderChart({ existingSecret: 'my-shop-secrets' });
    expect(byKind(manifests, 'Secret')).toEqual([]);
    for (const deployment of byKind(manifests, 'Deployment')) {
      expect(podOf(deployment).containers[0]!.envFrom).toContainEqual({
        secretRef: { name: 'my-shop-secrets' },
      });
    }
    const job = named(manifests, 'Job', '-migrate');
    expect(
      (job.spec as { template: { spec: PodSpec } }).template.spec.containers[0]!.envFrom,
    ).toEqual([{ secretRef: { name: 'my-shop-secrets' } }]);
  });

  it('adds an Ingress to the api Service', () => {
    const manifests = renderChart({
      ...REQUIRED_SECRETS,
      ingress: {
        enabled: true,
        className: 'nginx',
        host: 'shop.test',
        tls: [{ secretName: 't', hosts: ['shop.test'] }],
      },
    });
    const ingress = named(manifests, 'Ingress', 'shop');
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(JSON.stringify(ingress.spec)).toContain('"name":"shop-api"');
    expect(ingress.spec).toMatchObject({
      ingressClassName: 'nginx',
      rules: [{ host: 'shop.test' }],
    });
  });

  it('adds the ServiceMonitor, the PrometheusRule (the same rules as Compose) and the dashboard', () => {
    const manifests = renderChart({
      ...REQUIRED_SECRETS,
      serviceMonitor: { enabled: true },
      prometheusRule: { enabled: true },
      grafanaDashboard: { enabled: true },
    });
    expect(named(manifests, 'ServiceMonitor', 'shop').spec).toMatchObject({
      endpoints: [{ port: 'http', path: '/metrics' }],
    });
    expect(named(manifests, 'PrometheusRule', 'shop').spec).toEqual(
      parse(read('helm/shop/files/alerts.yml')),
    );
    const dashboard = named(manifests, 'ConfigMap', '-dashboard');
    expect(JSON.parse(dashboard.data!['shop.json']!)).toEqual(
      JSON.parse(read('helm/shop/files/dashboard.json')),
    );
  });

  it('takes read replicas: their URLs in the Secret, the maximum lag in the ConfigMap', () => {
    const urls = 'postgres://shop:pw@replica-1:5432/shop,postgres://shop:pw@replica-2:5432/shop';
    const manifests = renderChart({
      secrets: { ...REQUIRED_SECRETS.secrets, DATABASE_REPLICA_URLS: urls },
      config: { DATABASE_REPLICA_MAX_LAG: '8' },
    });
    const secret = named(manifests, 'Secret', '-secrets').data!;
    expect(Buffer.from(secret.DATABASE_REPLICA_URLS!, 'base64').toString()).toBe(urls);
    const config = named(manifests, 'ConfigMap', '-config').data!;
    expect(config.DATABASE_REPLICA_MAX_LAG).toBe('8');
    expect(Object.keys(config)).not.toContain('DATABASE_REPLICA_URLS');
  });

  it('takes a Redis Cluster instead of REDIS_URL, and mounts the Redis TLS files in every pod', () => {
    const manifests = renderChart({
      secrets: {
        DATABASE_URL: REQUIRED_SECRETS.secrets.DATABASE_URL,
        REDIS_CLUSTER_NODES: 'rediss://:pw@node-1:6379,node-2:6379',
      },
      config: { REDIS_TLS_CA_FILE: '/etc/shop/redis-tls/ca.crt' },
      redisTls: { secretName: 'shop-redis-tls' },
    });
    const secret = named(manifests, 'Secret', '-secrets').data!;
    expect(Object.keys(secret).sort()).toEqual(['DATABASE_URL', 'REDIS_CLUSTER_NODES']);
    expect(named(manifests, 'ConfigMap', '-config').data!.REDIS_TLS_CA_FILE).toBe(
      '/etc/shop/redis-tls/ca.crt',
    );
    const job = named(manifests, 'Job', '-migrate');
    const pods = [
      podOf(named(manifests, 'Deployment', '-api')),
      podOf(named(manifests, 'Deployment', '-worker')),
      (job.spec as { template: { spec: PodSpec } }).template.spec,
    ] as (PodSpec & {
      volumes: { name: string; secret?: { secretName: string } }[];
      containers: { volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[];
    })[];
    for (const pod of pods) {
      expect(pod.volumes).toContainEqual({
        name: 'redis-tls',
        secret: { secretName: 'shop-redis-tls' },
      });
      expect(pod.containers[0]!.volumeMounts).toContainEqual({
        name: 'redis-tls',
        mountPath: '/etc/shop/redis-tls',
        readOnly: true,
      });
    }
    expect(() =>
      renderChart({ secrets: { DATABASE_URL: REQUIRED_SECRETS.secrets.DATABASE_URL } }),
    ).toThrow(/secrets.REDIS_URL is required, or secrets.REDIS_CLUSTER_NODES/);
  });

  it('exports traces when tracing.endpoint is set, and sets fixed replicas without autoscaling', () => {
    const manifests = renderChart({
      ...REQUIRED_SECRETS,
      tracing: { endpoint: 'http://collector:4318' },
      api: { autoscaling: { enabled: false }, replicas: 3 },
      extraEnv: [{ name: 'EXTRA', value: 'x' }],
    });
    expect(byKind(manifests, 'HorizontalPodAutoscaler')).toEqual([]);
    const api = named(manifests, 'Deployment', '-api');
    expect((api.spec as { replicas: number }).replicas).toBe(3);
    const env = podOf(api).containers[0]!.env;
    expect(env).toContainEqual({
      name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      value: 'http://collector:4318',
    });
    expect(env).toContainEqual({ name: 'OTEL_SERVICE_NAME', value: 'shop-api' });
    expect(env).toContainEqual({ name: 'EXTRA', value: 'x' });
  });
});
