import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, signUp, unique } from '../support/factories.js';
import { compileClient, type CompiledClient } from '../support/openapi-client.js';
import { startApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);

let t: TestApp;
let client: CompiledClient;
let productName: string;

beforeAll(async () => {
  t = await startApp();
  const admin = await signUp(t, { role: 'admin' });
  productName = unique('journey cup ');
  await createProduct(t, admin, { name: productName, price: 12.5, stock: 5, category: null });
  // Generated and compiled once; both tests read the result.
  client = await compileClient((await t.http.get('/docs-json')).body);
}, 60_000);
afterAll(async () => {
  await client.remove();
  await t.close();
});

describe('a client generated from /docs-json', () => {
  it('compiles with strict TypeScript, with no casts, non-null assertions or any', () => {
    expect(client.diagnostics.join('\n')).toBe('');
    expect(client.escapes).toEqual([]);
  });

  it('takes a customer from registration to a paid order against the running app', async () => {
    const { stdout } = await run(process.execPath, [client.script], {
      env: { PATH: process.env.PATH, SHOP_URL: t.url, PRODUCT_NAME: productName },
      timeout: 20_000,
    });
    const seen = JSON.parse(stdout) as { user_id: number; placed: { id: number } };
    const { user_id: userId, placed } = seen;
    const orderId = placed.id;
    expect(seen).toMatchObject({
      page: { page: 1, page_size: 5, total: 1 },
      product: { name: productName, price: 12.5 },
      placed: { status: 'pending', total_amount: 25 },
      read: {
        id: orderId,
        user_id: userId,
        items: [{ product_name: productName, quantity: 2, unit_price: 12.5, subtotal: 25 }],
      },
      own: { total: 1, ids: [orderId] },
      paid: { id: orderId, status: 'paid', paid_at: expect.any(String) },
    });
    const { rows } = await t.db.query<{ status: string; stock: number }>(
      `SELECT o.status, p.stock FROM orders o JOIN order_items i ON i.order_id = o.id
         JOIN products p ON p.id = i.product_id WHERE o.id = $1`,
      [orderId],
    );
    expect(rows).toEqual([{ status: 'paid', stock: 3 }]);
  });
});
