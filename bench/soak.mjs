// npm run soak: mixed traffic against the built api and worker, then heap after GC at the start
// and at the end, and the highest RSS seen, against the chart's memory limits.
//
//   node bench/soak.mjs [--minutes 10] [--seconds N (instead of minutes)] [--connections 16]
//                       [--node image|current] [--no-write]
//
// Both processes run with --expose-gc and bench/gc-on-signal.mjs, so SIGUSR2 makes them collect
// garbage; their heap (nodejs_heap_size_used_bytes) and RSS are read from /metrics. The goal: the
// heap after GC grows by no more than 10 % between the start (after a warm-up) and the end, and
// RSS stays under the chart's limits (helm/shop/values.yaml). Exits 1 when either fails.
import { randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { imageNode } from '../scripts/image-node.mjs';
import {
  freePort,
  json,
  memoryOf,
  mib,
  run,
  sleep,
  smtpSink,
  sql,
  start,
  waitFor,
} from './lib.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '' },
    connections: { type: 'string', default: '16' },
    node: { type: 'string', default: 'image' },
    'no-write': { type: 'boolean', default: false },
  },
});
const SECONDS = args.seconds ? Number(args.seconds) : Number(args.minutes) * 60;
const WARMUP = Math.min(60, Math.max(10, Math.round(SECONDS / 10)));
const CONNECTIONS = Number(args.connections);
const PRODUCTS = 2000;
const USERS = 8;
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@localhost:5432/ecommerce';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379/0';
const nonce = () => `${Date.now()}${randomBytes(3).toString('hex')}`;
const dbUrl = (name) => Object.assign(new URL(BASE_DB), { pathname: `/${name}` }).toString();
const pick = (n) => 1 + Math.floor(Math.random() * n);

/** "512Mi" in MiB. */
const limitMiB = (quantity) => {
  const [, number, unit] = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)?$/.exec(String(quantity)) ?? [];
  const factor = { Mi: 1, Gi: 1024, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20 }[unit ?? 'Mi'] ?? 1;
  return Number(number) * factor;
};

const node = args.node === 'current' ? process.execPath : await imageNode(ROOT);
const version = (await run(node, ['-p', 'process.version'], {})).trim();
const values = parse(await readFile(path.join(ROOT, 'helm/shop/values.yaml'), 'utf8'));
const limits = {
  api: limitMiB(values.api.resources.limits.memory),
  worker: limitMiB(values.worker.resources.limits.memory),
};
// The V8 flags the chart gives each process (NODE_OPTIONS), so the soak runs what a pod runs.
const flagsOf = (which) =>
  String(values[which].nodeOptions ?? '')
    .split(/\s+/)
    .filter(Boolean);

const name = `shop_soak_${nonce()}`;
const url = dbUrl(name);
const [apiPort, workerPort] = [await freePort(), await freePort()];
const apiBase = `http://127.0.0.1:${apiPort}`;
const workerBase = `http://127.0.0.1:${workerPort}`;
process.stdout.write(
  `== soak on Node ${version} (api: ${flagsOf('api').join(' ') || 'no flags'}; worker: ${flagsOf('worker').join(' ') || 'no flags'}): ${SECONDS} s of traffic after ${WARMUP} s of warm-up, database ${name}\n`,
);

await run(node, [path.join(ROOT, 'dist/cli/migrate.js'), 'run'], { DATABASE_URL: url });
await sql(
  url,
  `INSERT INTO products (name, description, price, stock, category)
   SELECT 'product ' || g, 'a sturdy thing, number ' || g, 1 + (g % 300) + 0.5, 100000000, 'cat' || (g % 20)
     FROM generate_series(1, $1::int) g`,
  [PRODUCTS],
);
const smtp = await smtpSink();
const env = {
  NODE_ENV: 'production',
  DATABASE_URL: url,
  REDIS_URL,
  REDIS_PREFIX: `soak:${nonce()}`,
  JWT_SECRET: 'soak-secret-that-is-long-enough-0123456789abcdef',
  MIGRATIONS_RUN: 'false',
  RUN_WORKERS: 'false',
  LOG_LEVEL: 'info',
  SMTP_URL: smtp.url,
  RATE_LIMIT_REQUESTS: '1000000000',
  AUTH_RATE_LIMIT_REQUESTS: '1000000000',
  // Each customer places thousands of orders that nobody pays (the caps would refuse them).
  ORDER_MAX_PENDING_PER_USER: '0',
  ORDER_MAX_PENDING_UNITS_PER_USER: '0',
  SHUTDOWN_DRAIN_MS: '0',
};
const nodeArgs = [
  '--expose-gc',
  '--import',
  pathToFileURL(path.join(ROOT, 'bench/gc-on-signal.mjs')).href,
];
const processes = {
  api: start(
    node,
    path.join(ROOT, 'dist/main.js'),
    { ...env, PORT: String(apiPort) },
    { nodeArgs },
  ),
  worker: start(
    node,
    path.join(ROOT, 'dist/worker.js'),
    { ...env, WORKER_PORT: String(workerPort) },
    { nodeArgs },
  ),
};
const metricsOf = { api: `${apiBase}/metrics`, worker: `${workerBase}/metrics` };

