// Benchmark (a) of bench/run.mjs: a flash sale of 200 units, 2,000 customers, 20,000 purchase
// attempts as fast as the connections allow. Checks that exactly 200 units were sold and that
// no customer passed the limit; reports refusals/s and p99 beside the cached detail read rate
// of the api and the raw floor's detail read in the same run (the goal for refusals: a crowd of
// losers costs about what cached reads cost), the floor's own refusals once sold out (the token
// verified by hand and one Redis script), and PostgreSQL's committed transactions counted
// before and after (pg_stat_database.xact_commit), against the background rate of an idle
// window of the same length.
import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { keyIdOf } from '../dist/modules/auth/jwt-keys.js';
import { json, load, sleep, sql, summary } from './lib.mjs';

const UNITS = 200;
const USERS = 2000;
const ATTEMPTS = 20_000;
const CONNECTIONS = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
// PostgreSQL 15+ flushes an idle backend's counters up to 10 s late.
const STATS_SETTLE_MS = 11_000;

/** Customers (and one admin) written straight into the database, with tokens signed as the api signs them. */
async function customers(url, jwtSecret, count) {
  const names = Array.from(
    { length: count },
    (_, i) => `flash${i}_${randomBytes(3).toString('hex')}`,
  );
  const users = await sql(
    url,
    `INSERT INTO users (email, username, password_hash)
     SELECT n || '@bench.example', n, 'not-a-hash' FROM unnest($1::text[]) AS n RETURNING id`,
    [names],
  );
  const sessions = users.map(() => randomUUID());
  await sql(
    url,
    `INSERT INTO auth_sessions (id, user_id, refresh_token_hash, expires_at)
     SELECT s, u, $3, now() + interval '1 day' FROM unnest($1::uuid[], $2::bigint[]) AS t(s, u)`,
    [sessions, users.map((u) => u.id), randomBytes(32).toString('hex')],
  );
  // The key id the api puts in its tokens' header.
  const keyid = keyIdOf(jwtSecret);
  return users.map((user, i) => ({
    id: user.id,
    token: jwt.sign({ sub: String(user.id), sid: sessions[i], typ: 'access' }, jwtSecret, {
      algorithm: 'HS256',
      keyid,
      expiresIn: 3600,
      issuer: 'shop-api',
      audience: 'shop-api',
    }),
  }));
}

const xactCommit = async (url, name) =>
  Number(
    (await sql(url, 'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = $1', [name]))[0]
      .n,
  );

