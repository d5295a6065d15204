import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs the rest of a request inside its context. */
export const runInRequestContext = (requestId: string, work: () => void): void => {
  storage.run({ requestId }, work);
};

/** Runs queued work in the context of the request that caused it (when it carries an id). */
export const withRequestId = <T>(requestId: string | undefined, work: () => T): T =>
  requestId === undefined ? work() : storage.run({ requestId }, work);

/** The id of the request this code runs for, if any (queued work carries it on). */
export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;
