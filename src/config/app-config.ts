import type { LOG_LEVELS, NODE_ENVS } from './env.schema.js';
import type { RedisConnectionConfig } from './redis-connection.js';
import type { ReplicaEndpoint } from './replica-urls.js';

import { Inject } from '@nestjs/common';

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injects the AppConfig built once at start-up by loadConfig(). */
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/** The typed configuration every module reads; code never reads process.env directly. */
export interface AppConfig {
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  readonly port: number;
  readonly workerPort: number;
  /** Where /metrics is served: undefined on the process's own port, else only on this one. */
  readonly metricsPort: number | undefined;
  /** Swagger UI at /docs and the OpenAPI document at /docs-json and /docs-yaml. */
  readonly docsEnabled: boolean;
  readonly database: {
    readonly url: string;
    readonly poolSize: number;
    readonly statementTimeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly migrationsRun: boolean;
  };
  /** PostgreSQL read replicas (CONTRACT §9); none: every read goes to the primary. */
  readonly readReplicas: {
    readonly endpoints: readonly ReplicaEndpoint[];
    /** A replica further behind than this is skipped. */
    readonly maxLagSeconds: number;
    readonly poolSize: number;
    readonly connectTimeoutMs: number;
  };
  readonly redis: {
    /** REDIS_URL as given; REDIS_CLUSTER_NODES replaces it when set. */
    readonly url: string;
    readonly prefix: string;
    /** Where and how to connect: the one input of the Redis client factory. */
    readonly connection: RedisConnectionConfig;
  };
  readonly jwt: {
    readonly secret: string;
    /** The secret before the last rotation: verifies, never signs. */
    readonly previousSecret: string | undefined;
    readonly accessTtl: number;
    readonly refreshTtl: number;
  };
  readonly admin: {
    readonly email: string | undefined;
    readonly password: string | undefined;
    readonly username: string;
  };
  readonly rateLimit: {
    readonly requests: number;
    readonly window: number;
    readonly authRequests: number;
    readonly authWindow: number;
    /** Proxy hops whose X-Forwarded-For is believed (0: none). */
    readonly trustProxy: number;
  };
  /** Failed logins per account name: past maxFailures in a window, that name's logins are 429. */
  readonly accountLockout: { readonly maxFailures: number; readonly window: number };
  readonly orders: { readonly paymentTimeout: number; readonly sweepInterval: number };
  /** Flash sales (CONTRACT §7): the per-customer limit of purchase attempts, the end sweep. */
  readonly flashSales: {
    readonly rateLimit: number;
    readonly rateWindow: number;
    readonly sweepInterval: number;
  };
  /** What one customer may hold in pending orders at once (CONTRACT §5); 0: no limit. */
  readonly orderCaps: { readonly pendingOrders: number; readonly pendingUnits: number };
  /** Group commit of orders: the wait for a batch to fill, and its size cap. */
  readonly orderBatch: { readonly windowMs: number; readonly maxSize: number };
  /** Seconds a login's check is answered from Redis (0: never), invalidated by every change. */
  readonly sessionCache: { readonly ttl: number };
  readonly mail: { readonly smtpUrl: string; readonly from: string; readonly appUrl: string };
  readonly cache: { readonly ttl: number; readonly listTtl: number };
  /** Seconds between write-backs of the product views counted in Redis. */
  readonly views: { readonly flushIntervalSeconds: number };
  readonly http: {
    /** Object keys in all that one JSON body may hold. */
    readonly bodyMaxKeys: number;
    /** Time a client has to send the request headers, and the whole request. */
    readonly headersTimeoutMs: number;
    readonly receiveTimeoutMs: number;
    /** A request unanswered this long (after its body arrived) is answered 503. */
    readonly requestTimeoutMs: number;
    /** Requests slower than this get a warn line of their own. */
    readonly slowRequestMs: number;
  };
  readonly runWorkers: boolean;
  /** Origins allowed by CORS; empty: no cross-origin access. */
  readonly corsOrigins: readonly string[];
  /** Seconds a SIGTERM may take before the process gives up waiting and exits 1. */
  readonly shutdownTimeout: number;
  /** Milliseconds the api keeps accepting after SIGTERM, reporting not ready, before it stops. */
  readonly shutdownDrainMs: number;
  /** Queue jobs: tries per job, and the first retry delay (doubling after each failure). */
  readonly jobs: { readonly attempts: number; readonly backoffMs: number };
  /**
   * Basic-auth credentials of the queue dashboard at /admin/queues, and how many wrong ones a
   * client address may send before it is locked out for lockSeconds; absent: no dashboard.
   */
  readonly queueDashboard:
    | {
        readonly username: string;
        readonly password: string;
        readonly maxFailures: number;
        readonly lockSeconds: number;
      }
    | undefined;
  readonly payments: PaymentsConfig;
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

/**
 * Payments (CONTRACT §6). Which providers are known, and what each needs, is the payments
 * module's business: it checks at start-up that every enabled one has its settings.
 */
export interface PaymentsConfig {
  /** Enabled provider names, in the order given. */
  readonly providers: readonly string[];
  /** ISO 4217, two-decimal: amounts are whole cents in the provider's smallest unit. */
  readonly currency: string;
  /** The api's public base (no trailing slash), for notify and return URLs. */
  readonly publicUrl: string;
  /** Seconds after which a payment still pending is looked up at its provider. */
  readonly reconcileAfter: number;
  readonly fakeInProduction: boolean;
  readonly stripe: {
    readonly secretKey: string | undefined;
    readonly webhookSecret: string | undefined;
    readonly apiBase: string;
  };
  readonly alipay: {
    readonly appId: string | undefined;
    readonly privateKey: string | undefined;
    readonly publicKey: string | undefined;
    readonly gateway: string;
  };
  readonly wechatpay: {
    readonly mchId: string | undefined;
    readonly appId: string | undefined;
    readonly serialNo: string | undefined;
    readonly privateKey: string | undefined;
    readonly apiV3Key: string | undefined;
    readonly platformPublicKey: string | undefined;
    readonly apiBase: string;
  };
}
