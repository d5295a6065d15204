import { RequestMethod } from '@nestjs/common';

/**
 * Routes whose body stays raw bytes: provider notifications are verified over exactly what was
 * sent (Stripe signs JSON, Alipay posts a form, WeChat Pay JSON), so no parser may touch them.
 */
export const RAW_BODY_ROUTES: { path: string; method: RequestMethod }[] = [
  { path: 'api/payments/webhooks/:provider', method: RequestMethod.POST },
];
