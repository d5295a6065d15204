import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { appMetricNames, healthRoutes, read, readYaml, ROOT } from './delivery-support.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}
const compose = readYaml<{
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}>('docker-compose.yml');

/** Every YAML file of the repository except the chart's templates (Go templates, not YAML). */
function yamlFiles(dir = ROOT): string[] {
  const skip = new Set(['node_modules', 'dist', '.git', 'templates', '.runtime', 'coverage']);
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (skip.has(name)) return [];
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

describe('every YAML file', () => {
  it('parses', () => {
    const files = yamlFiles();
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      for (const doc of parseAllDocuments(read(path.relative(ROOT, file)))) {
        expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
      }
    }
  });
});

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds in one stage and runs production dependencies only in another', () => {
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=\d+\.\d+\.\d+$/m);
    expect(dockerfile.match(/^FROM node:\$\{NODE_VERSION\}-\S+ AS \w+$/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build .*\/app\/node_modules/);
  });

  it('runs the api as a non-root user in production mode, with a liveness HEALTHCHECK', () => {
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/cli\/healthcheck.js"\]/);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main.js"\]$/m);
    expect(read('src/cli/healthcheck.ts')).toContain(healthRoutes().live);
  });

  it('keeps secrets and build output out of the context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.env', '.git']) expect(ignored).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const { services } = compose;

  it('has the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'api',
        'grafana',
        'jaeger',
        'mailpit',
        'migrate',
        'postgres',
        'prometheus',
        'redis',
        'worker',
      ].sort(),
    );
  });

  it('keeps PostgreSQL and Redis on volumes, with health checks', () => {
    for (const name of ['postgres', 'redis']) {
      expect(services[name]!.healthcheck?.test.length).toBeGreaterThan(0);
      const volume = services[name]!.volumes![0]!.split(':')[0]!;
      expect(Object.keys(compose.volumes)).toContain(volume);
    }
  });

  it('migrates once, before the api and the worker start on healthy dependencies', () => {
    expect(services.migrate!.command).toEqual(['node', 'dist/cli/migrate.js', 'run']);
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(services[name]!.environment!.MIGRATIONS_RUN).toBe('false');
      expect(services[name]!.healthcheck?.test.join(' ')).toContain('dist/cli/healthcheck.js');
    }
    expect(services.worker!.command).toEqual(['node', 'dist/worker.js']);
    expect(services.api!.ports).toContain('3000:3000');
  });

  it('takes its secrets from .env, with a committed example and .env ignored by git', () => {
    expect(services.api!.environment!.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:-.{32,}\}$/);
    expect(read('.env.example')).toMatch(/^JWT_SECRET=.{32,}$/m);
    expect(read('.gitignore').split('\n')).toContain('.env');
  });

  it('starts from a fresh clone, and its published secrets are refused in production', () => {
    const composeSecret = /^\$\{JWT_SECRET:-(.+)\}$/.exec(
      services.api!.environment!.JWT_SECRET!,
    )![1]!;
    const exampleSecret = /^JWT_SECRET=(.+)$/m.exec(read('.env.example'))![1]!;
    // Without a .env the stack runs as development, where the local default is accepted.
    expect(services.api!.environment!.NODE_ENV).toBe('${NODE_ENV:-development}');
    expect(loadConfig({ NODE_ENV: 'development', JWT_SECRET: composeSecret }).jwt.secret).toBe(
      composeSecret,
    );
    for (const secret of [composeSecret, exampleSecret]) {
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret })).toThrow(ConfigError);
    }
  });

  it('points Prometheus and Grafana at the same alert rules and dashboard as the chart', () => {
    expect(services.prometheus!.volumes).toContain(
      './helm/shop/files/alerts.yml:/etc/prometheus/alerts.yml:ro',
    );
    expect(services.grafana!.volumes).toContain(
      './helm/shop/files/dashboard.json:/var/lib/grafana/dashboards/shop.json:ro',
    );
    for (const volume of [...services.prometheus!.volumes!, ...services.grafana!.volumes!]) {
      const source = volume.split(':')[0]!;
      if (source.startsWith('./')) expect(existsSync(path.join(ROOT, source))).toBe(true);
    }
    const scrape = readYaml<{
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    }>('deploy/prometheus/prometheus.yml').scrape_configs;
    expect(scrape.map((s) => [s.job_name, s.static_configs[0]!.targets[0]])).toEqual([
      ['shop-api', 'api:3000'],
      ['shop-worker', 'worker:3001'],
    ]);
  });

  it("sends both processes' traces to Jaeger", () => {
    for (const name of ['api', 'worker']) {
      expect(services[name]!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
    }
  });
});

