import type { IncomingMessage } from 'node:http';
import {
  BadRequestException,
  Injectable,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  type NestMiddleware,
} from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { validationFailed } from '../errors/domain-error.js';
import { inputHazards } from '../validation/input-hazards.js';
import { jsonShapeViolation, type JsonShapeLimits } from './json-shape.js';

export const BODY_LIMIT = '1mb';
const BODY_LIMIT_BYTES = 1024 * 1024;

/** Deeper than any request body of the API; far below what recursive validation survives. */
export const MAX_JSON_DEPTH = 32;

/**
 * Array elements in all that any body may hold, whatever its route. Routes bound their own
 * arrays more tightly with @ArrayMaxSize on the DTO (checked before validation, see
 * AppValidationPipe); this is the cap for what no DTO describes.
 */
export const MAX_BODY_ARRAY_ITEMS = 1000;

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** Thrown from body-parser's verify hook; body-parser keeps the type, so the mapping sees it. */
class BodyShapeError extends Error {
  readonly type = 'entity.shape.refused';
}

const TOO_LARGE = 'Request body exceeds 1 MB';

const toHttpException = (error: BodyParserError): Error => {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException(TOO_LARGE);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeException('Unsupported body encoding');
    case 'entity.shape.refused':
      return new BadRequestException(error.message);
    default:
      return new BadRequestException('Malformed JSON body');
  }
};

type BodyReader = (req: Request, res: Response, done: (error?: BodyParserError) => void) => void;

/**
 * After a 413, how long the rest of the body is still read (and thrown away) before the
 * connection is closed. Closing at once, with bytes of the body still arriving, makes the
 * kernel reset the connection, and a client still sending may lose the 413 with it.
 */
const LINGER_MS = 1000;

/**
 * Answers a body that passes BODY_LIMIT at once, where body-parser would read the rest of it
 * first (to keep the connection): a chunked body that never ends, or a Content-Length of
 * gigabytes, was read for the 30 s of the request deadline before its 413. The connection of
 * such a refusal is closed LINGER_MS after the answer unless the body has ended by then, and
 * whatever body-parser reports later is ignored. The answer is the HTTP error a refused body
 * gets. Counted on the wire, so a compressed body is also held to 1 MB once inflated, by
 * body-parser, as before.
 */
function readWithinLimit(
  read: BodyReader,
  req: Request,
  res: Response,
): Promise<Error | undefined> {
  const tooLarge = (): Error => {
    res.once('finish', () => {
      setTimeout(() => {
        if (!req.complete) req.socket.destroy();
      }, LINGER_MS).unref();
    });
    return new PayloadTooLargeException(TOO_LARGE);
  };
  if (Number(req.headers['content-length']) > BODY_LIMIT_BYTES) return Promise.resolve(tooLarge());
  return new Promise((resolve) => {
    let received = 0;
    const count = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > BODY_LIMIT_BYTES) settle(tooLarge());
    };
    const settle = (refusal: Error | undefined): void => {
      req.off('data', count);
      resolve(refusal);
    };
    // Attached in the same turn as body-parser's own reader, so both see every chunk.
    req.on('data', count);
    read(req, res, (error) => {
      settle(error ? toHttpException(error) : undefined);
    });
  });
}

/**
 * JSON (RFC 8259) between systems is UTF-8; other charsets are refused rather than decoded,
 * so that the shape check reads the very bytes that are parsed.
 */
const UTF8 = new Set(['utf-8', 'utf8']);

/** application/json, and the JSON-based types named with +json (application/merge-patch+json). */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

const isJson = (req: IncomingMessage): boolean =>
  JSON_MEDIA_TYPE.test(req.headers['content-type'] ?? '');

/** Whether the request carries a body at all (body-parser's own test, type-is's hasBody). */
const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

const NOT_JSON = 'Request body must be JSON (Content-Type: application/json)';

const REFUSED_BODY = Symbol('refusedBody');

type WithRefusedBody = Request & { [REFUSED_BODY]?: Error };

