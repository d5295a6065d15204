import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Recorder } from './load.js';
import { PAYMENT_TIMEOUT_S, Stack } from './stack.js';

/**
 * npm run test:chaos: two apis and a worker under a steady mixed load from many users while
 * Redis is killed, PostgreSQL is cut, the worker is SIGKILLed, an api is replaced and SMTP
 * refuses; then the invariants an order system is trusted by, each printed with its figure.
 */

const USERS = 16;
const PRODUCTS = 12;
const STOCK = 3000;
const LOAD_SECONDS = 150;

const stack = new Stack();
const rec = new Recorder();
interface User {
  id: number;
  email: string;
  token: string;
  pending: number[];
}
const users: User[] = [];
const acknowledged = new Map<number, { key: string | undefined }>();
const ordersByKey = new Map<string, Set<number>>();
let productIds: number[] = [];
let apiTurn = 0;
let loadEnds = 0;
/** When faults that can cut a mail mid-send happened: [cut, back]. */
const mailCuts: [number, number][] = [];
/** When each phase began. */
const timeline: [number, string][] = [];
const phaseAt = (t: number): string =>
  timeline.filter(([start]) => start <= t).at(-1)?.[1] ?? 'set-up';

const api = (): string => stack.apis[apiTurn++ % stack.apis.length]!.url;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

beforeAll(async () => {
  await stack.start();
  const { rows } = await stack.db.query<{ id: string }>(
    `INSERT INTO products (name, description, price, stock, category)
     SELECT 'chaos ' || n, 'soak', 9.99 + n, $1, 'chaos' FROM generate_series(1, $2) AS n RETURNING id`,
    [STOCK, PRODUCTS],
  );
  productIds = rows.map((r) => Number(r.id));
  for (let i = 0; i < USERS; i++) {
    const name = `chaos${randomBytes(4).toString('hex')}`;
    const creds = { username: name, email: `${name}@example.com`, password: 'chaos-password-1' };
    const reg = await rec.call(api(), 'POST', '/api/auth/register', { body: creds });
    const login = await rec.call(api(), 'POST', '/api/auth/login', {
      body: { username: creds.username, password: creds.password },
    });
    const data = login.body?.data as { access_token: string };
    users.push({
      id: (reg.body?.data as { id: number }).id,
      email: creds.email,
      token: data.access_token,
      pending: [],
    });
  }
});
afterAll(async () => {
  await stack.stop();
});

/** One user's loop: browse, order (with an Idempotency-Key, retried), pay, cancel. */
async function shopper(user: User): Promise<void> {
  while (Date.now() < loadEnds) {
    const roll = Math.random();
    if (roll < 0.4) {
      await rec.call(
        api(),
        'GET',
        pick([
          '/api/products?page=1&page_size=20',
          `/api/products/${pick(productIds)}`,
          '/api/products/hot',
        ]),
      );
    } else if (roll < 0.75) {
      const key = `k-${randomBytes(8).toString('hex')}`;
      const body = {
        items: [{ product_id: pick(productIds), quantity: 1 + Math.floor(Math.random() * 3) }],
      };
      // A client that did not get an answer retries with the same key.
      for (let attempt = 0; attempt < 4; attempt++) {
        const res = await rec.call(api(), 'POST', '/api/orders', {
          token: user.token,
          body,
          headers: { 'Idempotency-Key': key },
        });
        if (res.status === 201) {
          const id = (res.body?.data as { id: number }).id;
          acknowledged.set(id, { key });
          const ids = ordersByKey.get(key) ?? new Set<number>();
          ids.add(id);
          ordersByKey.set(key, ids);
          if (!user.pending.includes(id)) user.pending.push(id);
          break;
        }
        if (res.status !== 0 && res.status !== -1 && res.status !== 503 && res.status !== 409)
          break;
        await sleep(300);
      }
    } else if (roll < 0.9 && user.pending.length > 0) {
      const id = user.pending.shift()!;
      await rec.call(api(), 'POST', `/api/orders/${id}/pay`, { token: user.token });
    } else if (user.pending.length > 0) {
      const id = user.pending.shift()!;
      await rec.call(api(), 'PUT', `/api/orders/${id}/cancel`, { token: user.token });
    }
    await sleep(100 + Math.random() * 150);
  }
}

