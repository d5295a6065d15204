import {
  BadRequestException,
  Injectable,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  type NestMiddleware,
} from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

export const BODY_LIMIT = '1mb';
const parse = express.json({ limit: BODY_LIMIT, strict: true });

interface BodyParserError {
  type?: string;
  status?: number;
}

const toHttpException = (error: BodyParserError): Error => {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeException('Request body exceeds 1 MB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeException('Unsupported body encoding');
    default:
      return new BadRequestException('Malformed JSON body');
  }
};

/** Deeper than any request body of the API; far below what recursive validation survives. */
export const MAX_JSON_DEPTH = 32;

/** How deeply a parsed JSON value nests, counted without recursion, stopping past `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Parses JSON bodies inside Nest's middleware chain (not as bare Express middleware) so that a
 * malformed, oversized or absurdly nested body reaches the one exception filter like any other
 * error.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      parse(req, res, (error?: BodyParserError) => {
        if (error) reject(toHttpException(error));
        else if (jsonDepthExceeds(req.body, MAX_JSON_DEPTH)) {
          // Validation and transformation recurse: a body nested thousands deep would
          // exhaust the stack there.
          reject(new BadRequestException(`JSON body nests deeper than ${MAX_JSON_DEPTH} levels`));
        } else resolve();
      });
    });
    next();
  }
}

const readRaw = express.raw({ type: () => true, limit: BODY_LIMIT });

/**
 * Reads the body as raw bytes, unparsed, for the routes that must verify a signature over
 * exactly what was sent (payment notifications); same limit and errors as JSON bodies.
 * `rawBodyOf` gives the bytes (empty when there was no body).
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      readRaw(req, res, (error?: BodyParserError) => {
        if (error) reject(toHttpException(error));
        else resolve();
      });
    });
    next();
  }
}

export const rawBodyOf = (req: Request): Buffer => {
  const body: unknown = req.body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
};
