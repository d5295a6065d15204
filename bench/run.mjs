// npm run bench: the built api against a raw floor (bench/floor.mjs) on one seeded database.
//
//   node bench/run.mjs [--node current|image|both] [--label "text"] [--seconds 5] [--rounds 2]
//                       [--only "part of a scenario name"] [--pool 10] [--no-write]
//   node bench/run.mjs --node current --tracing     the api with tracing off and on (npm run bench:tracing)
//
// For each scenario: a warm-up of each target, then measured rounds alternating api and floor,
// no pipelining, the same connection count. Prints req/s, p50/p99 and non-2xx per target and the
// api/floor ratio, checks that no stock was oversold, and appends the table to bench/RESULTS.md.
// A worker runs beside the api (mails to a local SMTP sink); after each scenario the RSS and used
// heap of both are printed, read from their /metrics (process_resident_memory_bytes,
// nodejs_heap_size_used_bytes).
import { randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  freePort,
  json,
  load,
  memoryOf,
  mib,
  run,
  sleep,
  smtpSink,
  sql,
  start,
  summary,
  waitFor,
} from './lib.mjs';
import { imageNode } from '../scripts/image-node.mjs';
import { flashSale } from './flash-sale.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    node: { type: 'string', default: 'both' },
    label: { type: 'string', default: '' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '5' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '2' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    pool: { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
    only: { type: 'string', default: '' },
    tracing: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const CONNECTIONS = Number(args.connections);
const STOCK = 100_000_000;
const JWT_SECRET = 'bench-secret-that-is-long-enough-0123456789abcdef';
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres:postgres@localhost:5432/ecommerce';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://localhost:6379/0';

const dbUrl = (name) => {
  const url = new URL(BASE_DB);
  url.pathname = `/${name}`;
  return url.toString();
};

async function seedProducts(url, from, to) {
  await sql(
    url,
    `INSERT INTO products (name, description, price, stock, category)
     SELECT 'product ' || g, 'a sturdy thing, number ' || g || ' of the catalogue', 1 + (g % 500) + 0.99, $3, 'cat' || (g % 20)
       FROM generate_series($1::int, $2::int) g`,
    [from, to, STOCK],
  );
  await sql(url, 'ANALYZE products');
}

const nonce = () => `${Date.now()}${randomBytes(3).toString('hex')}`;
let counter = 0;
/** A distinct min_price per request below every price: the same first page, never cached. */
const uncached = () => `min_price=0.${String(++counter).padStart(9, '0')}`;

/**
 * Orders come from BUYERS customers, one picked at random per request: one customer's orders
 * wait on each other at their pending-order counter (the per-customer caps, CONTRACT §5), so a
 * single buyer would measure that wait, not placing orders that do not contend.
 */
const BUYERS = 64;

/** The cursor that starts page `page` of the newest-first list (20 a page). */
async function cursorOfPage(apiBase, page) {
  const { next_cursor } = await json(`${apiBase}/api/products?page=${page - 1}&page_size=20`);
  return next_cursor;
}

function scenarios(ctx) {
  const bearer = { authorization: `Bearer ${ctx.readerToken}` };
  const buyer = () => ({
    'content-type': 'application/json',
    authorization: `Bearer ${ctx.buyerTokens[Math.floor(Math.random() * ctx.buyerTokens.length)]}`,
  });
  return {
    core: [
      { name: 'product detail (cache hit)', path: '/api/products/7' },
      { name: 'product list, first page (cache hit)', path: '/api/products?page=1&page_size=20' },
      {
        name: 'product list, first page (cache miss)',
        next: () => ({ path: `/api/products?page=1&page_size=20&${uncached()}` }),
      },
      {
        name: 'order creation, spread over 10k products',
        path: '/api/orders',
        method: 'POST',
        next: () => ({
          headers: buyer(),
          body: JSON.stringify({
            items: [{ product_id: 1 + Math.floor(Math.random() * 10_000), quantity: 1 }],
          }),
        }),
        orders: true,
      },
      {
        name: 'order creation, one hot product',
        path: '/api/orders',
        method: 'POST',
        next: () => ({
          headers: buyer(),
          body: JSON.stringify({ items: [{ product_id: 1, quantity: 1 }] }),
        }),
        orders: true,
      },
      { name: 'authenticated read (GET /api/orders)', path: '/api/orders', headers: bearer },
      {
        // Bench (b): group commit. The floor is the least one order could cost on that row, a
        // bare transaction of one UPDATE; the api places whole orders, 64 connections each.
        name: 'orders on one hot product vs a bare UPDATE of its row (64 connections)',
        path: '/api/orders',
        method: 'POST',
        connections: 64,
        next: () => ({
          headers: buyer(),
          body: JSON.stringify({ items: [{ product_id: 1, quantity: 1 }] }),
        }),
        floor: {
          path: '/bare/hot-row',
          next: () => ({ body: JSON.stringify({ product_id: 1 }) }),
        },
        orders: true,
      },
    ],
    growth: (size, cursor500) => [
      {
        name: `list, first page, uncached (${size})`,
        next: () => ({ path: `/api/products?page=1&page_size=20&${uncached()}` }),
      },
      {
        name: `list, page 500, uncached (${size})`,
        next: () => ({ path: `/api/products?page=500&page_size=20&${uncached()}` }),
      },
      {
        name: `list, page 500 by cursor, uncached (${size})`,
        next: () => ({
          path: `/api/products?cursor=${cursor500}&page_size=20&${uncached()}`,
        }),
      },
      {
        name: `search, uncached (${size})`,
        next: () => ({
          path: `/api/products?search=${1 + Math.floor(Math.random() * 9999)}&${uncached()}`,
        }),
      },
    ],
  };
}

/** What a target runs: the floor may do other work than the api (a scenario's `floor`). */
const forTarget = (name, scenario) =>
  name === 'floor' && scenario.floor ? { ...scenario, ...scenario.floor } : scenario;

/** The api's order_batch_size histogram: batches written and the orders in them. */
async function batchesOf(apiBase) {
  const text = await (await fetch(`${apiBase}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { count: value('order_batch_size_count'), sum: value('order_batch_size_sum') };
}

/** The floor answers what the api answers, field for field, or the comparison means nothing. */
async function sameAnswers(apiBase, floorBase) {
  const fields = (product) => Object.keys(product).sort().join(',');
  for (const [path, productOf] of [
    ['/api/products/7', (data) => data],
    ['/api/products?page=1&page_size=20', (data) => data.items[0]],
  ]) {
    const [api, floor] = await Promise.all([
      json(`${apiBase}${path}`),
      json(`${floorBase}${path}`),
    ]);
    const [a, f] = [fields(productOf(api)), fields(productOf(floor))];
    if (a !== f) throw new Error(`the floor answers ${path} with ${f}, the api with ${a}`);
  }
}

async function measure(targets, scenario) {
  const results = Object.fromEntries(targets.map(([name]) => [name, []]));
  const connections = scenario.connections ?? CONNECTIONS;
  for (const [name, base] of targets)
    await load(base, forTarget(name, scenario), WARMUP, connections);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, base, pid] of targets)
      results[name].push(await load(base, forTarget(name, scenario), SECONDS, connections, pid));
  }
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, summary(r)]));
}

const fmt = (n, digits = 0) => n.toFixed(digits);
const FLASH_SALE_NAME = 'flash sale (a): 200 units, 2,000 users, 20,000 attempts';

function row(name, { api, floor }) {
  return `| ${name} | ${fmt(api.rps)} | ${fmt(api.p50, 1)} / ${fmt(api.p99, 1)} | ${api.non2xx} | ${fmt(floor.rps)} | ${fmt(floor.p50, 1)} / ${fmt(floor.p99, 1)} | ${floor.non2xx} | **${fmt(api.rps / floor.rps, 2)}** | ${fmt(api.cpuMicros)} / ${fmt(floor.cpuMicros)} |`;
}

const CORES = os.cpus().length;
const CPU_TABLE_HEAD = [
  `| CPU µs per request, everything it costs on this machine (${CORES} cores) | target | PostgreSQL | Redis | load generator | sum | req/s the ${CORES} cores could carry at most |`,
  '|---|---|---|---|---|---|---|',
];

/**
 * Where each answered request's CPU went, the api's or floor's process and the services they
 * share, and the rate all the machine's cores could carry at that cost: the ceiling a ratio to
 * the floor runs into once the row lock is no longer what limits.
 */
function cpuPerRequest(name, result) {
  return Object.entries(result)
    .map(([target, stats]) => {
      const { postgres, redis, client } = stats.serviceMicros;
      const sum = stats.cpuMicros + postgres + redis + client;
      return `| ${name} | ${target} ${fmt(stats.cpuMicros)} | ${fmt(postgres)} | ${fmt(redis)} | ${fmt(client)} | ${fmt(sum)} | ${fmt((CORES * 1e6) / sum)} |`;
    })
    .join('\n');
}

async function benchWith(nodeBinary) {
  const version = (await run(nodeBinary, ['-p', 'process.version'], {})).trim();
  const name = `shop_bench_${nonce()}`;
  const url = dbUrl(name);
  const [apiPort, floorPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const workerBase = `http://127.0.0.1:${workerPort}`;
  const floorBase = `http://127.0.0.1:${floorPort}`;
  process.stdout.write(`\n== Node ${version}: database ${name}\n`);

  await run(nodeBinary, [path.join(ROOT, 'dist/cli/migrate.js'), 'run'], { DATABASE_URL: url });
  await seedProducts(url, 1, 10_000);
  const apiEnv = (port, extra = {}) => ({
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: url,
    REDIS_URL,
    REDIS_PREFIX: `bench:${nonce()}`,
    JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    RUN_WORKERS: 'false',
    DATABASE_POOL_SIZE: args.pool,
    LOG_LEVEL: 'info',
    RATE_LIMIT_REQUESTS: '1000000000',
    AUTH_RATE_LIMIT_REQUESTS: '1000000000',
    FLASH_SALE_RATE_LIMIT: '1000000000',
    // Each buyer places thousands of orders that nobody pays.
    ORDER_MAX_PENDING_PER_USER: '0',
    ORDER_MAX_PENDING_UNITS_PER_USER: '0',
    ...extra,
  });
  const smtp = await smtpSink();
  const api = start(nodeBinary, path.join(ROOT, 'dist/main.js'), apiEnv(apiPort));
  const worker = start(nodeBinary, path.join(ROOT, 'dist/worker.js'), {
    ...apiEnv(apiPort),
    WORKER_PORT: String(workerPort),
    SMTP_URL: smtp.url,
  });
  const lines = [];
  const memory = [
    '| memory after the scenario | api RSS | api heap used | worker RSS | worker heap used |',
    '|---|---|---|---|---|',
  ];
  const recordMemory = async (name) => {
    const [a, w] = await Promise.all([
      memoryOf(`${apiBase}/metrics`),
      memoryOf(`${workerBase}/metrics`),
    ]);
    memory.push(`| ${name} | ${mib(a.rss)} | ${mib(a.heap)} | ${mib(w.rss)} | ${mib(w.heap)} |`);
    process.stdout.write(`  memory: ${memory.at(-1)}\n`);
  };
  try {
    await Promise.all([waitFor(`${apiBase}/health/ready`), waitFor(`${workerBase}/health/ready`)]);
    await recordMemory('start (idle)');
    const register = (username) =>
      json(`${apiBase}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${username}@bench.example`,
          username,
          password: 'bench-password',
        }),
      });
    const login = async (username) =>
      (
        await json(`${apiBase}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'bench-password' }),
        })
      ).access_token;
    const buyers = Array.from({ length: BUYERS }, (_, i) => `buyer${i}`);
    for (let i = 0; i < buyers.length; i += 8) {
      await Promise.all(buyers.slice(i, i + 8).map((name) => register(name)));
    }
    await register('reader');
    const buyerTokens = [];
    for (let i = 0; i < buyers.length; i += 8) {
      buyerTokens.push(...(await Promise.all(buyers.slice(i, i + 8).map((name) => login(name)))));
    }
    const ctx = { buyerTokens, readerToken: await login('reader') };
    for (let i = 0; i < 40; i++) {
      await json(`${apiBase}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.readerToken}` },
        body: JSON.stringify({
          items: [
            { product_id: 1 + i, quantity: 1 },
            { product_id: 100 + i, quantity: 2 },
          ],
        }),
      });
    }
    if (args.tracing) {
      lines.push(...(await tracingCost(nodeBinary, apiEnv, apiBase, ctx)));
      return { version, lines };
    }
    const floor = start(nodeBinary, path.join(ROOT, 'bench/floor.mjs'), {
      DATABASE_URL: url,
      FLOOR_PORT: String(floorPort),
      POOL_SIZE: args.pool,
      JWT_SECRET,
      REDIS_URL,
      REDIS_PREFIX: `bench-floor:${nonce()}`,
    });
    try {
      await sleep(300);
      await sameAnswers(apiBase, floorBase);
      const targets = [
        ['api', apiBase, api.child.pid],
        ['floor', floorBase, floor.child.pid],
      ];
      const { core, growth } = scenarios(ctx);
      const batchNotes = [];
      const cpuNotes = [];
      const wanted = (scenario) => scenario.name.includes(args.only);
      for (const scenario of core.filter(wanted)) {
        const batchesBefore = await batchesOf(apiBase);
        const result = await measure(targets, scenario);
        lines.push(row(scenario.name, result));
        process.stdout.write(`${lines.at(-1)}\n`);
        if (scenario.orders) {
          const after = await batchesOf(apiBase);
          const mean = (after.sum - batchesBefore.sum) / (after.count - batchesBefore.count || 1);
          process.stdout.write(`  api: ${mean.toFixed(1)} orders per batch (group commit)\n`);
          batchNotes.push(`${scenario.name}: ${mean.toFixed(1)}`);
          cpuNotes.push(cpuPerRequest(scenario.name, result));
        }
        for (const [target, stats] of Object.entries(result)) {
          if (stats.non2xx > 0)
            process.stdout.write(`  ${target} answered ${JSON.stringify(stats.statuses)}\n`);
        }
        await recordMemory(scenario.name);
      }
      if (FLASH_SALE_NAME.includes(args.only)) {
        const flash = await flashSale({
          url,
          apiBase,
          floorBase,
          apiPid: api.child.pid,
          floorPid: floor.child.pid,
          jwtSecret: JWT_SECRET,
          ctx,
        });
        lines.push('', ...flash.lines, '');
        process.stdout.write(`${flash.lines.join('\n')}\n`);
        if (!flash.ok) process.exitCode = 1;
        await recordMemory(FLASH_SALE_NAME);
      }
      // The bare hot-row transaction took stock without orders: give it back first.
      // (once the transactions the load generator left behind have finished)
      let bare = await json(`${floorBase}/bare/taken`);
      for (let polls = 0; bare.in_flight > 0 && polls < 100; polls++) {
        await sleep(100);
        bare = await json(`${floorBase}/bare/taken`);
      }
      const { taken } = bare;
      await sql(url, 'UPDATE products SET stock = stock + $1 WHERE id = 1', [taken]);
      const [{ bad }] = await sql(
        url,
        `SELECT count(*)::int AS bad FROM products p
          WHERE p.stock < 0
             OR p.id NOT IN (SELECT product_id FROM flash_sales) AND p.stock + coalesce((SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
                                     WHERE i.product_id = p.id AND o.status <> 'cancelled'), 0) <> $1`,
        [STOCK],
      );
      const [{ orders }] = await sql(url, 'SELECT count(*)::int AS orders FROM orders');
      if (batchNotes.length > 0) {
        lines.push(`\nOrders per batch in the api (mean): ${batchNotes.join('; ')}.`);
        lines.push('', ...CPU_TABLE_HEAD, ...cpuNotes);
        process.stdout.write(`${[...CPU_TABLE_HEAD, ...cpuNotes].join('\n')}\n`);
      }
      lines.push(
        `\nStock check after ${orders} orders: ${bad === 0 ? 'no product oversold or leaked' : `${bad} PRODUCTS INCONSISTENT`}.\n`,
      );
      process.stdout.write(`${lines.at(-1)}\n`);
      if (bad !== 0) {
        process.exitCode = 1;
        const rows = await sql(
          url,
          `SELECT p.id, p.stock, (SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
                                   WHERE i.product_id = p.id AND o.status <> 'cancelled')::int AS ordered
             FROM products p WHERE p.stock + coalesce((SELECT sum(i.quantity) FROM order_items i JOIN orders o ON o.id = i.order_id
                                   WHERE i.product_id = p.id AND o.status <> 'cancelled'), 0) <> $1 LIMIT 5`,
          [STOCK],
        );
        process.stdout.write(`  inconsistent: ${JSON.stringify(rows)} (bare taken ${taken})\n`);
      }

      lines.push(
        '| catalogue growth | api req/s | api p50 / p99 ms | non-2xx | floor req/s | floor p50 / p99 ms | non-2xx | api/floor | CPU µs per request, api / floor |',
        '|---|---|---|---|---|---|---|---|---|',
      );
      for (const size of [10_000, 100_000]) {
        if (size === 100_000) await seedProducts(url, 10_001, 100_000);
        const cursor500 = await cursorOfPage(apiBase, 500);
        const sized = growth(size.toLocaleString('en'), cursor500);
        if (args.only && !sized.some(wanted)) continue;
        for (const scenario of sized.filter(wanted)) {
          const result = await measure(targets, scenario);
          lines.push(row(scenario.name, result));
          process.stdout.write(`${lines.at(-1)}\n`);
          await recordMemory(scenario.name);
        }
      }
    } finally {
      await floor.stop();
    }
    lines.push('', ...memory, '', `Mails the worker sent meanwhile: ${smtp.received()}.`);
    const metrics = await fetch(`${apiBase}/metrics`);
    const started = performance.now();
    for (let i = 0; i < 20; i++) await (await fetch(`${apiBase}/metrics`)).text();
    lines.push(
      `\n/metrics: ${((performance.now() - started) / 20).toFixed(1)} ms per scrape (${(await metrics.text()).length} bytes).`,
    );
    process.stdout.write(`${lines.at(-1)}\n`);
  } finally {
    await Promise.all([api.stop(), worker.stop()]);
    await smtp.stop();
    await sql(dbUrl('postgres'), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
  return { version, lines };
}

/**
 * The cost of tracing: the api as it runs by default (no OTLP endpoint, the SDK not loaded)
 * against a second api exporting every span to a local OTLP sink that answers 200.
 */
async function tracingCost(nodeBinary, apiEnv, apiBase, ctx) {
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const tracedPort = await freePort();
  const traced = start(
    nodeBinary,
    path.join(ROOT, 'dist/main.js'),
    apiEnv(tracedPort, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.address().port}`,
      OTEL_SERVICE_NAME: 'shop-bench',
    }),
  );
  const lines = [
    '| tracing cost | off req/s | off p50 / p99 ms | on req/s | on p50 / p99 ms | on/off |',
    '|---|---|---|---|---|---|',
  ];
  try {
    await waitFor(`http://127.0.0.1:${tracedPort}/health/ready`);
    const targets = [
      ['off', apiBase],
      ['on', `http://127.0.0.1:${tracedPort}`],
    ];
    const { core } = scenarios(ctx);
    for (const scenario of core.filter((s) => /detail|spread/.test(s.name))) {
      const { off, on } = await measure(targets, scenario);
      lines.push(
        `| ${scenario.name} | ${fmt(off.rps)} | ${fmt(off.p50, 1)} / ${fmt(off.p99, 1)} | ${fmt(on.rps)} | ${fmt(on.p50, 1)} / ${fmt(on.p99, 1)} | **${fmt(on.rps / off.rps, 2)}** |`,
      );
      process.stdout.write(`${lines.at(-1)}\n`);
    }
  } finally {
    await traced.stop();
    sink.close();
  }
  return lines;
}