/** Heap and RSS of both processes right after two full collections. */
async function afterGc() {
  for (let i = 0; i < 2; i++) {
    for (const p of Object.values(processes)) p.child.kill('SIGUSR2');
    await sleep(500);
  }
  return {
    api: await memoryOf(metricsOf.api),
    worker: await memoryOf(metricsOf.worker),
  };
}

let exitCode = 0;
try {
  await Promise.all([waitFor(`${apiBase}/health/ready`), waitFor(`${workerBase}/health/ready`)]);
  const tokens = [];
  for (let i = 0; i < USERS; i++) {
    const username = `soak${i}${randomBytes(2).toString('hex')}`;
    const post = (route, body) =>
      json(`${apiBase}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post('/api/auth/register', {
      email: `${username}@soak.example`,
      username,
      password: 'soak-password-1',
    });
    tokens.push(
      (await post('/api/auth/login', { username, password: 'soak-password-1' })).access_token,
    );
  }
  const bearer = () => ({ authorization: `Bearer ${tokens[pick(USERS) - 1]}` });
  // One pass of a connection: browse, search, order, look at the orders and the profile.
  const traffic = {
    requests: [
      {
        setupRequest: (req) => ({ ...req, method: 'GET', path: `/api/products/${pick(PRODUCTS)}` }),
      },
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: `/api/products?page=${pick(5)}&page_size=20`,
        }),
      },
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: `/api/products?search=${pick(PRODUCTS)}&sort=price&order=${pick(2) === 1 ? 'asc' : 'desc'}`,
        }),
      },
      { setupRequest: (req) => ({ ...req, method: 'GET', path: '/api/products/hot?limit=10' }) },
      {
        setupRequest: (req) => ({
          ...req,
          method: 'POST',
          path: '/api/orders',
          headers: { ...req.headers, ...bearer() },
          body: JSON.stringify({ items: [{ product_id: pick(PRODUCTS), quantity: 1 }] }),
        }),
      },
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: '/api/orders',
          headers: { ...req.headers, ...bearer() },
        }),
      },
      {
        setupRequest: (req) => ({
          ...req,
          method: 'GET',
          path: '/api/users/me',
          headers: { ...req.headers, ...bearer() },
        }),
      },
    ],
  };
  const scenario = { next: undefined, ...traffic };
  const drive = (seconds) =>
    new Promise((resolve, reject) => {
      import('autocannon').then(({ default: autocannon }) => {
        autocannon(
          {
            url: apiBase,
            connections: CONNECTIONS,
            pipelining: 1,
            duration: seconds,
            headers: { 'content-type': 'application/json' },
            requests: scenario.requests,
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        );
      }, reject);
    });

  await drive(WARMUP);
  const first = await afterGc();
  process.stdout.write(
    `after warm-up and GC: api heap ${mib(first.api.heap)} (RSS ${mib(first.api.rss)}), worker heap ${mib(first.worker.heap)} (RSS ${mib(first.worker.rss)})\n`,
  );

  const peak = { api: first.api.rss, worker: first.worker.rss };
  const atPeak = { api: first.api, worker: first.worker };
  const sampler = setInterval(() => {
    for (const which of ['api', 'worker']) {
      memoryOf(metricsOf[which]).then(
        (m) => {
          if (m.rss >= peak[which]) atPeak[which] = m;
          peak[which] = Math.max(peak[which], m.rss);
        },
        () => undefined,
      );
    }
  }, 5000);
  const result = await drive(SECONDS);
  clearInterval(sampler);
  const last = await afterGc();
  const [{ orders }] = await sql(url, 'SELECT count(*)::int AS orders FROM orders');

  const growth = (which) => (last[which].heap / first[which].heap - 1) * 100;
  const verdict = (which) => {
    const ok = growth(which) <= 10 && peak[which] < limits[which];
    if (!ok) exitCode = 1;
    return ok ? 'yes' : '**no**';
  };
  const lines = [
    `\n### ${new Date().toISOString().slice(0, 10)} · soak · Node ${version}\n`,
    `${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores; NODE_OPTIONS as the chart's: api \`${flagsOf('api').join(' ') || 'none'}\`, worker \`${flagsOf('worker').join(' ') || 'none'}\`; ${SECONDS} s of mixed traffic (detail, list, search, hot, order, order list, profile) after ${WARMUP} s of warm-up, ${CONNECTIONS} connections: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors, ${orders} orders, ${smtp.received()} mails.\n`,
    '| process | heap after GC, start | heap after GC, end | growth | peak RSS | memory limit | holds |',
    '|---|---|---|---|---|---|---|',
    ...['api', 'worker'].map(
      (which) =>
        `| ${which} | ${mib(first[which].heap)} | ${mib(last[which].heap)} | ${growth(which).toFixed(1)} % | ${mib(peak[which])} | ${mib(limits[which])} | ${verdict(which)} |`,
    ),
    '',
    `At the RSS peak: api heap ${mib(atPeak.api.heap)} used of ${mib(atPeak.api.heapTotal)}, external ${mib(atPeak.api.external)}; worker heap ${mib(atPeak.worker.heap)} of ${mib(atPeak.worker.heapTotal)}, external ${mib(atPeak.worker.external)}.`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!args['no-write']) await appendFile(path.join(ROOT, 'bench/RESULTS.md'), lines.join('\n'));
} finally {
  await Promise.all(Object.values(processes).map((p) => p.stop()));
  await smtp.stop();
  await sql(dbUrl('postgres'), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
process.exit(exitCode);
