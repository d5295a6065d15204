import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHART = path.join(ROOT, 'helm/shop');

export const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
/** YAML with merge keys (`<<: *anchor`), as Compose reads it. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the shape they expect
export const readYaml = <T = Record<string, unknown>>(file: string): T =>
  parse(read(file), { merge: true }) as T;

/** Every variable the app's configuration schema declares, from its source. */
export function appEnvironmentVariables(): string[] {
  const source = read('src/config/env.schema.ts');
  return [...source.matchAll(/^ {2}([A-Z][A-Z0-9_]+)[?!]?(?::| =)/gm)].map((m) => m[1]!);
}

/** The defaults the schema gives, e.g. PORT = 3000. */
export function appDefault(name: string): string {
  const match = new RegExp(`^ {2}${name}[?!]?(?::[^=]+)? = '?([^';]+)'?;`, 'm').exec(
    read('src/config/env.schema.ts'),
  );
  if (!match) throw new Error(`no default for ${name} in env.schema.ts`);
  return match[1]!.replace(/_/g, '');
}

/** The health routes the app serves, from the controller's decorators. */
export function healthRoutes(): { live: string; ready: string } {
  const source = read('src/modules/health/health.controller.ts');
  const base = /@Controller\('([^']+)'\)/.exec(source)?.[1];
  const route = (name: string) => {
    if (!new RegExp(`@Get\\('${name}'\\)`).test(source)) throw new Error(`no ${name} route`);
    return `/${base}/${name}`;
  };
  return { live: route('live'), ready: route('ready') };
}

/** The metric names the app itself defines (prom-client's nodejs_/process_ ones come on top). */
export function appMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const file of [
    'src/infra/metrics/metric-names.ts',
    'src/infra/mail/mail-transport.ts',
    'src/modules/payments/payment-metrics.ts',
  ]) {
    for (const m of read(file).matchAll(/[:=] '([a-z_]+)'/g)) names.add(m[1]!);
  }
  return names;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  source: string;
}

let renderer: string | undefined;

/** Builds test/delivery/helm-render (Go's text/template with the chart's Helm functions). */
function helmRender(): string {
  if (renderer) return renderer;
  const binary = path.join(mkdtempSync(path.join(tmpdir(), 'helm-render-')), 'helm-render');
  try {
    execFileSync('go', ['build', '-o', binary, 'main.go'], {
      cwd: path.join(ROOT, 'test/delivery/helm-render'),
      env: { ...process.env, GO111MODULE: 'off', GOFLAGS: '' },
      stdio: 'pipe',
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new Error('Go is not installed: apt-get install golang-go (.ci/run does)', {
        cause: error,
      });
    }
    throw error;
  }
  renderer = binary;
  return binary;
}

type Values = Record<string, unknown>;

function merge(base: Values, overrides: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object'
        ? merge(current as Values, value as Values)
        : value;
  }
  return out;
}

/** What `helm template shop helm/shop --set ...` would give: every manifest, parsed. */
export function renderChart(overrides: Values = {}): Manifest[] {
  const chart = parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as Values;
  const values = merge(
    parse(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as Values,
    overrides,
  );
  const out = execFileSync(helmRender(), {
    input: JSON.stringify({
      chartDir: CHART,
      values,
      chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
      release: { Name: 'shop', Namespace: 'shop', Service: 'Helm' },
    }),
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
  const manifests: Manifest[] = [];
  for (const chunk of out.split(/^---\n(?=# Source: )/m)) {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1];
    if (!source) continue;
    for (const doc of parseAllDocuments(chunk)) {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}\n${chunk}`);
      const manifest = doc.toJS() as Manifest | null;
      if (manifest) manifests.push({ ...manifest, source });
    }
  }
  return manifests;
}

export const REQUIRED_SECRETS = {
  secrets: { DATABASE_URL: 'postgres://shop:pw@db:5432/shop', REDIS_URL: 'redis://cache:6379/0' },
};
