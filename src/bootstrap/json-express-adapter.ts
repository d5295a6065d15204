import { ExpressAdapter } from '@nestjs/platform-express';
import type { Response } from 'express';
import { PreSerialized } from '../common/http/pre-serialized.js';

/** Express, plus writing PreSerialized bodies without serialising them again. */
export class JsonExpressAdapter extends ExpressAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    if (!(body instanceof PreSerialized)) return super.reply(response, body, statusCode);
    if (statusCode !== undefined) response.status(statusCode);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    return response.end(body.json);
  }
}
