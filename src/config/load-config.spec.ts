import { describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from './env.schema.js';
import { ConfigError, loadConfig, maskedUrl } from './load-config.js';

const fail = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to throw');
};

describe('loadConfig', () => {
  it('applies every documented default to an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.workerPort).toBe(3001);
    expect(config.database.url).toBe('postgres://postgres:postgres@localhost:5432/ecommerce');
    expect(config.redis.url).toBe('redis://localhost:6379/0');
    expect(config.jwt).toEqual({ secret: DEV_JWT_SECRET, accessTtl: 900, refreshTtl: 604800 });
    expect(config.admin).toEqual({ email: undefined, password: undefined, username: 'admin' });
    expect(config.rateLimit).toEqual({
      requests: 100,
      window: 60,
      authRequests: 10,
      authWindow: 60,
      trustProxy: 0,
    });
    expect(config.corsOrigins).toEqual([]);
    expect(config.orders).toEqual({ paymentTimeout: 1800, sweepInterval: 60 });
    expect(config.mail).toEqual({
      smtpUrl: 'smtp://localhost:1025',
      from: 'shop@example.com',
      appUrl: 'http://localhost:3000',
    });
    expect(config.cache).toEqual({ ttl: 300, listTtl: 60 });
    expect(config.runWorkers).toBe(true);
    expect(config.database.migrationsRun).toBe(true);
    expect(config.logLevel).toBe('info');
  });

  it('parses numbers and booleans from strings', () => {
    const config = loadConfig({ PORT: '8080', RUN_WORKERS: 'false', TRUST_PROXY: 'true' });
    expect(config.port).toBe(8080);
    expect(config.runWorkers).toBe(false);
    expect(config.rateLimit.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '2' }).rateLimit.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'false' }).rateLimit.trustProxy).toBe(0);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer (got "abc")'],
    [{ PORT: '12abc' }, 'PORT must be an integer'],
    [{ PORT: '70000' }, 'PORT must not be greater than 65535'],
    [{ WORKER_PORT: '1.5' }, 'WORKER_PORT must be an integer'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL must be a postgres:// URL'],
    [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL must be a redis:// or rediss:// URL'],
    [{ RUN_WORKERS: 'maybe' }, 'RUN_WORKERS must be true or false'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY must be true, false or a number of proxy hops'],
    [{ CORS_ORIGINS: 'example.com' }, 'CORS_ORIGINS must be * or comma-separated http(s) origins'],
    [{ ADMIN_EMAIL: 'root@example.com' }, 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together'],
  ])('rejects %j with one line naming the variable', (env, expected) => {
    const message = fail(env);
    expect(message).toContain(expected);
    expect(message).not.toContain('\n');
  });

  it('refuses to start in production without a JWT secret', () => {
    expect(fail({ NODE_ENV: 'production' })).toBe(
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    );
  });

  it('refuses a short JWT secret', () => {
    expect(fail({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toContain('at least 32');
  });

  it('refuses the development secret in production', () => {
    expect(fail({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toContain(
      'development default',
    );
  });

  it.each([
    ['compose-local-secret-change-me-0123456789abcdef', "docker-compose.yml's local default"],
    ['change-me-to-at-least-32-random-characters-0123456789', 'the placeholder of .env.example'],
  ])('refuses the published secret %s in production, with one line', (secret, name) => {
    expect(fail({ NODE_ENV: 'production', JWT_SECRET: secret })).toBe(
      `Invalid configuration: JWT_SECRET is ${name}; set a secret of your own`,
    );
    expect(loadConfig({ NODE_ENV: 'development', JWT_SECRET: secret }).jwt.secret).toBe(secret);
  });

  it('bounds request bodies and slow clients by default as the contract says', () => {
    expect(loadConfig({}).http).toMatchObject({
      bodyMaxKeys: 1000,
      headersTimeoutMs: 10_000,
      receiveTimeoutMs: 30_000,
    });
    expect(fail({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toBe(
      'Invalid configuration: HTTP_REQUEST_TIMEOUT_MS must not be less than HTTP_HEADERS_TIMEOUT_MS',
    );
  });

  it('never prints a secret value in an error', () => {
    expect(fail({ ADMIN_PASSWORD: 'short' })).not.toContain('short"');
  });

  it('accepts a strong secret in production', () => {
    const secret = 'x'.repeat(48);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).jwt.secret).toBe(secret);
  });
  it('holds JWT_SECRET_PREVIOUS to the same rules as JWT_SECRET', () => {
    expect(fail({ JWT_SECRET_PREVIOUS: 'short' })).toBe(
      'Invalid configuration: JWT_SECRET_PREVIOUS must be at least 32 characters',
    );
    expect(
      fail({
        NODE_ENV: 'production',
        JWT_SECRET: 'y'.repeat(48),
        JWT_SECRET_PREVIOUS: DEV_JWT_SECRET,
      }),
    ).toContain('JWT_SECRET_PREVIOUS is the development default');
    const previous = 'p'.repeat(40);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'y'.repeat(48),
        JWT_SECRET_PREVIOUS: previous,
      }).jwt.previousSecret,
    ).toBe(previous);
    expect(loadConfig({}).jwt.previousSecret).toBeUndefined();
  });

  it('turns the docs off in production unless DOCS_ENABLED says otherwise', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(48) };
    expect(loadConfig({}).docsEnabled).toBe(true);
    expect(loadConfig(production).docsEnabled).toBe(false);
    expect(loadConfig({ ...production, DOCS_ENABLED: 'true' }).docsEnabled).toBe(true);
    expect(loadConfig({ DOCS_ENABLED: 'false' }).docsEnabled).toBe(false);
    expect(fail({ DOCS_ENABLED: 'maybe' })).toContain('DOCS_ENABLED must be true or false');
  });

  it('applies the operational defaults, and serves /metrics on its own port only when asked', () => {
    const config = loadConfig({});
    expect(config.metricsPort).toBeUndefined();
    expect(config.http).toMatchObject({ requestTimeoutMs: 15000, slowRequestMs: 1000 });
    expect(config.shutdownDrainMs).toBe(2000);
    expect(loadConfig({ METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(fail({ METRICS_PORT: 'x' })).toContain('METRICS_PORT must be an integer');
    expect(fail({ REQUEST_TIMEOUT_MS: '10' })).toContain(
      'REQUEST_TIMEOUT_MS must not be less than 100',
    );
  });

  it('enables the fake payment provider by default, except in production where it is refused unless allowed', () => {
    const secret = 'x'.repeat(48);
    expect(loadConfig({}).payments.providers).toEqual(['fake']);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).payments.providers).toEqual(
      [],
    );
    expect(
      fail({ NODE_ENV: 'production', JWT_SECRET: secret, PAYMENT_PROVIDERS: 'stripe,fake' }),
    ).toContain('PAYMENT_PROVIDERS includes fake');
    expect(
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        PAYMENT_PROVIDERS: 'fake',
        PAYMENT_FAKE_IN_PRODUCTION: 'true',
      }).payments.providers,
    ).toEqual(['fake']);
    // Allowed there (staging), the contract's default [fake] applies.
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, PAYMENT_FAKE_IN_PRODUCTION: 'true' })
        .payments.providers,
    ).toEqual(['fake']);
    expect(loadConfig({ PAYMENT_PROVIDERS: ' stripe , fake,stripe' }).payments.providers).toEqual([
      'stripe',
      'fake',
    ]);
    expect(fail({ PAYMENT_PROVIDERS: 'Stripe;fake' })).toContain('PAYMENT_PROVIDERS must be');
  });

  it('takes CURRENCY only as a two-decimal ISO 4217 code', () => {
    expect(loadConfig({}).payments.currency).toBe('USD');
    expect(loadConfig({ CURRENCY: 'EUR' }).payments.currency).toBe('EUR');
    for (const code of ['JPY', 'KWD', 'XAU', 'ABC']) {
      expect(fail({ CURRENCY: code })).toBe(
        `Invalid configuration: CURRENCY must be an ISO 4217 currency with two decimals (got "${code}")`,
      );
    }
    expect(fail({ CURRENCY: 'usd' })).toContain('CURRENCY must be an ISO 4217 code in capitals');
  });

  it('uses APP_URL as the public base unless PUBLIC_URL is set, and never shows a Stripe key in an error', () => {
    expect(loadConfig({ APP_URL: 'https://shop.example/' }).payments.publicUrl).toBe(
      'https://shop.example',
    );
    expect(
      loadConfig({ APP_URL: 'https://shop.example', PUBLIC_URL: 'https://api.shop.example' })
        .payments.publicUrl,
    ).toBe('https://api.shop.example');
    expect(loadConfig({}).payments.reconcileAfter).toBe(600);
    expect(fail({ STRIPE_API_BASE: 'ftp://x', STRIPE_SECRET_KEY: 'sk_live_secret' })).not.toContain(
      'sk_live_secret',
    );
  });

  it("defaults the per-customer caps to the contract's 10 pending orders and 100 units, 0 turning them off", () => {
    expect(loadConfig({}).orderCaps).toEqual({ pendingOrders: 10, pendingUnits: 100 });
    expect(
      loadConfig({ ORDER_MAX_PENDING_PER_USER: '0', ORDER_MAX_PENDING_UNITS_PER_USER: '0' })
        .orderCaps,
    ).toEqual({ pendingOrders: 0, pendingUnits: 0 });
    expect(fail({ ORDER_MAX_PENDING_PER_USER: '-1' })).toContain(
      'ORDER_MAX_PENDING_PER_USER must not be less than 0',
    );
    expect(fail({ ORDER_MAX_PENDING_UNITS_PER_USER: 'ten' })).toContain(
      'ORDER_MAX_PENDING_UNITS_PER_USER must be an integer',
    );
  });

  it("defaults the flash sales' per-customer limit to the contract's 5 attempts per second", () => {
    expect(loadConfig({}).flashSales).toEqual({ rateLimit: 5, rateWindow: 1, sweepInterval: 5 });
    expect(loadConfig({ FLASH_SALE_RATE_LIMIT: '50' }).flashSales.rateLimit).toBe(50);
    expect(fail({ FLASH_SALE_RATE_LIMIT: '0' })).toContain(
      'FLASH_SALE_RATE_LIMIT must not be less than 1',
    );
    expect(fail({ FLASH_SALE_RATE_WINDOW: 'x' })).toContain(
      'FLASH_SALE_RATE_WINDOW must be an integer',
    );
  });

  it('batches orders for 2 ms, 64 at most, and caches the session check for 30 s, each bounded', () => {
    expect(loadConfig({}).orderBatch).toEqual({ windowMs: 2, maxSize: 64 });
    expect(loadConfig({}).sessionCache).toEqual({ ttl: 30 });
    expect(
      loadConfig({ ORDER_BATCH_WINDOW_MS: '0', ORDER_BATCH_MAX: '1', SESSION_CACHE_TTL: '0' }),
    ).toMatchObject({ orderBatch: { windowMs: 0, maxSize: 1 }, sessionCache: { ttl: 0 } });
    expect(fail({ ORDER_BATCH_WINDOW_MS: '1001' })).toContain(
      'ORDER_BATCH_WINDOW_MS must not be greater than 1000',
    );
    expect(fail({ ORDER_BATCH_MAX: '0' })).toContain('ORDER_BATCH_MAX must not be less than 1');
    expect(fail({ SESSION_CACHE_TTL: '301' })).toContain(
      'SESSION_CACHE_TTL must not be greater than 300',
    );
  });

  it.each([
    ['postgres://shop:pa@ss@db/shop', 'postgres://shop:***@db/shop'],
    ['postgres://shop:se/cret@db:5432/shop', 'postgres://shop:***@db:5432/shop'],
    ['redis://:p#ss@cache:6379/0', 'redis://:***@cache:6379/0'],
    ['rediss://u:hunter2@n1:7000,n2:7001', 'rediss://u:***@n1:7000,n2:7001'],
    [
      'postgres://db/shop?sslmode=require&password=hunter2',
      'postgres://db/shop?sslmode=require&password=***',
    ],
    ['redis://cache:6379/0', 'redis://cache:6379/0'],
    ['admin@example', 'admin@example'],
  ])('masks the password of %s in error lines', (value, masked) => {
    expect(maskedUrl(value)).toBe(masked);
  });

  it('never shows any part of a malformed URL password', () => {
    for (const password of ['hun@ter2', 'hun/ter2', 'hun#ter2', 'hun?ter2']) {
      const message = fail({ DATABASE_URL: `postgres://shop:${password}@db/shop` });
      expect(message).not.toMatch(/hun|ter2/);
    }
    expect(fail({ DATABASE_URL: 'postgres://shop:hun@t/er2@db/shop' })).toMatch(
      /^Invalid configuration: DATABASE_URL has an "@" after its host: percent-encode/,
    );
    expect(fail({ DATABASE_REPLICA_URLS: 'postgres://shop:hun@t/er2@replica/shop' })).toMatch(
      /^Invalid configuration: DATABASE_REPLICA_URLS entry 1 \("postgres:\/\/\*\*\*@replica\/shop"\) has an "@"/,
    );
  });
});
