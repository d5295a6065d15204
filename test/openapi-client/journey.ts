// A customer's journey through a client generated from /docs-json (openapi-typescript types,
// openapi-fetch calls). test/e2e/openapi-client.e2e.spec.ts generates ./schema.d.ts beside a copy
// of this file in a temporary directory, compiles both strictly and runs the output, so this file
// is outside the repository's own TypeScript project. It may not use casts, non-null assertions or
// `any`: every type comes from the document.
//
// Input: SHOP_URL (the running api) and PRODUCT_NAME (an active product, price 12.50, that no
// other product's name contains). Output: one JSON line of what the journey saw; exit 1 on any
// unexpected answer.
import { randomBytes } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Order = components['schemas']['OrderResponseDto'];

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The `data` of a success envelope, or an error naming the call and the error body. */
function dataOf<T>(call: string, result: { data?: { data: T }; error?: unknown }): T {
  if (result.data === undefined) throw new Error(`${call}: ${JSON.stringify(result.error)}`);
  return result.data.data;
}

async function journey(baseUrl: string, productName: string): Promise<Record<string, unknown>> {
  const anonymous = createClient<paths>({ baseUrl });
  const username = `journey_${randomBytes(4).toString('hex')}`;
  const password = 'journey-password-1';

  const user = dataOf(
    'register',
    await anonymous.POST('/api/auth/register', {
      body: { email: `${username}@example.com`, username, password },
    }),
  );
  const tokens = dataOf(
    'login',
    await anonymous.POST('/api/auth/login', { body: { username, password } }),
  );
  const customer = createClient<paths>({
    baseUrl,
    headers: { Authorization: `${tokens.token_type} ${tokens.access_token}` },
  });

  const page = dataOf(
    'list products',
    await anonymous.GET('/api/products', {
      params: {
        query: { page: 1, page_size: 5, search: productName, sort: 'price', order: 'asc' },
      },
    }),
  );
  const [listed] = page.items;
  if (!listed) throw new Error(`list products: ${productName} is not listed`);

  const product = dataOf(
    'read product',
    await anonymous.GET('/api/products/{id}', { params: { path: { id: listed.id } } }),
  );

  const placed: Order = dataOf(
    'place order',
    await customer.POST('/api/orders', {
      params: { header: { 'Idempotency-Key': `journey-${username}` } },
      body: { items: [{ product_id: product.id, quantity: 2 }] },
    }),
  );
  const read = dataOf(
    'read order',
    await customer.GET('/api/orders/{id}', { params: { path: { id: placed.id } } }),
  );
  const own = dataOf(
    'list own orders',
    await customer.GET('/api/orders', { params: { query: { page: 1, page_size: 10 } } }),
  );
  const paid = dataOf(
    'pay order',
    await customer.POST('/api/orders/{id}/pay', { params: { path: { id: placed.id } } }),
  );

  return {
    user_id: user.id,
    page: { page: page.page, page_size: page.page_size, total: page.total },
    product: { id: product.id, name: product.name, price: product.price },
    placed: { id: placed.id, status: placed.status, total_amount: placed.total_amount },
    read: { id: read.id, user_id: read.user_id, items: read.items },
    own: { total: own.total, ids: own.items.map((order) => order.id) },
    paid: { id: paid.id, status: paid.status, paid_at: paid.paid_at },
  };
}

try {
  const seen = await journey(setting('SHOP_URL'), setting('PRODUCT_NAME'));
  process.stdout.write(`${JSON.stringify(seen)}\n`);
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
