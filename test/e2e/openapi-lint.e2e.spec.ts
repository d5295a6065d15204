import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintOpenApi, type Finding } from '../support/openapi-lint.js';
import { startApp, type TestApp } from '../support/test-app.js';

interface Parameter {
  name: string;
  in: string;
  schema: Record<string, unknown>;
}
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
}
interface Doc {
  servers: { url: string }[];
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
}

let t: TestApp;
let doc: Doc;
let findings: Finding[];

beforeAll(async () => {
  t = await startApp();
  doc = (await t.http.get('/docs-json')).body as Doc;
  findings = await lintOpenApi(doc);
}, 60_000);
afterAll(() => t.close());

const show = (list: Finding[]): string =>
  list.map((f) => `${f.tool} ${f.severity} ${f.rule} ${f.where}: ${f.message}`).join('\n');

const operation = (path: string, method: string): Operation => {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`${method} ${path} is not documented`);
  return op;
};

const queryParameter = (path: string, name: string): Parameter | undefined =>
  operation(path, 'get').parameters?.find((p) => p.in === 'query' && p.name === name);

describe('the OpenAPI document, linted', () => {
  it('has no error under Spectral (spectral:oas) or Redocly (recommended)', () => {
    const errors = findings.filter((f) => f.severity === 'error');
    expect(show(errors)).toBe('');
  });

  it('warns only of operations with a summary but no description, and probes with no 4xx answer', () => {
    // Both are true and harmless: summaries say what each operation does, and the probes and
    // /metrics have no client error to document.
    const probes = ['/health/live', '/health/ready', '/health', '/metrics'];
    const other = findings.filter(
      (f) =>
        f.severity !== 'error' &&
        !(f.tool === 'spectral' && f.rule === 'operation-description') &&
        !(
          f.tool === 'redocly' &&
          f.rule === 'operation-4xx-response' &&
          probes.some((p) => f.where === `#/paths/${p.replaceAll('/', '~1')}/get/responses`)
        ),
    );
    expect(show(other)).toBe('');
  });

  it('catches the errors the document once had, in a copy that has them again', async () => {
    const broken = structuredClone(doc);
    broken.servers = [];
    delete broken.security;
    const copy = broken.paths['/api/products']?.get;
    if (copy) delete copy.security;
    const create = broken.components.schemas.CreateProductDto;
    if (create) create.properties.category = { type: 'object', example: 'kitchen', nullable: true };
    const rules = (await lintOpenApi(broken))
      .filter((f) => f.severity === 'error')
      .map((f) => `${f.tool} ${f.rule}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        'redocly no-empty-servers',
        'redocly security-defined',
        'spectral oas3-valid-schema-example',
      ]),
    );
  });
});

describe('the OpenAPI document, as a client reads it', () => {
  it('types page, page_size and limit as integers with the bounds validation enforces', () => {
    for (const path of ['/api/products', '/api/orders', '/api/users']) {
      expect(queryParameter(path, 'page')?.schema, path).toEqual({
        type: 'integer',
        minimum: 1,
        maximum: 1_000_000,
        default: 1,
      });
      expect(queryParameter(path, 'page_size')?.schema, path).toEqual({
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: 20,
      });
    }
    expect(queryParameter('/api/products/hot', 'limit')?.schema).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 10,
    });
  });

  it('types the product bodies’ description and category as nullable strings', () => {
    for (const name of ['CreateProductDto', 'UpdateProductDto']) {
      const properties = doc.components.schemas[name]?.properties;
      expect(properties?.description, name).toMatchObject({ type: 'string', nullable: true });
      expect(properties?.category, name).toMatchObject({ type: 'string', nullable: true });
    }
  });

  it('declares security on every operation: none on the public ones, the bearer token on the rest', () => {
    const open = [
      'get /health/live',
      'get /health/ready',
      'get /health',
      'get /metrics',
      'post /api/auth/register',
      'post /api/auth/login',
      'post /api/auth/refresh',
      'post /api/auth/verify-email',
      'post /api/auth/forgot-password',
      'post /api/auth/reset-password',
      'get /api/products',
      'get /api/products/hot',
      'post /api/products/batch',
      'get /api/products/{id}',
      'get /api/products/{id}/reviews',
      'post /api/payments/webhooks/{provider}',
      'get /api/flash-sales',
      'get /api/flash-sales/{id}',
    ];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const name = `${method} ${path}`;
        expect(op.security, name).toEqual(open.includes(name) ? [] : [{ bearer: [] }]);
      }
    }
  });

  it('names the origin that serves it as the server', () => {
    expect(doc.servers.map((s) => s.url)).toEqual(['/']);
  });
});
