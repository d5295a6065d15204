import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER } from '../common/decorators/auth.decorator.js';

const pkg = createRequire(import.meta.url)('../../package.json') as {
  version: string;
  description: string;
};

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Shop API')
    .setDescription(
      `${pkg.description}.\n\nEvery /api success is {code, message, data, timestamp}; every error is ` +
        '{code, message, errors, timestamp, path, request_id}. JSON fields are snake_case, money is a ' +
        'number with at most two decimals, times are ISO-8601 UTC.',
    )
    .setVersion(pkg.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the OpenAPI 3 document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
