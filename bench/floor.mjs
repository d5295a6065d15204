// The raw floor: the same database work as the api, by hand, on node:http and pg with no
// framework, no cache, no logging, no metrics, no rate limiting; and the least Redis work a
// flash-sale refusal needs, by ioredis. It answers in the same envelope so that response sizes
// match. Used only by bench/run.mjs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';

pg.defaults.parseInt8 = true;
const {
  DATABASE_URL,
  FLOOR_PORT = '3990',
  POOL_SIZE = '10',
  BARE_POOL_SIZE = '64',
  JWT_SECRET = '',
  REDIS_URL = 'redis://localhost:6379/0',
  REDIS_PREFIX = 'floor',
} = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(POOL_SIZE) });
/** The bare hot-row transaction's own connections (bench (b): 64, one per client connection). */
const barePool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(BARE_POOL_SIZE) });
/** Units the bare transaction took, so the bench can give them back before its stock check. */
let bareTaken = 0;
let bareInFlight = 0;

// Every field of the api's product answer, so that both answer the same bytes.
const COLUMNS =
  'id, name, description, price, stock, category, sku, brand, original_price, image_url, is_featured, rating_hundredths, review_count, views, is_active, sales, created_at, updated_at';

const send = (res, status, data) => {
  const body = JSON.stringify(
    status < 400
      ? { code: status, message: 'success', data, timestamp: new Date().toISOString() }
      : { code: status, message: data, errors: null, timestamp: new Date().toISOString() },
  );
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
};

// sort_key is the floor's own cursor column, not a field of the answer.
const product = ({ rating_hundredths, sort_key: _sortKey, ...row }) => ({
  ...row,
  price: Number(row.price),
  original_price: row.original_price === null ? null : Number(row.original_price),
  rating: rating_hundredths === null ? null : rating_hundredths / 100,
  created_at: row.created_at.toISOString(),
  updated_at: row.updated_at.toISOString(),
});

const readBody = (req) =>
  new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(error);
      }
    });
  });

/** The claims of a valid access token, by HS256 verification by hand; null for any other. */
function verifiedClaims(req) {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  if (scheme !== 'Bearer' || !token) return null;
  const [header, payload, signature] = token.split('.');
  const expected = createHmac('sha256', JWT_SECRET)
    .update(`${header}.${payload}`)
    .digest('base64url');
  if (
    !signature ||
    expected.length !== signature.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  )
    return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  return claims.typ === 'access' && claims.exp * 1000 >= Date.now() ? claims : null;
}

/** Whether the session is live and its user active: the lookup the api makes per request. */
async function liveSession(sid) {
  const { rows } = await pool.query(
    `SELECT u.id AS user_id, u.role, u.is_active, s.revoked_at IS NOT NULL AS revoked, s.expires_at
       FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`,
    [sid],
  );
  const session = rows[0];
  return session && !session.revoked && session.is_active ? session.user_id : null;
}

/** The token verified, then the session looked up in PostgreSQL. */
async function authenticate(req) {
  const claims = verifiedClaims(req);
  return claims ? liveSession(claims.sid) : null;
}

