import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolClient } from 'pg';

/** The database connections one request holds, and whether its time is up. */
export interface RequestWork {
  readonly connections: Set<PoolClient>;
  timedOut: boolean;
}

const storage = new AsyncLocalStorage<RequestWork>();

/** Runs the rest of a request with a record of its database work. */
export const runWithRequestWork = (work: RequestWork, next: () => void): void => {
  storage.run(work, next);
};

/** The request this code runs for, if any. */
export const currentRequestWork = (): RequestWork | undefined => storage.getStore();
