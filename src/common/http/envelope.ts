/**
 * The contract's success envelope, around data that is already JSON text. The one place it is
 * built: the envelope interceptor (data it has just serialised, or a cache miss's text) and the
 * cached-read fast path (a hit's text) both call it.
 */
export const successEnvelope = (code: number, dataJson: string): string =>
  `{"code":${code},"message":"success","data":${dataJson},"timestamp":"${new Date().toISOString()}"}`;