const header = [
  '| scenario (10k products) | api req/s | api p50 / p99 ms | non-2xx | floor req/s | floor p50 / p99 ms | non-2xx | api/floor | CPU µs per request, api / floor |',
  '|---|---|---|---|---|---|---|---|---|',
];

const started = Date.now();
const binaries = [];
if (args.node === 'current' || args.node === 'both') binaries.push(process.execPath);
if (args.node === 'image' || args.node === 'both') binaries.push(await imageNode(ROOT));
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
let report = '';
for (const binary of binaries) {
  const { version, lines } = await benchWith(binary);
  const load = os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' / ');
  report += `\n### ${new Date().toISOString().slice(0, 10)}${args.label ? ` · ${args.label}` : ''}${args.tracing ? ' · tracing off and on' : ''} · Node ${version}\n\n${machine}; load average after the run ${load}. ${CONNECTIONS} connections, no pipelining, ${ROUNDS} × ${SECONDS} s per target after ${WARMUP} s of warm-up, alternating.\n\n${(args.tracing ? lines : [...header, ...lines]).join('\n')}\n`;
}
process.stdout.write(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.\n`);
if (!args['no-write']) {
  const file = path.join(ROOT, 'bench/RESULTS.md');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (!existing)
    await appendFile(
      file,
      '# Benchmark results\n\nNewest last; `npm run bench` appends a section per run.\n',
    );
  await appendFile(file, report);
}
