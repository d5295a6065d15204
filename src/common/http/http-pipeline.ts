import type { Provider } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from '../filters/all-exceptions.filter.js';
import { EnvelopeInterceptor } from '../interceptors/envelope.interceptor.js';
import { NoBodyInterceptor } from '../interceptors/no-body.interceptor.js';
import { createValidationPipe } from '../pipes/validation.js';

/** The wire format, identical in the api and the worker: one filter, one envelope, one pipe
 * (and the refusal of fields sent to a route that takes no body). */
export const HTTP_PIPELINE_PROVIDERS: Provider[] = [
  { provide: APP_FILTER, useClass: AllExceptionsFilter },
  { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
  { provide: APP_INTERCEPTOR, useClass: NoBodyInterceptor },
  { provide: APP_PIPE, useFactory: createValidationPipe },
];
