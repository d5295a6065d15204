import { Worker, type ConnectionOptions, type Processor, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * Queues share a fail-fast producer connection (no offline queue, one retry, short command
 * timeout). A worker needs the opposite: it blocks waiting for jobs and must wait through
 * outages. This Worker keeps the address and credentials of the connection it is given and
 * opens its own with BullMQ's required settings (installed as BullModule.workerClass).
 */
export class BlockingWorker extends Worker {
  constructor(name: string, processor: Processor | string | URL | null, opts: WorkerOptions) {
    const given = opts.connection;
    let connection: ConnectionOptions = given;
    if (given instanceof Redis) {
      const { host, port, family, db, username, password, tls } = given.options;
      connection = {
        host,
        port,
        family,
        db,
        username,
        password,
        tls,
        connectionName: 'shop-worker',
        maxRetriesPerRequest: null,
      };
    }
    super(name, processor ?? undefined, { ...opts, connection });
  }
}