/**
 * Why the request's body was refused (400, 413, 415), if it was. The refusal is answered by
 * BodyRefusalGuard, after the rate limit has counted the request: a client sending bodies the
 * API refuses is limited like any other (CONTRACT §5), which it would not be if the middleware,
 * which runs before every guard, answered it.
 */
export const refusedBodyOf = (req: Request): Error | undefined =>
  (req as WithRefusedBody)[REFUSED_BODY];

/**
 * Parses JSON bodies inside Nest's middleware chain (not as bare Express middleware). A
 * malformed, oversized or too costly body is not answered here: its refusal is noted on the
 * request (refusedBodyOf) and thrown by BodyRefusalGuard once the rate limit has counted the
 * request, so it reaches the one exception filter like any other error. Whatever its shape, a body of up to 1 MB costs a scan of its bytes before it is parsed:
 * more than BODY_MAX_KEYS object keys, MAX_BODY_ARRAY_ITEMS array elements or MAX_JSON_DEPTH
 * levels are a 400 then, before JSON.parse builds anything. Once parsed, a NUL character in any
 * string or a prototype key anywhere is a 400 naming the field. A body that is not JSON by its
 * Content-Type is a 400 too, not ignored.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: ReturnType<typeof express.json>;

  constructor(@InjectConfig() config: AppConfig) {
    const limits: JsonShapeLimits = {
      maxKeys: config.http.bodyMaxKeys,
      maxArrayItems: MAX_BODY_ARRAY_ITEMS,
      maxDepth: MAX_JSON_DEPTH,
    };
    this.parse = express.json({
      limit: BODY_LIMIT,
      strict: true,
      type: isJson,
      verify: (_req, _res, bytes, encoding) => {
        if (!UTF8.has(encoding.toLowerCase())) {
          throw Object.assign(new Error('Unsupported charset'), { type: 'charset.unsupported' });
        }
        const violation = jsonShapeViolation(bytes, limits);
        if (violation !== undefined) throw new BodyShapeError(violation);
      },
    });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const refusal = await this.refusalOf(req, res);
    if (refusal) (req as WithRefusedBody)[REFUSED_BODY] = refusal;
    next();
  }

  private async refusalOf(req: Request, res: Response): Promise<Error | undefined> {
    // A body in another media type (a form, text) would otherwise be skipped, and the route
    // would run as if nothing had been sent: a PATCH answering 200 having changed nothing.
    if (hasBody(req) && !isJson(req)) return new BadRequestException(NOT_JSON);
    const refusal = await readWithinLimit(this.parse, req, res);
    if (refusal) return refusal;
    const hazards = inputHazards(req.body);
    return hazards ? validationFailed(hazards) : undefined;
  }
}

/**
 * Reads the body as raw bytes, unparsed, for the routes that must verify a signature over
 * exactly what was sent (payment notifications); same limit and errors as JSON bodies, and a
 * JSON body is held to the same cost bounds (keys, array elements, depth: a scan of its bytes,
 * nothing parsed), so no route takes a body another would refuse as too costly.
 * `rawBodyOf` gives the bytes (empty when there was no body).
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  private readonly read: ReturnType<typeof express.raw>;

  constructor(@InjectConfig() config: AppConfig) {
    const limits: JsonShapeLimits = {
      maxKeys: config.http.bodyMaxKeys,
      maxArrayItems: MAX_BODY_ARRAY_ITEMS,
      maxDepth: MAX_JSON_DEPTH,
    };
    this.read = express.raw({
      type: () => true,
      limit: BODY_LIMIT,
      verify: (req, _res, bytes) => {
        if (!/\bjson\b/i.test(req.headers['content-type'] ?? '')) return;
        const violation = jsonShapeViolation(bytes, limits);
        if (violation !== undefined) throw new BodyShapeError(violation);
      },
    });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const refusal = await readWithinLimit(this.read, req, res);
    if (refusal) throw refusal;
    next();
  }
}

export const rawBodyOf = (req: Request): Buffer => {
  const body: unknown = req.body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
};
