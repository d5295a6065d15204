import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { isTwoDecimalCurrency } from './currency.js';
import type { AppConfig } from './app-config.js';
import { DEV_JWT_SECRET, EnvironmentVariables, PUBLISHED_JWT_SECRETS } from './env.schema.js';
import {
  redisConnection,
  RedisSettingError,
  type RedisConnectionConfig,
} from './redis-connection.js';
import {
  ENCODE_CREDENTIALS,
  hasStrayAt,
  parseReplicaUrls,
  ReplicaUrlError,
  type ReplicaEndpoint,
} from './replica-urls.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A value of the wrong kind says so before any range complaint ("abc" is not "too large"). */
const TYPE_CONSTRAINTS = ['isInt', 'isBoolean', 'isUrl', 'isEmail', 'isIn', 'isString', 'matches'];

/**
 * A URL without its password. Everything from the first ":" of the credentials to the last "@"
 * is the password: an unencoded "@", "/" or "#" in it (a malformed URL is exactly what an error
 * line shows) must not leave part of it visible. A password in the query is masked too.
 */
export const maskedUrl = (value: string): string => {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0];
  if (scheme === undefined) return value;
  const query = (text: string): string =>
    text.replace(/([?&;](?:password|pass|pwd)=)[^&;]*/gi, '$1***');
  const at = value.lastIndexOf('@');
  const colon = value.indexOf(':', scheme.length);
  if (at < 0 || colon < 0 || colon > at) return query(value);
  return query(`${value.slice(0, colon)}:***${value.slice(at)}`);
};

/** The value as given, for the error line; never a secret, and URLs without their password. */
const shown = (name: string, env: NodeJS.ProcessEnv): string =>
  /SECRET|PASSWORD|_KEY$/.test(name) ? '' : ` (got ${JSON.stringify(maskedUrl(env[name] ?? ''))})`;

const describe = (error: ValidationError, env: NodeJS.ProcessEnv): string => {
  const constraints = error.constraints ?? {};
  const key = TYPE_CONSTRAINTS.find((name) => name in constraints) ?? Object.keys(constraints)[0];
  const message = (key && constraints[key]) ?? 'is invalid';
  const text = message.startsWith(error.property)
    ? message.slice(error.property.length + 1)
    : message;
  return `Invalid configuration: ${error.property} ${text}${shown(error.property, env)}`;
};

/** The same rules for the signing secret and for the one kept from before a rotation. */
function checkJwtSecret(name: string, secret: string, production: boolean): void {
  if (secret.length < 32) {
    throw new ConfigError(`Invalid configuration: ${name} must be at least 32 characters`);
  }
  // Forty spaces are forty characters, and no secret.
  if (/^\s*$/.test(secret)) {
    throw new ConfigError(`Invalid configuration: ${name} must not be only whitespace`);
  }
  const published = PUBLISHED_JWT_SECRETS.get(secret);
  if (production && published !== undefined) {
    throw new ConfigError(
      `Invalid configuration: ${name} is ${published}; set a secret of your own`,
    );
  }
}

function redisSettings(vars: EnvironmentVariables, env: NodeJS.ProcessEnv): RedisConnectionConfig {
  try {
    return redisConnection(vars);
  } catch (error) {
    if (!(error instanceof RedisSettingError)) throw error;
    const value = error.showValue ? shown(error.variable, env) : '';
    throw new ConfigError(`Invalid configuration: ${error.message}${value}`);
  }
}

function replicaEndpoints(vars: EnvironmentVariables): ReplicaEndpoint[] {
  try {
    return parseReplicaUrls(vars.DATABASE_REPLICA_URLS);
  } catch (error) {
    if (!(error instanceof ReplicaUrlError)) throw error;
    throw new ConfigError(`Invalid configuration: DATABASE_REPLICA_URLS ${error.message}`);
  }
}

