import { Module } from '@nestjs/common';
import { RequestTimeout } from './request-timeout.js';

/** The api's server-side request timeout (REQUEST_TIMEOUT_MS); see RequestTimeout. */
@Module({ providers: [RequestTimeout], exports: [RequestTimeout] })
export class RequestTimeoutModule {}
