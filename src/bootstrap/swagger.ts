import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER } from '../common/decorators/auth.decorator.js';
import { NOT_RATE_LIMITED } from '../common/decorators/rate-limit.decorator.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RAW_BODY_ROUTES } from '../modules/payments/index.js';

const pkg = createRequire(import.meta.url)('../../package.json') as {
  version: string;
  description: string;
  license: string;
};

/** Every tag a controller uses (@ApiTags), described once for the document's tag list. */
const TAGS: Record<string, string> = {
  auth: 'Accounts, logins and tokens',
  users: 'The signed-in user’s profile, and user administration',
  products: 'The catalogue',
  orders: 'Placing, paying and fulfilling orders',
  reviews: 'Customers’ reviews of the products they received',
  'flash-sales': 'Flash sales: a few units at a sale price for a crowd, in a time window',
  payments: 'Paying orders through payment providers, and the providers’ notifications',
  reports: 'Sales reports, computed in the background',
  health: 'Probes and metrics for the platform',
};

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Shop API')
    .setDescription(
      `${pkg.description}.\n\nEvery /api success is {code, message, data, timestamp}; every error is ` +
        '{code, message, errors, timestamp, path, request_id}. JSON fields are snake_case, money is a ' +
        'number with at most two decimals, times are ISO-8601 UTC.',
    )
    .setVersion(pkg.version)
    .setLicense(pkg.license, `https://spdx.org/licenses/${pkg.license}.html`)
    // Relative: the API is served by the same origin as this document, wherever it is deployed.
    .addServer('/', 'The server that serves this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER)
    // The JWT guard is global and closed by default; @Public() and @Auth() say so per operation.
    .addSecurityRequirements(BEARER);
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  describeIdParameters(document);
  listNullInNullableEnums(document);
  describeCommonAnswers(document);
  refuseUnknownRequestFields(document);
  return document;
}

/**
 * Path ids (`@Param('id', ParseIdPipe) id: number`) as ParseIdPipe takes them: integers from 1
 * to the largest safe one. Swagger reads only the parameter's TypeScript type, a number; the
 * API's other path parameters are strings.
 */
function describeIdParameters(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item as Record<string, unknown>)) {
      const parameters = (operation as { parameters?: unknown[] } | undefined)?.parameters ?? [];
      for (const parameter of parameters as Array<{
        in?: string;
        schema?: Record<string, unknown>;
      }>) {
        if (parameter.in === 'path' && parameter.schema?.type === 'number') {
          parameter.schema = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
        }
      }
    }
  }
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<
    string,
    { description: string; headers?: Record<string, unknown>; content?: unknown }
  >;
  [extension: `x-${string}`]: unknown;
}

const operationsOf = (document: OpenAPIObject): Operation[] =>
  Object.values(document.paths).flatMap((item) =>
    Object.values(item as Record<string, Operation>).filter(
      (value): value is Operation => typeof value === 'object' && 'responses' in value,
    ),
  );

const ERROR_BODY = {
  'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } },
};

const HEADERS = {
  'X-Request-ID': {
    description: "The request's id: the client's X-Request-ID when it sent a usable one",
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': {
    description: 'Requests the client may send in the window of the limit nearest to refusing it',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in that window',
    schema: { type: 'integer' },
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    schema: { type: 'integer' },
  },
};
const header = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** The OpenAPI paths of the routes whose body stays raw (no JSON parsing, so no 415). */
const RAW_BODY_PATHS = new Set(
  RAW_BODY_ROUTES.map(({ path }) => `/${path.replace(/:(\w+)/g, '{$1}')}`),
);

/**
 * What every operation may answer whatever its controller says: X-Request-ID on every answer;
 * on every rate-limited operation (all but those marked NoRateLimit) the X-RateLimit headers and
 * a 429 with Retry-After; a 413 for a body past 1 MB and, where bodies are read as JSON, a 415
 * for one in a charset other than UTF-8: every route reads a body sent to it, even one that
 * takes none.
 */
function describeCommonAnswers(document: OpenAPIObject): void {
  document.components = { ...document.components, headers: HEADERS };
  for (const [path, item] of Object.entries(document.paths)) {
    if (RAW_BODY_PATHS.has(path)) continue;
    for (const operation of operationsOf({ ...document, paths: { [path]: item } })) {
      (operation.responses ??= {})['415'] ??= {
        description: 'Body in a charset other than UTF-8',
        content: ERROR_BODY,
      };
    }
  }
  for (const operation of operationsOf(document)) {
    const responses = (operation.responses ??= {});
    const limited = operation[NOT_RATE_LIMITED] !== true;
    if (limited) {
      responses['429'] ??= {
        description: 'Rate limit exceeded (see Retry-After)',
        content: ERROR_BODY,
      };
    }
    responses['413'] ??= { description: 'Body larger than 1 MB', content: ERROR_BODY };
    for (const [status, response] of Object.entries(responses)) {
      response.headers = {
        ...response.headers,
        'X-Request-ID': header('X-Request-ID'),
        ...(limited
          ? {
              'X-RateLimit-Limit': header('X-RateLimit-Limit'),
              'X-RateLimit-Remaining': header('X-RateLimit-Remaining'),
            }
          : {}),
        ...(status === '429' ? { 'Retry-After': header('Retry-After') } : {}),
      };
    }
  }
}

/**
 * Every field of a request body that its DTO does not declare is a 400 (the validation pipe
 * whitelists): the body schemas say so with `additionalProperties: false`, nested ones included.
 * A schema that is also an answer's is left open.
 */
function refuseUnknownRequestFields(document: OpenAPIObject): void {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  const refsIn = (node: unknown, into: Set<string>): Set<string> => {
    if (Array.isArray(node)) for (const item of node) refsIn(item, into);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const name = value.replace('#/components/schemas/', '');
          if (!into.has(name)) {
            into.add(name);
            refsIn(schemas[name], into);
          }
        } else refsIn(value, into);
      }
    }
    return into;
  };
  const operations = operationsOf(document);
  const requests = refsIn(
    operations.map((operation) => operation.requestBody),
    new Set(),
  );
  const answers = refsIn(
    operations.map((operation) => operation.responses),
    new Set(),
  );
  for (const name of requests) {
    const schema = schemas[name];
    if (schema?.type === 'object' && !answers.has(name)) schema.additionalProperties = false;
  }
}

/**
 * OpenAPI 3.0 `nullable` does not widen an `enum` (3.0.3's clarification): a nullable enum lists
 * null among its values, or strict validators refuse the nulls the API sends.
 */
function listNullInNullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) listNullInNullableEnums(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const schema = node as { nullable?: unknown; enum?: unknown[] };
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) {
    schema.enum = [...schema.enum, null];
  }
  for (const value of Object.values(node)) listNullInNullableEnums(value);
}

/**
 * Swagger UI at /docs and the OpenAPI 3 document at /docs-json, unless DOCS_ENABLED is off (the
 * default with NODE_ENV=production): then those paths are unknown routes like any other (404).
 */
export function setupSwagger(app: INestApplication): void {
  if (!app.get<AppConfig>(APP_CONFIG).docsEnabled) return;
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
