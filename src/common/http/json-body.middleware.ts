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

/**
 * Parses JSON bodies inside Nest's middleware chain (not as bare Express middleware) so that a
 * malformed or oversized body reaches the one exception filter like any other error.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      parse(req, res, (error?: BodyParserError) => {
        if (error) reject(toHttpException(error));
        else resolve();
      });
    });
    next();
  }
}