/** Keyset paging, newest first: the seek the api's cursor does, without the counts. */
async function listAfter(cursor, where, params, size, res) {
  const [, key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  params.push(key, id);
  where.push(
    `(created_at, id) < ('epoch'::timestamptz + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length})`,
  );
  const { rows } = await pool.query(
    `SELECT ${COLUMNS}, (extract(epoch from created_at) * 1000000)::bigint::text AS sort_key
       FROM products WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1}`,
    [...params, size + 1],
  );
  const last = rows.length > size ? rows[size - 1] : undefined;
  send(res, 200, {
    items: rows.slice(0, size).map(product),
    page_size: size,
    next_cursor: last
      ? Buffer.from(
          JSON.stringify(['products:created_at:desc', last.sort_key, Number(last.id)]),
        ).toString('base64url')
      : null,
  });
}

async function listProducts(url, res) {
  const page = Number(url.searchParams.get('page') ?? 1);
  const size = Number(url.searchParams.get('page_size') ?? 20);
  const where = ['is_active'];
  const params = [];
  const search = url.searchParams.get('search');
  if (search) {
    params.push(`%${search.replace(/[\\%_]/g, '\\$&')}%`);
    where.push(
      `(name ILIKE $${params.length} ESCAPE '\\' OR description ILIKE $${params.length} ESCAPE '\\')`,
    );
  }
  const minPrice = url.searchParams.get('min_price');
  if (minPrice !== null) {
    params.push(Number(minPrice));
    where.push(`price >= $${params.length}`);
  }
  const cursor = url.searchParams.get('cursor');
  if (cursor !== null) return listAfter(cursor, where, params, size, res);
  const filter = where.join(' AND ');
  const [items, count] = await Promise.all([
    pool.query(
      `SELECT ${COLUMNS} FROM products WHERE ${filter} ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, size, (page - 1) * size],
    ),
    pool.query(`SELECT count(*) AS total FROM products WHERE ${filter}`, params),
  ]);
  const total = count.rows[0].total;
  send(res, 200, {
    items: items.rows.map(product),
    total,
    page,
    page_size: size,
    total_pages: Math.ceil(total / size),
  });
}

/**
 * The bare order transaction, with the database work the contract asks of any implementation:
 * the login checked, products locked in id order, stock taken, the order and its items
 * inserted, and the confirmation mail and payment deadline recorded in the outbox in the same
 * transaction (written as already published, so the api's relay leaves them alone).
 */
async function createOrder(req, res) {
  const userId = await authenticate(req);
  if (userId === null) return send(res, 401, 'unauthorized');
  const { items } = await readBody(req);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const ids = items.map((item) => item.product_id);
    const { rows } = await client.query(
      'SELECT id, name, price, stock, is_active FROM products WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    let total = 0;
    for (const item of items) {
      const row = byId.get(item.product_id);
      if (!row?.is_active || row.stock < item.quantity) {
        await client.query('ROLLBACK');
        return send(res, row ? 409 : 404, 'refused');
      }
      total += Math.round(Number(row.price) * 100) * item.quantity;
    }
    await client.query(
      `UPDATE products p SET stock = p.stock - l.quantity, updated_at = now()
         FROM unnest($1::bigint[], $2::int[]) AS l(product_id, quantity) WHERE p.id = l.product_id`,
      [ids, items.map((item) => item.quantity)],
    );
    const order = await client.query(
      `INSERT INTO orders (user_id, status, total_amount, expires_at)
       VALUES ($1, 'pending', $2, now() + interval '30 minutes') RETURNING id, user_id, status, total_amount, created_at, expires_at`,
      [userId, (total / 100).toFixed(2)],
    );
    const orderId = order.rows[0].id;
    const lines = await client.query(
      `INSERT INTO order_items (order_id, product_id, product_name, quantity, unit_price, subtotal)
       SELECT $1, l.product_id, p.name, l.quantity, p.price, p.price * l.quantity
         FROM unnest($2::bigint[], $3::int[]) AS l(product_id, quantity) JOIN products p ON p.id = l.product_id
       RETURNING product_name, quantity, subtotal`,
      [orderId, ids, items.map((item) => item.quantity)],
    );
    const summary = { ...order.rows[0], items: lines.rows };
    await client.query(
      `INSERT INTO outbox (kind, payload, published_at)
       SELECT k, p, now() FROM unnest($1::varchar[], $2::jsonb[]) AS e(k, p)`,
      [
        ['mail', 'order_timeout'],
        [
          { job: { key: `order-confirmation-${orderId}`, to: 'floor@example.com', summary } },
          { job: { orderId }, run_at: order.rows[0].expires_at },
        ],
      ],
    );
    await client.query('COMMIT');
    send(res, 201, { ...order.rows[0], total_amount: Number(order.rows[0].total_amount) });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The bare transaction on one row, the least any order on a hot product costs: BEGIN, one
 * UPDATE products SET stock = stock - 1, COMMIT; no login check, no order written.
 */
async function bareHotRow(req, res) {
  const { product_id: id } = await readBody(req);
  bareInFlight += 1;
  try {
    const client = await barePool.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE products SET stock = stock - 1 WHERE id = $1', [id]);
      await client.query('COMMIT');
      bareTaken += 1;
      send(res, 201, { product_id: id });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  } finally {
    bareInFlight -= 1;
  }
}

const redis = new Redis(REDIS_URL, { enableAutoPipelining: true });

/*
 * KEYS: the session's key, the caller's attempt counter, the sale's remaining units. ARGV: the
 * counter's window (ms). The least a refusal can ask of Redis, in one round trip: is the
 * session known live, count the attempt, and is anything left; 'unknown' when the session must
 * first be read from PostgreSQL, 'won' when a unit is left (the bench sells none here).
 */
redis.defineCommand('floorAttempt', {
  numberOfKeys: 3,
  lua: `
if redis.call('GET', KEYS[1]) ~= '1' then return 'unknown' end
if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
if tonumber(redis.call('GET', KEYS[3]) or '0') <= 0 then return 'sold_out' end
return 'won'`,
});

/**
 * A refused flash-sale purchase, the least it costs: the token verified by hand and one Redis
 * script (the session known live, the attempt counted, the sale found sold out), then 409. A
 * session seen for the first time is read from PostgreSQL and remembered for 30 s, as the api
 * does. The floor's sale has no units: every attempt is a refusal.
 */
async function refusePurchase(req, res, saleId) {
  const claims = verifiedClaims(req);
  if (claims === null) return send(res, 401, 'unauthorized');
  const { quantity } = await readBody(req);
  if (!Number.isInteger(quantity) || quantity < 1) return send(res, 400, 'bad quantity');
  const keys = [
    `${REDIS_PREFIX}:session:${claims.sid}`,
    `${REDIS_PREFIX}:attempts:${claims.sub}`,
    `${REDIS_PREFIX}:sale:${saleId}:remaining`,
  ];
  let verdict = await redis.floorAttempt(...keys, 1000);
  if (verdict === 'unknown') {
    if ((await liveSession(claims.sid)) === null) return send(res, 401, 'unauthorized');
    await redis.set(keys[0], '1', 'PX', 30_000);
    verdict = await redis.floorAttempt(...keys, 1000);
  }
  return send(res, 409, verdict === 'sold_out' ? 'sold out' : 'not sold here');
}

async function listOrders(req, res) {
  const userId = await authenticate(req);
  if (userId === null) return send(res, 401, 'unauthorized');
  const [page, count] = await Promise.all([
    pool.query(
      `SELECT id, user_id, status, total_amount, created_at, updated_at, expires_at, paid_at, cancelled_at, cancel_reason
         FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 0`,
      [userId],
    ),
    pool.query('SELECT count(*) AS total FROM orders WHERE user_id = $1', [userId]),
  ]);
  const ids = page.rows.map((row) => row.id);
  const items = await pool.query(
    'SELECT order_id, product_id, product_name, quantity, unit_price, subtotal FROM order_items WHERE order_id = ANY($1::bigint[]) ORDER BY order_id, id',
    [ids],
  );
  const byOrder = new Map(ids.map((id) => [id, []]));
  for (const item of items.rows)
    byOrder
      .get(item.order_id)
      ?.push({ ...item, unit_price: Number(item.unit_price), subtotal: Number(item.subtotal) });
  send(res, 200, {
    items: page.rows.map((order) => ({
      ...order,
      total_amount: Number(order.total_amount),
      items: byOrder.get(order.id),
    })),
    total: count.rows[0].total,
    page: 1,
    page_size: 20,
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const detail = /^\/api\/products\/(\d+)$/.exec(url.pathname);
  const purchase = /^\/api\/flash-sales\/(\d+)\/orders$/.exec(url.pathname);
  let work;
  if (req.method === 'GET' && detail) {
    work = pool
      .query(`SELECT ${COLUMNS} FROM products WHERE id = $1 AND is_active`, [Number(detail[1])])
      .then(({ rows }) =>
        rows[0] ? send(res, 200, product(rows[0])) : send(res, 404, 'not found'),
      );
  } else if (req.method === 'GET' && url.pathname === '/api/products') {
    work = listProducts(url, res);
  } else if (req.method === 'POST' && url.pathname === '/api/orders') {
    work = createOrder(req, res);
  } else if (req.method === 'POST' && url.pathname === '/bare/hot-row') {
    work = bareHotRow(req, res);
  } else if (req.method === 'GET' && url.pathname === '/bare/taken') {
    return send(res, 200, { taken: bareTaken, in_flight: bareInFlight });
  } else if (req.method === 'GET' && url.pathname === '/api/orders') {
    work = listOrders(req, res);
  } else if (req.method === 'POST' && purchase) {
    work = refusePurchase(req, res, Number(purchase[1]));
  } else {
    return send(res, 404, 'not found');
  }
  work.catch(() => send(res, 500, 'error'));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(FLOOR_PORT), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () =>
  server.close(() =>
    Promise.all([pool.end(), barePool.end(), redis.quit()]).then(() => process.exit(0)),
  ),
);