/** The faults, in turn, each while the load runs. */
async function faults(start: number): Promise<void> {
  const at = async (second: number, phase: string, action?: () => Promise<unknown>) => {
    await sleep(Math.max(0, start + second * 1000 - Date.now()));
    rec.phase = phase;
    timeline.push([Date.now(), phase]);
    if (action) await action();
  };
  await at(0, 'steady');
  await at(15, 'redis killed', () => stack.redis.kill());
  await at(30, 'redis restarted', () => stack.redis.restart());
  await at(40, 'postgres cut', () => stack.postgres.cut());
  await at(52, 'postgres restored', () => stack.postgres.restore());
  let cut = 0;
  await at(62, 'worker SIGKILLed', async () => {
    cut = Date.now();
    await stack.killWorker();
  });
  await at(72, 'worker restarted', async () => {
    await stack.restartWorker();
    mailCuts.push([cut, Date.now()]);
  });
  await at(78, 'api SIGTERMed and replaced', async () => {
    expect(await stack.replaceApi(0)).toBe(0);
  });
  await at(92, 'smtp refusing', async () => {
    cut = Date.now();
    await stack.smtp.stop();
  });
  await at(112, 'smtp back', async () => {
    await stack.smtp.restart();
    mailCuts.push([cut, Date.now()]);
  });
  await at(122, 'recovery');
}

async function settle(): Promise<void> {
  rec.phase = 'settling';
  timeline.push([Date.now(), 'settling']);
  // A mail cut mid-send by the worker's SIGKILL is retried once its claim is stale (2 min).
  const deadline = Date.now() + 240_000;
  for (;;) {
    const { rows } = await stack.db.query<{
      overdue: string;
      unpublished: string;
      missing: string;
    }>(
      `SELECT (SELECT count(*) FROM orders WHERE status = 'pending' AND expires_at < now()) AS overdue,
              (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS unpublished,
              (SELECT count(*) FROM orders WHERE created_at > now() - make_interval(secs => $1)) AS missing`,
      [PAYMENT_TIMEOUT_S + 1],
    );
    const delivered = new Set(stack.smtp.messages.map((m) => m.messageId));
    const undelivered = (await expectedMails()).filter((id) => !delivered.has(id)).length;
    const row = rows[0]!;
    if (row.overdue === '0' && row.unpublished === '0' && row.missing === '0' && undelivered === 0)
      return;
    if (Date.now() > deadline) return;
    await sleep(2000);
  }
}

async function expectedMails(): Promise<string[]> {
  const { rows } = await stack.db.query<{ id: string; paid: boolean; cancelled: boolean }>(
    `SELECT id, paid_at IS NOT NULL AS paid, status = 'cancelled' AS cancelled FROM orders`,
  );
  return [
    ...users.map((u) => `<welcome-${u.id}@shop.invalid>`),
    ...rows.flatMap((o) => [
      `<order-confirmation-${o.id}@shop.invalid>`,
      ...(o.paid ? [`<order-receipt-${o.id}@shop.invalid>`] : []),
      ...(o.cancelled ? [`<order-cancelled-${o.id}@shop.invalid>`] : []),
    ]),
  ];
}

