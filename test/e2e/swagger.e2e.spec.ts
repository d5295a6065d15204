import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/test-app.js';

interface Operation {
  security?: object[];
  responses: Record<
    string,
    {
      content?: { 'application/json'?: { schema?: unknown } };
      headers?: Record<string, { $ref: string }>;
    }
  >;
  requestBody?: unknown;
}
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes?: object;
    headers?: Record<string, unknown>;
    schemas: Record<
      string,
      { additionalProperties?: boolean; properties?: Record<string, unknown> }
    >;
  };
};

let t: TestApp;
let doc: Doc;

beforeAll(async () => {
  t = await startApp();
  doc = (await t.http.get('/docs-json')).body as Doc;
});
afterAll(() => t.close());

const operations = (): [string, string, Operation][] =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]) => [path, method, op] as [string, string, Operation],
    ),
  );

describe('OpenAPI document', () => {
  it('serves Swagger UI at /docs', async () => {
    const res = await t.http.get('/docs').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('declares the bearer scheme', () => {
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
  });

  it('documents every /api success inside the envelope and every error in the error format', () => {
    const api = operations().filter(([path]) => path.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(5);
    for (const [path, method, op] of api) {
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      expect(success, `${method} ${path}`).toHaveLength(1);
      const status = success[0]!;
      if (status !== '204') {
        const schema = JSON.stringify(op.responses[status]?.content?.['application/json']?.schema);
        expect(schema, `${method} ${path}`).toContain('SuccessEnvelopeDto');
      }
      for (const error of statuses.filter((s) => Number(s) >= 400)) {
        expect(JSON.stringify(op.responses[error]), `${method} ${path} ${error}`).toContain(
          'ErrorResponseDto',
        );
      }
    }
  });

  it('documents the 403 of a disabled account on every secured route', () => {
    for (const [path, method, op] of operations()) {
      if ((op.security?.length ?? 0) === 0) continue;
      expect(Object.keys(op.responses), `${method} ${path}`).toContain('403');
    }
  });

  it.each([
    ['post', '/api/products'],
    ['put', '/api/products/{id}'],
    ['patch', '/api/products/{id}'],
  ])('documents the 409 of a duplicate sku on %s %s', (method, path) => {
    expect(Object.keys(doc.paths[path]![method]!.responses)).toContain('409');
  });

  it('types every path id as the integer ParseIdPipe takes, and a report job id by its pattern', async () => {
    type Param = { in: string; name: string; schema: Record<string, unknown> };
    const pathParams = operations().flatMap(([path, method, op]) =>
      ((op as unknown as { parameters?: Param[] }).parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => ({ where: `${method} ${path} ${p.name}`, ...p })),
    );
    const ids = pathParams.filter((p) => p.name === 'id');
    expect(ids.length).toBeGreaterThan(15);
    for (const p of ids) {
      expect(p.schema, p.where).toEqual({
        type: 'integer',
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
      });
    }
    const jobId = pathParams.find((p) => p.name === 'job_id')!;
    expect(jobId.schema).toMatchObject({ type: 'string' });
    const pattern = new RegExp(jobId.schema.pattern as string);
    expect(['1', '42'].every((v) => pattern.test(v))).toBe(true);
    expect(['0', 'abc', '1.5', '-1'].some((v) => pattern.test(v))).toBe(false);
    // As documented, so answered: an id the document refuses is a 400.
    expect((await t.http.get('/api/products/1.5')).status).toBe(400);
  });

  it('documents the answers every operation may give: X-Request-ID, the rate limit and its 429, 413 and 415 for a body', () => {
    // What the api does (rate-limit.e2e, wire-format.e2e): every route is limited but the probes,
    // /metrics and the providers' notifications; any body is refused past 1 MB, and one in another
    // charset than UTF-8 wherever bodies are parsed as JSON (all but the notifications).
    const unlimited = /^\/(health|metrics)|^\/api\/payments\/webhooks\//;
    for (const [path, method, op] of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.headers?.['X-Request-ID'], `${where} ${status}`).toBeDefined();
        expect(
          response.headers?.['X-RateLimit-Remaining'] !== undefined,
          `${where} ${status}`,
        ).toBe(!unlimited.test(path));
      }
      expect(op.responses['429']?.headers?.['Retry-After'] !== undefined, where).toBe(
        !unlimited.test(path),
      );
      expect(op.responses['413'], where).toBeDefined();
      if (!where.includes('/webhooks/')) expect(op.responses['415'], where).toBeDefined();
    }
    expect(Object.keys(doc.components.headers ?? {}).sort()).toEqual([
      'Retry-After',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-Request-ID',
    ]);
  });

  it('says that request bodies take no field they do not declare, nested ones included', () => {
    const { schemas } = doc.components;
    for (const name of [
      'CreateProductDto',
      'UpdateProductDto',
      'CreateOrderDto',
      'OrderItemInputDto',
    ]) {
      expect(schemas[name]?.additionalProperties, name).toBe(false);
    }
    // Answers stay open: a client must not break on a field added later.
    expect(schemas.ProductResponseDto?.additionalProperties).toBeUndefined();
    expect((schemas.UpdateProductDto?.properties?.sku as { pattern?: string }).pattern).toBe(
      (schemas.CreateProductDto?.properties?.sku as { pattern?: string }).pattern,
    );
  });

  it('lists null among the values of a nullable enum (OpenAPI 3.0.3)', () => {
    const schemas = (
      doc.components as {
        schemas: Record<
          string,
          { properties: Record<string, { enum?: unknown[]; nullable?: boolean }> }
        >;
      }
    ).schemas;
    expect(schemas.OrderResponseDto!.properties.cancel_reason).toMatchObject({
      nullable: true,
      enum: ['user', 'admin', 'payment_timeout', null],
    });
  });

  it('states the length bounds of the product list text filters that validation enforces', () => {
    const params = (
      doc.paths['/api/products']!.get as unknown as {
        parameters: { name: string; schema: { maxLength?: number } }[];
      }
    ).parameters;
    for (const name of ['search', 'category', 'brand']) {
      expect(params.find((p) => p.name === name)?.schema.maxLength, name).toBe(100);
    }
  });

  it('marks exactly the routes that answer 401 without a token as secured', async () => {
    for (const [path, method, op] of operations()) {
      const url = path.replace(/\{[^}]+\}/g, '1');
      const res = await t.http[method as 'get'](url).send({});
      const secured = (op.security?.length ?? 0) > 0;
      expect(res.status === 401, `${method} ${path} answered ${res.status}`).toBe(secured);
      if (secured) expect(Object.keys(op.responses), `${method} ${path}`).toContain('401');
    }
  });
});
