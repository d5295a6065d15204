import { AsyncLocalStorage } from 'node:async_hooks';

const primaryOnly = new AsyncLocalStorage<true>();

/**
 * Runs work whose replica reads must see the primary's latest commits: a customer reading what
 * they just wrote, a cache entry filled right after the write that invalidated it. Inside,
 * `Database.replica` is the primary; code outside keeps its own choice.
 */
export const readsFromPrimary = <T>(work: () => Promise<T>): Promise<T> =>
  primaryOnly.run(true, work);

/** True inside readsFromPrimary. */
export const readsMustSeePrimary = (): boolean => primaryOnly.getStore() === true;