it('keeps every promise through faults under load', async () => {
  const start = Date.now();
  loadEnds = start + LOAD_SECONDS * 1000;
  await Promise.all([...users.map((u) => shopper(u)), faults(start)]);
  await settle();

  const figures: [string, string | number, boolean][] = [];
  const check = (name: string, figure: string | number, ok: boolean) =>
    figures.push([name, figure, ok]);

  const { rows: existing } = await stack.db.query<{ id: string }>(
    'SELECT id FROM orders WHERE id = ANY($1::bigint[])',
    [[...acknowledged.keys()]],
  );
  check(
    'orders acknowledged with 201 that exist',
    `${existing.length} of ${acknowledged.size}`,
    existing.length === acknowledged.size && acknowledged.size > 0,
  );

  const { rows: stock } = await stack.db.query<{ id: string; stock: number; live: string }>(
    `SELECT p.id, p.stock, coalesce(sum(i.quantity) FILTER (WHERE o.status <> 'cancelled'), 0) AS live
       FROM products p LEFT JOIN order_items i ON i.product_id = p.id LEFT JOIN orders o ON o.id = i.order_id
      WHERE p.id = ANY($1::bigint[]) GROUP BY p.id, p.stock`,
    [productIds],
  );
  const unbalanced = stock.filter((p) => p.stock + Number(p.live) !== STOCK);
  const sold = stock.reduce((sum, p) => sum + Number(p.live), 0);
  check(
    'products where stock + units in live orders = initial stock',
    `${stock.length - unbalanced.length} of ${PRODUCTS} (${sold} units in live orders)`,
    unbalanced.length === 0 && stock.length === PRODUCTS,
  );

  const { rows: states } = await stack.db.query<{
    status: string;
    reason: string | null;
    n: string;
  }>(
    `SELECT status, cancel_reason AS reason, count(*) AS n FROM orders GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const { rows: overdue } = await stack.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM orders WHERE status = 'pending' AND expires_at < now()`,
  );
  check(
    'unpaid orders past their deadline still pending',
    `${overdue[0]!.n} (orders by state: ${states.map((s) => `${s.status}${s.reason ? `/${s.reason}` : ''} ${s.n}`).join(', ')})`,
    overdue[0]!.n === '0',
  );

  const expected = await expectedMails();
  const copies = new Map<string, number[]>();
  for (const mail of stack.smtp.messages) {
    copies.set(mail.messageId, [...(copies.get(mail.messageId) ?? []), mail.at]);
  }
  const missing = expected.filter((id) => !copies.has(id));
  check(
    'expected mails delivered',
    `${expected.length - missing.length} of ${expected.length}`,
    missing.length === 0,
  );
  // SMTP cannot make a send and its record atomic: a send cut by a crash or a dropped
  // connection after the server took the message is sent again (same Message-ID). Only those
  // may arrive twice: the first copy around the cut, the second after it, at most one per mail
  // the worker was sending (concurrency 5).
  const twice = [...copies.entries()].filter(([, at]) => at.length > 1);
  const explained = twice.filter(
    ([, at]) =>
      at.length === 2 &&
      mailCuts.some(([cut, back]) => at[0]! >= cut - 5_000 && at[0]! <= back && at[1]! >= cut),
  );
  check(
    'mails delivered more than once',
    `${twice.length} (${explained.length} cut mid-send by a fault, resent with the same Message-ID${twice.length > 0 ? `; first copies during: ${twice.map(([, at]) => phaseAt(at[0]!)).join(', ')}` : ''})`,
    twice.length === explained.length && twice.length <= 5 * mailCuts.length,
  );

  const doubled = [...ordersByKey.values()].filter((ids) => ids.size > 1).length;
  const { rows: keyRows } = await stack.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT user_id, key FROM idempotency_keys GROUP BY 1, 2 HAVING count(DISTINCT order_id) > 1) d`,
  );
  check(
    'idempotency keys that made two orders',
    `${doubled} of ${ordersByKey.size} keys`,
    doubled === 0 && keyRows[0]!.n === '0',
  );

  const failures = rec.samples.filter((s) => s.status >= 500 && s.status !== 503);
  const leaks = rec.samples.filter((s) => s.internals);
  check(
    '5xx other than 503, and responses showing internals',
    `${failures.length}, ${leaks.length}`,
    failures.length === 0 && leaks.length === 0,
  );

  const hung = rec.samples.filter((s) => s.status === -1);
  check('requests hung past the 15 s client timeout', hung.length, hung.length === 0);

  process.stdout.write(`\n${rec.table()}\n\n`);
  process.stdout.write(
    `| invariant | figure | holds |\n|---|---|---|\n${figures.map(([n, f, ok]) => `| ${n} | ${f} | ${ok ? 'yes' : '**NO**'} |`).join('\n')}\n\n`,
  );
  expect(figures.filter(([, , ok]) => !ok)).toEqual([]);
});
