import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, signUp, type TestUser } from '../support/factories.js';
import { OtlpSink, type ReceivedSpan } from '../support/otlp-sink.js';
import { freePort, spawnNode, waitForStatus, type Spawned } from '../support/processes.js';
import { eventually, SmtpSink } from '../support/smtp-sink.js';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

// SPAN_KIND values of OTLP
const SERVER = 2;
const CONSUMER = 5;

let helper: TestApp;
let smtp: SmtpSink;
let sink: OtlpSink;
let api: Spawned;
let worker: Spawned;
let apiUrl: string;
let buyer: TestUser;
let admin: TestUser;

async function spawn(
  script: string,
  portVar: string,
  env: NodeJS.ProcessEnv,
): Promise<[Spawned, string]> {
  const port = await freePort();
  const child = spawnNode(script, {
    NODE_ENV: 'test',
    DATABASE_URL: helper.config.database.url,
    REDIS_URL: helper.config.redis.url,
    REDIS_PREFIX: helper.config.redis.prefix,
    SMTP_URL: smtp.url,
    JWT_SECRET: TEST_JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    RUN_WORKERS: 'false',
    LOG_LEVEL: 'info',
    [portVar]: String(port),
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}/health/ready`);
  return [child, url];
}

const tracing = (): NodeJS.ProcessEnv => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

beforeAll(async () => {
  smtp = await SmtpSink.start();
  sink = await OtlpSink.start();
  // An in-process app of the test's own arranges data (users, products) on the same database.
  helper = await startApp();
  buyer = await signUp(helper);
  admin = await signUp(helper, { role: 'admin' });
  [api, apiUrl] = await spawn('dist/main.js', 'PORT', tracing());
  [worker] = await spawn('dist/worker.js', 'WORKER_PORT', tracing());
});
afterAll(async () => {
  api.child.kill('SIGTERM');
  worker.child.kill('SIGTERM');
  await Promise.all([api.exited, worker.exited]);
  await helper.close();
  await smtp.stop();
  await sink.stop();
});

const logLines = (child: Spawned): Record<string, unknown>[] =>
  child
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The buyer orders one unit of a new product from the api at `url`. */
async function orderAt(url: string): Promise<{ requestId: string | null; orderId: number }> {
  const product = await createProduct(helper, admin, { stock: 5 });
  const res = await fetch(`${url}/api/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${buyer.tokens.access_token}`,
    },
    body: JSON.stringify({ items: [{ product_id: product.id, quantity: 1 }] }),
  });
  expect(res.status).toBe(201);
  const orderId = ((await res.json()) as { data: { id: number } }).data.id;
  return { requestId: res.headers.get('x-request-id'), orderId };
}

describe('with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('traces one order from the HTTP route through SQL and Redis to the worker that mails it', async () => {
    const { requestId, orderId } = await orderAt(apiUrl);
    await smtp.waitFor(buyer.email, new RegExp(`Order ${orderId} received`));

    let server: ReceivedSpan | undefined;
    let spans: ReceivedSpan[] = [];
    await eventually(() => {
      server = sink.spans.find(
        (s) =>
          s.service === 'shop-api' &&
          s.kind === SERVER &&
          s.attributes['http.route'] === '/api/orders' &&
          s.attributes['http.request.method'] === 'POST',
      );
      expect(server).toBeDefined();
      spans = sink.trace(server!.traceId);
      expect(spans.some((s) => s.service === 'shop-worker' && s.kind === CONSUMER)).toBe(true);
    });
    expect(server!.name).toBe('POST /api/orders');
    // No personal data in spans: the confirmation job carries the buyer's address, and Redis
    // spans record command names only.
    expect(JSON.stringify(spans)).not.toContain(buyer.email);
    // Polling (the outbox relay, BullMQ's workers) makes no traces of its own.
    const roots = sink.spans.filter((s) => s.parentSpanId === '' && s.kind !== SERVER);
    expect(roots.filter((s) => s.kind !== CONSUMER).map((s) => s.name)).toEqual([]);
    const apiSpans = spans.filter((s) => s.service === 'shop-api');
    // The placement statement, and the login check before it.
    expect(
      apiSpans.filter(
        (s) =>
          s.attributes['db.system.name'] === 'postgresql' ||
          s.attributes['db.system'] === 'postgresql',
      ).length,
    ).toBeGreaterThanOrEqual(2);
    // The rate-limit count and the cache invalidation.
    expect(
      apiSpans.filter(
        (s) => s.attributes['db.system.name'] === 'redis' || s.attributes['db.system'] === 'redis',
      ).length,
    ).toBeGreaterThanOrEqual(2);
    const job = spans.find(
      (s) =>
        s.service === 'shop-worker' && s.kind === CONSUMER && s.name === 'email process send-mail',
    );
    expect(job).toBeDefined();
    expect(job!.attributes['messaging.system']).toBe('bullmq');
    // The worker's own work hangs under the job's span: the delivery claim in PostgreSQL.
    expect(spans.some((s) => s.service === 'shop-worker' && s.parentSpanId === job!.spanId)).toBe(
      true,
    );

    // Logs and traces join: the request's line and the worker's job line carry the trace id.
    await eventually(() => {
      const requestLine = logLines(api).find(
        (l) => l.request_id === requestId && l.msg === 'request completed',
      );
      expect(requestLine).toMatchObject({
        trace_id: server!.traceId,
        span_id: expect.stringMatching(/^[\da-f]{16}$/),
      });
    });
    await eventually(() => {
      const jobLine = logLines(worker).find(
        (l) => l.msg === 'job completed' && l.request_id === requestId && l.job === 'send-mail',
      );
      expect(jobLine).toMatchObject({ trace_id: server!.traceId });
    });
  });
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('starts no SDK: no trace ids in logs, no trace context in queued work, nothing exported', async () => {
    const [plain, url] = await spawn('dist/main.js', 'PORT', { OTEL_SERVICE_NAME: 'shop-plain' });
    try {
      const { requestId, orderId } = await orderAt(url);
      const { rows } = await helper.db.query<{ payload: { job: Record<string, unknown> } }>(
        `SELECT payload FROM outbox WHERE payload->'job'->>'key' = $1`,
        [`order-confirmation-${orderId}`],
      );
      expect(rows[0]!.payload.job).toMatchObject({ request_id: requestId });
      expect(rows[0]!.payload.job).not.toHaveProperty('traceparent');
      // The child's stdout reaches this process a moment after the response.
      const line = await eventually(() => {
        const found = logLines(plain).find((l) => l.msg === 'request completed');
        expect(found).toBeDefined();
        return found;
      });
      expect(line).not.toHaveProperty('trace_id');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sink.spans.filter((span) => span.service === 'shop-plain')).toEqual([]);
    } finally {
      plain.child.kill('SIGTERM');
      expect(await plain.exited).toBe(0);
    }
  });
});
