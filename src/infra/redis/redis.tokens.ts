import { Inject } from '@nestjs/common';

/** The shared ioredis client for cache, rate-limit counters and other short commands. */
export const REDIS = Symbol('REDIS');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS);

/** The connection every queue producer shares (BullMQ workers open their own). */
export const QUEUE_REDIS = Symbol('QUEUE_REDIS');
