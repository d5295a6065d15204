import type { Request } from 'express';

/** Who is counted: the client IP as Express sees it (after TRUST_PROXY hops). */
export const rateLimitTracker = (req: Request): string =>
  req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** One counter per client and limit, across all routes, under the deployment's Redis prefix. */
export const rateLimitKey = (prefix: string, limit: string, tracker: string): string =>
  `${prefix}:rl:${limit}:${tracker}`;
