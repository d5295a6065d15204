import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { REDIS_URL_FORMS } from './redis-connection.js';

export const DEV_JWT_SECRET = 'development-only-secret-do-not-use-in-production';

/**
 * Secrets anyone can read in this repository, refused with NODE_ENV=production: the development
 * default, Compose's local default and the placeholder of .env.example (a delivery test checks
 * those files still say these).
 */
export const PUBLISHED_JWT_SECRETS: ReadonlyMap<string, string> = new Map([
  [DEV_JWT_SECRET, 'the development default'],
  ['compose-local-secret-change-me-0123456789abcdef', "docker-compose.yml's local default"],
  ['change-me-to-at-least-32-random-characters-0123456789', 'the placeholder of .env.example'],
]);
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;

/** Strict integer parsing: "12abc", "1.5" and "" are errors, not 12, 1 or 0. */
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/** Proxy hops: true is one (the ingress in front), false none, or a count. */
const toHops = ({ value }: { value: unknown }): unknown => {
  const bool = toBool({ value });
  if (bool === true) return 1;
  if (bool === false) return 0;
  return toInt({ value });
};

const INT = 'must be an integer';
const BOOL = 'must be true or false';

/** An http:// or https:// URL (hosts without a TLD, such as localhost, included). */
const IsHttpUrl = (): PropertyDecorator =>
  IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'must be an http:// or https:// URL' },
  );