/**
 * Parses and validates the environment once. Throws a ConfigError whose message is one line
 * naming the first bad variable; the entry points print it and exit.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const vars = plainToInstance(EnvironmentVariables, present, { exposeDefaultValues: true });
  const [first] = validateSync(vars, { forbidUnknownValues: false });
  if (first) throw new ConfigError(describe(first, env));

  const databaseUrl = new URL(vars.DATABASE_URL);
  if (hasStrayAt(databaseUrl)) {
    throw new ConfigError(
      `Invalid configuration: DATABASE_URL ${ENCODE_CREDENTIALS}${shown('DATABASE_URL', env)}`,
    );
  }
  // Without one, PostgreSQL picks the database named like the user: the shop's tables would be
  // created in `postgres`, beside whatever else lives there.
  if (databaseUrl.pathname.replace(/^\//, '') === '') {
    throw new ConfigError(
      `Invalid configuration: DATABASE_URL must name a database (postgres://host:5432/<name>)${shown('DATABASE_URL', env)}`,
    );
  }

  const production = vars.NODE_ENV === 'production';
  const secret = vars.JWT_SECRET ?? (production ? undefined : DEV_JWT_SECRET);
  if (secret === undefined) {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production');
  }
  checkJwtSecret('JWT_SECRET', secret, production);
  if (vars.JWT_SECRET_PREVIOUS !== undefined) {
    checkJwtSecret('JWT_SECRET_PREVIOUS', vars.JWT_SECRET_PREVIOUS, production);
  }
  if ((vars.BULL_BOARD_USERNAME === undefined) !== (vars.BULL_BOARD_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration: BULL_BOARD_USERNAME and BULL_BOARD_PASSWORD must be set together',
    );
  }
  if (vars.HTTP_REQUEST_TIMEOUT_MS < vars.HTTP_HEADERS_TIMEOUT_MS) {
    throw new ConfigError(
      'Invalid configuration: HTTP_REQUEST_TIMEOUT_MS must not be less than HTTP_HEADERS_TIMEOUT_MS',
    );
  }
  if ((vars.ADMIN_EMAIL === undefined) !== (vars.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    );
  }
  // The default, fake, pays without money: never by default in production, unless
  // PAYMENT_FAKE_IN_PRODUCTION allows it there (staging), where the default is fake again.
  const fakeAllowed = !production || vars.PAYMENT_FAKE_IN_PRODUCTION;
  const providerList = vars.PAYMENT_PROVIDERS ?? (fakeAllowed ? 'fake' : '');
  const providers = [
    ...new Set(
      providerList
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
  if (!isTwoDecimalCurrency(vars.CURRENCY)) {
    throw new ConfigError(
      `Invalid configuration: CURRENCY must be an ISO 4217 currency with two decimals (got "${vars.CURRENCY}")`,
    );
  }
  if (production && providers.includes('fake') && !vars.PAYMENT_FAKE_IN_PRODUCTION) {
    throw new ConfigError(
      'Invalid configuration: PAYMENT_PROVIDERS includes fake (payments without money), refused with NODE_ENV=production unless PAYMENT_FAKE_IN_PRODUCTION=true',
    );
  }

  return {
    nodeEnv: vars.NODE_ENV,
    port: vars.PORT,
    workerPort: vars.WORKER_PORT,
    metricsPort: vars.METRICS_PORT,
    docsEnabled: vars.DOCS_ENABLED ?? !production,
    database: {
      url: vars.DATABASE_URL,
      poolSize: vars.DATABASE_POOL_SIZE,
      statementTimeoutMs: vars.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: vars.DATABASE_CONNECT_TIMEOUT_MS,
      migrationsRun: vars.MIGRATIONS_RUN,
    },
    readReplicas: {
      endpoints: replicaEndpoints(vars),
      maxLagSeconds: vars.DATABASE_REPLICA_MAX_LAG,
      poolSize: vars.DATABASE_REPLICA_POOL_SIZE,
      connectTimeoutMs: vars.DATABASE_REPLICA_CONNECT_TIMEOUT_MS,
    },
    redis: {
      url: vars.REDIS_URL,
      prefix: vars.REDIS_PREFIX,
      connection: redisSettings(vars, env),
    },
    jwt: {
      secret,
      previousSecret: vars.JWT_SECRET_PREVIOUS,
      accessTtl: vars.JWT_ACCESS_TTL,
      refreshTtl: vars.JWT_REFRESH_TTL,
    },
    admin: {
      email: vars.ADMIN_EMAIL,
      password: vars.ADMIN_PASSWORD,
      username: vars.ADMIN_USERNAME,
    },
    rateLimit: {
      requests: vars.RATE_LIMIT_REQUESTS,
      window: vars.RATE_LIMIT_WINDOW,
      authRequests: vars.AUTH_RATE_LIMIT_REQUESTS,
      authWindow: vars.AUTH_RATE_LIMIT_WINDOW,
      trustProxy: vars.TRUST_PROXY,
    },
    accountLockout: { maxFailures: vars.AUTH_MAX_FAILURES, window: vars.AUTH_FAILURE_WINDOW },
    orders: {
      paymentTimeout: vars.ORDER_PAYMENT_TIMEOUT,
      sweepInterval: vars.ORDER_SWEEP_INTERVAL,
    },
    flashSales: {
      rateLimit: vars.FLASH_SALE_RATE_LIMIT,
      rateWindow: vars.FLASH_SALE_RATE_WINDOW,
      sweepInterval: vars.FLASH_SALE_SWEEP_INTERVAL,
    },
    orderCaps: {
      pendingOrders: vars.ORDER_MAX_PENDING_PER_USER,
      pendingUnits: vars.ORDER_MAX_PENDING_UNITS_PER_USER,
    },
    orderBatch: { windowMs: vars.ORDER_BATCH_WINDOW_MS, maxSize: vars.ORDER_BATCH_MAX },
    sessionCache: { ttl: vars.SESSION_CACHE_TTL },
    mail: { smtpUrl: vars.SMTP_URL, from: vars.MAIL_FROM, appUrl: vars.APP_URL },
    cache: { ttl: vars.CACHE_TTL, listTtl: vars.CACHE_LIST_TTL },
    views: { flushIntervalSeconds: vars.VIEWS_FLUSH_INTERVAL },
    http: {
      bodyMaxKeys: vars.BODY_MAX_KEYS,
      headersTimeoutMs: vars.HTTP_HEADERS_TIMEOUT_MS,
      receiveTimeoutMs: vars.HTTP_REQUEST_TIMEOUT_MS,
      requestTimeoutMs: vars.REQUEST_TIMEOUT_MS,
      slowRequestMs: vars.SLOW_REQUEST_MS,
    },
    runWorkers: vars.RUN_WORKERS,
    corsOrigins: (vars.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    shutdownTimeout: vars.SHUTDOWN_TIMEOUT,
    shutdownDrainMs: vars.SHUTDOWN_DRAIN_MS,
    jobs: { attempts: vars.JOB_ATTEMPTS, backoffMs: vars.JOB_BACKOFF_MS },
    queueDashboard:
      vars.BULL_BOARD_USERNAME !== undefined && vars.BULL_BOARD_PASSWORD !== undefined
        ? {
            username: vars.BULL_BOARD_USERNAME,
            password: vars.BULL_BOARD_PASSWORD,
            maxFailures: vars.BULL_BOARD_MAX_FAILURES,
            lockSeconds: vars.BULL_BOARD_LOCK_SECONDS,
          }
        : undefined,
    payments: {
      providers,
      currency: vars.CURRENCY,
      publicUrl: (vars.PUBLIC_URL ?? vars.APP_URL).replace(/\/+$/, ''),
      reconcileAfter: vars.PAYMENT_RECONCILE_AFTER,
      fakeInProduction: vars.PAYMENT_FAKE_IN_PRODUCTION,
      stripe: {
        secretKey: vars.STRIPE_SECRET_KEY,
        webhookSecret: vars.STRIPE_WEBHOOK_SECRET,
        apiBase: vars.STRIPE_API_BASE,
      },
      alipay: {
        appId: vars.ALIPAY_APP_ID,
        privateKey: vars.ALIPAY_PRIVATE_KEY,
        publicKey: vars.ALIPAY_PUBLIC_KEY,
        gateway: vars.ALIPAY_GATEWAY,
      },
      wechatpay: {
        mchId: vars.WECHATPAY_MCH_ID,
        appId: vars.WECHATPAY_APP_ID,
        serialNo: vars.WECHATPAY_SERIAL_NO,
        privateKey: vars.WECHATPAY_PRIVATE_KEY,
        apiV3Key: vars.WECHATPAY_API_V3_KEY,
        platformPublicKey: vars.WECHATPAY_PLATFORM_PUBLIC_KEY,
        apiBase: vars.WECHATPAY_API_BASE,
      },
    },
    logLevel: vars.LOG_LEVEL,
  };
}