export async function flashSale({ url, apiBase, floorBase, apiPid, floorPid, jwtSecret }) {
  const dbName = new URL(url).pathname.slice(1);
  const [admin, ...buyers] = await customers(url, jwtSecret, USERS + 1);
  await sql(url, `UPDATE users SET role = 'admin' WHERE id = $1`, [admin.id]);
  const [{ id: productId }] = await sql(
    url,
    `INSERT INTO products (name, price, stock) VALUES ('flash sale product', 50, $1) RETURNING id`,
    [UNITS],
  );
  const sale = await json(`${apiBase}/api/flash-sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
    body: JSON.stringify({
      product_id: Number(productId),
      price: 9.99,
      quantity: UNITS,
      starts_at: new Date(Date.now() - 1000).toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  });

  // The reads refusals are measured against, in this run: cached detail on the api, raw on the floor.
  const reads = {};
  for (const [name, base, pid, path] of [
    ['api product detail (cache hit)', apiBase, apiPid, '/api/products/7'],
    ['floor product detail', floorBase, floorPid, '/api/products/7'],
    ['api flash sale detail', apiBase, apiPid, `/api/flash-sales/${sale.id}`],
    ['api authenticated read (GET /api/users/me)', apiBase, apiPid, '/api/users/me'],
  ]) {
    const headers = { authorization: `Bearer ${buyers[0].token}` };
    await load(base, { path, headers }, 1, CONNECTIONS);
    reads[name] = summary([await load(base, { path, headers }, SECONDS, CONNECTIONS, pid)]);
  }

  // The loads' counters reach pg_stat_database late: let them settle, then time an idle window.
  await sleep(STATS_SETTLE_MS);
  const idleStart = await xactCommit(url, dbName);
  const idleStarted = performance.now();
  await sleep(STATS_SETTLE_MS);
  const before = await xactCommit(url, dbName);
  const idleRate = (before - idleStart) / ((performance.now() - idleStarted) / 1000);

  // Purchase attempts of one unit, each from a customer picked at random.
  const attempts = {
    path: `/api/flash-sales/${sale.id}/orders`,
    method: 'POST',
    body: JSON.stringify({ quantity: 1 }),
    next: () => ({
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${buyers[Math.floor(Math.random() * buyers.length)].token}`,
      },
    }),
  };
  const started = performance.now();
  const run = await load(apiBase, { ...attempts, amount: ATTEMPTS }, 0, CONNECTIONS);
  const result = summary([run]);
  const seconds = (run.lastResponseAt - started) / 1000;
  await sleep(STATS_SETTLE_MS);
  const after = await xactCommit(url, dbName);
  const windowSeconds = (performance.now() - started) / 1000;

  // Sold out, every customer's session checked once: what each further refusal costs.
  const steady = summary([await load(apiBase, attempts, SECONDS, CONNECTIONS, apiPid)]);
  // The same attempts refused by the floor (one Redis script each), its sessions seen first.
  await load(floorBase, { ...attempts, amount: 2 * USERS }, 0, CONNECTIONS);
  const floorSteady = summary([await load(floorBase, attempts, SECONDS, CONNECTIONS, floorPid)]);

  const [{ sold, remaining, top, over, stock }] = await sql(
    url,
    `SELECT (SELECT stock FROM products WHERE id = $2) AS stock,
            (SELECT coalesce(sum(i.quantity), 0)::int FROM flash_sale_orders f
               JOIN order_items i ON i.order_id = f.order_id WHERE f.sale_id = $1) AS sold,
            (SELECT remaining FROM flash_sales WHERE id = $1) AS remaining,
            (SELECT coalesce(max(units), 0) FROM flash_sale_holdings WHERE sale_id = $1) AS top,
            (SELECT count(*)::int FROM flash_sale_holdings WHERE sale_id = $1 AND units > 1) AS over`,
    [sale.id, productId],
  );
  const won = result.statuses['201'] ?? 0;
  const refused = result.statuses['409'] ?? 0;
  const others = ATTEMPTS - won - refused;
  // The product had exactly the sale's units: every one sold, none left or lost.
  const ok = sold === UNITS && remaining === 0 && over === 0 && won === UNITS && stock === 0;
  const fmt = (n, d = 0) => n.toFixed(d);
  const detail = reads['api product detail (cache hit)'];
  const floor = reads['floor product detail'];
  const authed = reads['api authenticated read (GET /api/users/me)'];
  const background = idleRate * windowSeconds;
  const services = ({ serviceMicros: { postgres, redis, client } }) =>
    `${fmt(postgres)} / ${fmt(redis)} / ${fmt(client)}`;
  return {
    ok,
    lines: [
      `| flash sale (a): ${UNITS} units, ${USERS.toLocaleString('en')} users, ${ATTEMPTS.toLocaleString('en')} attempts, ${CONNECTIONS} connections | value |`,
      '|---|---|',
      `| sold (PostgreSQL) / won (201) | ${sold} / ${won} ${ok ? '(exactly 200)' : '**WRONG**'} |`,
      `| most units one customer holds (limit 1) | ${top} (${over} over the limit) |`,
      `| product stock after (had exactly ${UNITS}) | ${stock} |`,
      `| refused (409) / other statuses | ${refused} / ${others} ${others ? JSON.stringify(result.statuses) : ''} |`,
      `| attempts/s, whole run | ${fmt(ATTEMPTS / seconds)} (${fmt(seconds, 2)} s) |`,
      `| refusals/s | ${fmt(refused / seconds)} |`,
      `| p50 / p99 ms (all attempts) | ${fmt(result.p50, 1)} / ${fmt(result.p99, 1)} |`,
      `| api product detail (cache hit) req/s, p99 ms, CPU µs per request | ${fmt(detail.rps)}, ${fmt(detail.p99, 1)}, ${fmt(detail.cpuMicros)} |`,
      `| floor product detail req/s, p99 ms, CPU µs per request | ${fmt(floor.rps)}, ${fmt(floor.p99, 1)}, ${fmt(floor.cpuMicros)} |`,
      `| api flash sale detail req/s, p99 ms, CPU µs per request | ${fmt(reads['api flash sale detail'].rps)}, ${fmt(reads['api flash sale detail'].p99, 1)}, ${fmt(reads['api flash sale detail'].cpuMicros)} |`,
      `| api authenticated read (GET /api/users/me) req/s, p99 ms, CPU µs per request | ${fmt(authed.rps)}, ${fmt(authed.p99, 1)}, ${fmt(authed.cpuMicros)} |`,
      `| refusals/s vs cached detail / vs floor detail | **${fmt(refused / seconds / detail.rps, 2)}** / **${fmt(refused / seconds / floor.rps, 2)}** |`,
      `| refusals/s once sold out, sessions checked (${SECONDS} s, ${steady.non2xx - (steady.statuses['409'] ?? 0)} not 409), p99 ms, CPU µs per refusal | ${fmt(steady.rps)}, ${fmt(steady.p99, 1)}, ${fmt(steady.cpuMicros)} |`,
      `| CPU µs per request beside the api's own, PostgreSQL / Redis / load generator: refusal once sold out; cached detail read; authenticated read | ${services(steady)}; ${services(detail)}; ${services(authed)} |`,
      `| api CPU per refusal vs per cached detail read / per authenticated read | ${fmt(steady.cpuMicros / detail.cpuMicros, 2)} / ${fmt(steady.cpuMicros / authed.cpuMicros, 2)} |`,
      `| those vs cached detail / vs floor detail / vs the authenticated read | **${fmt(steady.rps / detail.rps, 2)}** / **${fmt(steady.rps / floor.rps, 2)}** / ${fmt(steady.rps / authed.rps, 2)} |`,
      `| floor refusals (token by hand, one Redis script; ${floorSteady.non2xx - (floorSteady.statuses['409'] ?? 0)} not 409) req/s, p99 ms, CPU µs per refusal | ${fmt(floorSteady.rps)}, ${fmt(floorSteady.p99, 1)}, ${fmt(floorSteady.cpuMicros)} |`,
      `| api refusals vs floor refusals / floor refusals vs floor detail / vs api cached detail | **${fmt(steady.rps / floorSteady.rps, 2)}** / ${fmt(floorSteady.rps / floor.rps, 2)} / ${fmt(floorSteady.rps / detail.rps, 2)} |`,
      `| PostgreSQL transactions committed (xact_commit after - before) | ${after - before} over ${fmt(windowSeconds, 1)} s; idle background ${fmt(idleRate, 1)}/s ≈ ${fmt(background)}; so ≈ ${fmt(after - before - background)} for ${ATTEMPTS.toLocaleString('en')} attempts (${won} orders) |`,
      `| of which first session checks (one per customer; later ones answered from Redis) | ≤ ${USERS.toLocaleString('en')}; beyond them ≈ ${fmt(after - before - background - USERS)} for the ${won} orders, their outbox rows and everything else |`,
    ],
  };
}
