import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { AllExceptionsFilter } from '../../common/filters/all-exceptions.filter.js';
import { InjectConfig, type AppConfig } from '../../config/app-config.js';
import { trackCheckouts } from '../database/pool-checkout.js';
import { pgPoolOf } from '../database/pool-metrics.js';
import { routeOf } from '../metrics/http-metrics.js';
import { cancelBackends } from './backend-cancel.js';
import { currentRequestWork, runWithRequestWork, type RequestWork } from './request-work.js';

const processIdOf = (client: PoolClient): number | undefined => {
  const id = (client as PoolClient & { processID?: unknown }).processID;
  return typeof id === 'number' ? id : undefined;
};

/**
 * REQUEST_TIMEOUT_MS: a request still unanswered that long after it arrived in full (a slow
 * upload is the slow-client limits' business, not this) is answered 503 in the error format, and
 * its database work stops: the statements its connections are running are cancelled, it gets no
 * further connection, and the connections it held are closed rather than pooled. The handler
 * may still be running; whatever it answers later is dropped.
 */
@Injectable()
export class RequestTimeout implements OnModuleDestroy {
  private readonly logger = new Logger(RequestTimeout.name);
  private readonly filter = new AllExceptionsFilter();
  private readonly untrack: () => void;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectDataSource() dataSource: DataSource,
  ) {
    const pool = pgPoolOf(dataSource);
    this.untrack = pool
      ? trackCheckouts(pool, () => {
          const work = currentRequestWork();
          if (!work) return undefined;
          let held: PoolClient | undefined;
          return {
            acquired: (client) => {
              if (work.timedOut) return new DomainError('unavailable', 'Request timed out');
              held = client;
              work.connections.add(client);
              return undefined;
            },
            released: () => {
              if (held) work.connections.delete(held);
              return work.timedOut;
            },
          };
        })
      : () => undefined;
  }

  onModuleDestroy(): void {
    this.untrack();
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const work: RequestWork = { connections: new Set(), timedOut: false };
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (timer !== undefined || res.writableEnded) return;
      timer = setTimeout(() => {
        this.expire(req, res, work);
      }, this.config.http.requestTimeoutMs);
      timer.unref();
    };
    res.once('close', () => {
      clearTimeout(timer);
    });
    // The clock starts once the request has arrived in full: at once without a body, else when
    // its last byte has been read (the body parser reads every body).
    const body =
      req.headers['transfer-encoding'] !== undefined ||
      Number(req.headers['content-length'] ?? 0) > 0;
    if (!body || req.complete) arm();
    else req.once('end', arm);
    runWithRequestWork(work, next);
  };

  private expire(req: Request, res: Response, work: RequestWork): void {
    work.timedOut = true;
    const backends = [...work.connections].flatMap((client) => processIdOf(client) ?? []);
    this.logger.warn(
      {
        route: routeOf(req),
        timeout_ms: this.config.http.requestTimeoutMs,
        cancelled_backends: backends.length,
        request_id: req.id,
      },
      'request timed out',
    );
    cancelBackends(this.config.database, backends).catch((error: unknown) => {
      this.logger.error({ err: error, request_id: req.id }, 'cancelling its statements failed');
    });
    if (res.headersSent) return;
    // The one filter writes the error, as for any other failure.
    this.filter.catch(
      new DomainError('unavailable', 'The request took too long and was stopped; retry later'),
      new ExecutionContextHost([req, res, () => undefined]),
    );
  }
}