describe('alerts and dashboard', () => {
  const alerts = read('helm/shop/files/alerts.yml');
  const dashboard = JSON.parse(read('helm/shop/files/dashboard.json')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const known = appMetricNames();
  const exprMetrics = (expr: string) =>
    [...expr.matchAll(/\b([a-z_]+)(?=\{|\[|\)| ?[<>=])/g)]
      .map((m) => m[1]!)
      .filter((name) => name.includes('_') && !/^(histogram_quantile|clamp_min)$/.test(name));
  // What the platform measures rather than the app: cAdvisor's container series and
  // kube-state-metrics' limits (the container alerts), and Prometheus's own `up`.
  const platform = new Set([
    'up',
    'container_cpu_usage_seconds_total',
    'container_memory_working_set_bytes',
    'kube_pod_container_resource_limits',
  ]);
  const isKnown = (name: string) =>
    known.has(name.replace(/_bucket$/, '')) ||
    /^(nodejs|process)_/.test(name) ||
    platform.has(name);

  it('pass promtool check rules', () => {
    const out = execFileSync('promtool', [
      'check',
      'rules',
      path.join(ROOT, 'helm/shop/files/alerts.yml'),
    ]);
    expect(out.toString()).toMatch(/SUCCESS: 13 rules found/);
  });

  it('alert on error rate, p95 latency, a service down, queue backlog and failed jobs', () => {
    const names = [...alerts.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(names).toEqual([
      'ShopHighErrorRate',
      'ShopHighLatencyP95',
      'ShopServiceDown',
      'ShopQueueBacklog',
      'ShopJobsFailing',
      // Issue 20: saturation, the outbox, mail and the cache.
      'ShopContainerCpuHigh',
      'ShopContainerMemoryHigh',
      'ShopDatabasePoolBusy',
      'ShopDatabaseConnectionWaits',
      'ShopOutboxLag',
      'ShopMailCircuitOpen',
      'ShopCacheHitRatioLow',
      // Issue 16: payment notifications refused.
      'ShopPaymentWebhooksRejected',
    ]);
  });

  it('chart what the issue asks, from metrics the app exposes', () => {
    const titles = dashboard.panels.map((p) => p.title).join(' | ');
    for (const topic of [
      'Request rate',
      'Error rate',
      'p95 latency by route',
      'Orders created and cancelled',
      'Cache hit ratio',
      'Queue depth',
      'Failed jobs',
      'Event loop lag',
    ]) {
      expect(titles).toContain(topic);
    }
    const used = [
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => exprMetrics(t.expr))),
      ...[...alerts.matchAll(/expr: ([\s\S]+?)\n {8}for:/g)].flatMap((m) => exprMetrics(m[1]!)),
    ];
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used.filter((name) => !isKnown(name)))]).toEqual([]);
  });
});

describe('GitHub Actions', () => {
  const workflow = readYaml<{
    on: Record<string, unknown>;
    jobs: Record<
      string,
      {
        services?: Record<string, unknown>;
        steps: { run?: string; with?: Record<string, unknown> }[];
        needs?: string;
      }
    >;
  }>('.github/workflows/ci.yml');

  it('lints, builds and tests on pull requests and main against PostgreSQL and Redis', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.keys(workflow.jobs.test!.services!).sort()).toEqual(['postgres', 'redis']);
    const runs = workflow.jobs.test!.steps.map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npm run lint', 'npm run build', 'npm test']));
  });

  it('builds the image after the tests and pushes it only for version tags', () => {
    const image = workflow.jobs.image!;
    expect(image.needs).toBe('test');
    const build = image.steps.find((s) => s.with && 'push' in s.with)!;
    expect(build.with!.push).toBe("${{ startsWith(github.ref, 'refs/tags/v') }}");
  });

  it('has Dependabot watch npm, the actions and the base image', () => {
    const updates = readYaml<{ updates: { 'package-ecosystem': string }[] }>(
      '.github/dependabot.yml',
    ).updates;
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual([
      'docker',
      'github-actions',
      'npm',
    ]);
  });
});