/**
 * Every environment variable the processes read, with its default. Values arrive as strings and
 * leave typed; anything that does not parse stops start-up (see load-config.ts).
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(65535)
  WORKER_PORT = 3001;

  /** Unset: /metrics on PORT (api) or WORKER_PORT (worker). Set: /metrics only on this port. */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  /** Swagger UI and the OpenAPI document; unset: on, except with NODE_ENV=production. */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: BOOL })
  DOCS_ENABLED?: boolean;

  @IsUrl(
    { protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true },
    { message: 'must be a postgres:// URL' },
  )
  DATABASE_URL = 'postgres://postgres:postgres@localhost:5432/ecommerce';

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(500)
  DATABASE_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 10_000;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS = 3_000;

  /** Read replicas, comma-separated postgres:// URLs; parsed in replica-urls.ts. */
  @IsOptional()
  @IsString()
  DATABASE_REPLICA_URLS?: string;

  /** Seconds a replica may be behind the primary and still serve reads. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(3600)
  DATABASE_REPLICA_MAX_LAG = 5;

  /** Connections per process to each replica. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(500)
  DATABASE_REPLICA_POOL_SIZE = 10;

  /** Short: a read waiting for an unreachable replica goes to the primary after this. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(100)
  @Max(60_000)
  DATABASE_REPLICA_CONNECT_TIMEOUT_MS = 1_000;

  /** One server (redis://, rediss://) or a Sentinel group; parsed in redis-connection.ts. */
  @Matches(/^rediss?(\+sentinel)?:\/\/\S+$/, { message: REDIS_URL_FORMS })
  REDIS_URL = 'redis://localhost:6379/0';

  /** A Redis Cluster's nodes, host:port,...; replaces REDIS_URL when set. */
  @IsOptional()
  @IsString()
  REDIS_CLUSTER_NODES?: string;

  /** The Sentinels' own password (requirepass of the sentinels), when they have one. */
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** PEM files for TLS connections (rediss://): the CA to trust, and a client certificate. */
  @IsOptional()
  @IsString()
  REDIS_TLS_CA_FILE?: string;

  @IsOptional()
  @IsString()
  REDIS_TLS_CERT_FILE?: string;

  @IsOptional()
  @IsString()
  REDIS_TLS_KEY_FILE?: string;

  @Transform(toBool)
  @IsBoolean({ message: BOOL })
  REDIS_TLS_REJECT_UNAUTHORIZED = true;

  @Matches(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'must be 1-64 characters of [A-Za-z0-9_:.-]' })
  REDIS_PREFIX = 'shop';

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  /** The secret before the last rotation: tokens it signed stay valid until they expire. */
  @IsOptional()
  @IsString()
  JWT_SECRET_PREVIOUS?: string;

  // Any positive lifetime: a short one is how a staging stack (or a test) watches tokens expire.
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(86_400)
  JWT_ACCESS_TTL = 900;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(31_536_000)
  JWT_REFRESH_TTL = 604_800;

  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @Length(8, 128, { message: 'must be 8 to 128 characters' })
  ADMIN_PASSWORD?: string;

  @Matches(/^[A-Za-z0-9_.-]{3,50}$/, { message: 'must be 3-50 characters of [A-Za-z0-9_.-]' })
  ADMIN_USERNAME = 'admin';

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  RATE_LIMIT_REQUESTS = 100;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  RATE_LIMIT_WINDOW = 60;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  AUTH_RATE_LIMIT_REQUESTS = 10;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  AUTH_RATE_LIMIT_WINDOW = 60;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  AUTH_MAX_FAILURES = 10;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(86_400)
  AUTH_FAILURE_WINDOW = 900;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  ORDER_PAYMENT_TIMEOUT = 1800;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  ORDER_SWEEP_INTERVAL = 60;

  /** Purchase attempts one customer may make in a flash sale per FLASH_SALE_RATE_WINDOW. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  FLASH_SALE_RATE_LIMIT = 5;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  FLASH_SALE_RATE_WINDOW = 1;

  /** Seconds between looks for flash sales that ended, whose unsold units go back to stock. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  FLASH_SALE_SWEEP_INTERVAL = 5;

  /** Pending orders one customer may hold at once; 0: no limit. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(0)
  @Max(1_000_000)
  ORDER_MAX_PENDING_PER_USER = 10;

  /** Units one customer may hold in pending orders at once; 0: no limit. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(0)
  @Max(1_000_000_000)
  ORDER_MAX_PENDING_UNITS_PER_USER = 100;

  /** How long the first order of a batch waits for others to join it (group commit); 0: off. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(0)
  @Max(1000)
  ORDER_BATCH_WINDOW_MS = 2;

  /** A batch of orders is written as soon as it holds this many. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(500)
  ORDER_BATCH_MAX = 64;

  /** Seconds a login's check (session, role, status) is answered from Redis; 0: always PostgreSQL. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(0)
  @Max(300)
  SESSION_CACHE_TTL = 30;

  @IsUrl(
    { protocols: ['smtp', 'smtps'], require_tld: false, require_protocol: true },
    { message: 'must be an smtp:// or smtps:// URL' },
  )
  SMTP_URL = 'smtp://localhost:1025';

  @IsEmail({}, { message: 'must be an email address' })
  MAIL_FROM = 'shop@example.com';

  @IsHttpUrl()
  APP_URL = 'http://localhost:3000';

  @Transform(toBool)
  @IsBoolean({ message: BOOL })
  RUN_WORKERS = true;

  @Transform(toBool)
  @IsBoolean({ message: BOOL })
  MIGRATIONS_RUN = true;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  CACHE_TTL = 300;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  CACHE_LIST_TTL = 60;

  /** Seconds between write-backs of product views counted in Redis. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(300)
  VIEWS_FLUSH_INTERVAL = 5;

  /** Object keys in all that one JSON body may hold; more is a 400 before parsing. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(100_000)
  BODY_MAX_KEYS = 1000;

  /** A client must have sent all request headers within this, or the connection is closed. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(100)
  @Max(600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** A client must have sent the whole request (headers and body) within this. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(100)
  @Max(3_600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** false (0), true (1 hop: the ingress) or a number of proxy hops to trust. */
  @Transform(toHops)
  @IsInt({ message: 'must be true, false or a number of proxy hops' })
  @Min(0, { message: 'must be true, false or a number of proxy hops' })
  @Max(10, { message: 'must be true, false or a number of proxy hops' })
  TRUST_PROXY = 0;

  /** Origins allowed to call the API from a browser, comma-separated; empty: none. */
  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^,\s]+(,\s*https?:\/\/[^,\s]+)*)$/, {
    message: 'must be * or comma-separated http(s) origins',
  })
  CORS_ORIGINS?: string;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(300)
  SHUTDOWN_TIMEOUT = 10;

  /** After SIGTERM, the api keeps accepting (readiness 503) this long before it stops. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(0)
  @Max(120_000)
  SHUTDOWN_DRAIN_MS = 2000;

  /** A request still unanswered this long after it arrived is answered 503, its SQL cancelled. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(100)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 15_000;

  /** Requests slower than this are logged again at warn level. */
  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(600_000)
  SLOW_REQUEST_MS = 1000;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(50)
  JOB_ATTEMPTS = 10;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(10)
  @Max(3_600_000)
  JOB_BACKOFF_MS = 5000;

  @IsOptional()
  @Matches(/^[^:]{1,64}$/, { message: 'must be 1-64 characters without ":"' })
  BULL_BOARD_USERNAME?: string;

  @IsOptional()
  @Length(12, 128, { message: 'must be 12 to 128 characters' })
  BULL_BOARD_PASSWORD?: string;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  BULL_BOARD_MAX_FAILURES = 5;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(86_400)
  BULL_BOARD_LOCK_SECONDS = 900;

  /**
   * Payment providers enabled, comma-separated; each must be a known adapter (see payments).
   * Unset: fake in development and tests, none with NODE_ENV=production unless
   * PAYMENT_FAKE_IN_PRODUCTION=true (see load-config.ts).
   */
  @IsOptional()
  @Matches(/^\s*[a-z0-9_]+(\s*,\s*[a-z0-9_]+)*\s*$/, {
    message: 'must be comma-separated provider names such as fake,stripe',
  })
  PAYMENT_PROVIDERS?: string;

  /** ISO 4217 code of every price; checked for two decimals in load-config.ts. */
  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code in capitals, such as USD' })
  CURRENCY = 'USD';

  /** The api's public base for provider callbacks and return URLs; unset: APP_URL. */
  @IsOptional()
  @IsHttpUrl()
  PUBLIC_URL?: string;

  @Transform(toInt)
  @IsInt({ message: INT })
  @Min(1)
  @Max(86_400)
  PAYMENT_RECONCILE_AFTER = 600;

  @Transform(toBool)
  @IsBoolean({ message: BOOL })
  PAYMENT_FAKE_IN_PRODUCTION = false;

  @IsOptional()
  @IsString()
  STRIPE_SECRET_KEY?: string;

  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  @IsHttpUrl()
  STRIPE_API_BASE = 'https://api.stripe.com';

  @IsOptional()
  @IsString()
  ALIPAY_APP_ID?: string;

  /** The application's RSA2 private key (PEM, or Alipay's bare base64). */
  @IsOptional()
  @IsString()
  ALIPAY_PRIVATE_KEY?: string;

  /** Alipay's RSA2 public key (PEM, or bare base64), for notifications and responses. */
  @IsOptional()
  @IsString()
  ALIPAY_PUBLIC_KEY?: string;

  @IsHttpUrl()
  ALIPAY_GATEWAY = 'https://openapi.alipay.com/gateway.do';

  @IsOptional()
  @IsString()
  WECHATPAY_MCH_ID?: string;

  @IsOptional()
  @IsString()
  WECHATPAY_APP_ID?: string;

  /** Serial number of the merchant API certificate whose key is WECHATPAY_PRIVATE_KEY. */
  @IsOptional()
  @IsString()
  WECHATPAY_SERIAL_NO?: string;

  @IsOptional()
  @IsString()
  WECHATPAY_PRIVATE_KEY?: string;

  /** The 32-character API v3 key: decrypts notification resources (AEAD_AES_256_GCM). */
  @IsOptional()
  @IsString()
  WECHATPAY_API_V3_KEY?: string;

  /** WeChat Pay's platform public key (PEM): verifies responses and notifications. */
  @IsOptional()
  @IsString()
  WECHATPAY_PLATFORM_PUBLIC_KEY?: string;

  @IsHttpUrl()
  WECHATPAY_API_BASE = 'https://api.mch.weixin.qq.com';

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}
