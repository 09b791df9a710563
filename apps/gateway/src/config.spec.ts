import { ConfigError } from '@ttelgo/runtime';
import { ARGON2_PRODUCTION_FLOOR, DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, DEV_JWT_SECRET, loadGatewayConfig } from './config';

describe('loadGatewayConfig', () => {
  it('has the documented defaults', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'test' })).toMatchObject({
      PORT: 8080,
      OPS_PORT: 9101,
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      RPC_TIMEOUT_MS: 3000,
      CATALOGUE_CACHE_TTL_MS: 30000,
      CATALOGUE_CACHE_MAX_ENTRIES: 5000,
      LOG_LEVEL: 'info',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      DB_SCHEMA: 'gateway',
      JWT_ISSUER: 'ttelgo',
      JWT_AUDIENCE: 'ttelgo-api',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      ARGON2_MEMORY_KIB: ARGON2_PRODUCTION_FLOOR.memoryKib,
      ARGON2_TIME_COST: 2,
      ARGON2_PARALLELISM: 1,
      TRUST_PROXY: false,
      AUTH_RATE_LIMIT_PER_MINUTE: 10,
      REFRESH_RATE_LIMIT_PER_MINUTE: 30,
      IDEMPOTENCY_TTL_HOURS: 24,
      production: false,
    });
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).PUBLIC_BASE_URL).toBeUndefined();
    expect(loadGatewayConfig({ NODE_ENV: 'test' }).REDIS_URL).toBeUndefined();
  });

  it('refuses more than one replica without Redis (the rate limits would be multiplied)', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', REPLICAS: '3' })).toThrow(/REDIS_URL: required with REPLICAS=3: the per-vendor, per-user and sign-in rate limits/);
    expect(loadGatewayConfig({ NODE_ENV: 'test', REPLICAS: '3', REDIS_URL: 'redis://127.0.0.1:6379' }).REPLICAS).toBe(3);
  });

  it('outside production, applies (and reports) the development secrets and admin', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'test' });
    expect(config.jwtSecret).toBe(DEV_JWT_SECRET);
    expect(config.stripeWebhookSecret).toBe('whsec_ttelgo_dev_secret');
    expect(config.admin).toEqual({ email: DEV_ADMIN_EMAIL, password: DEV_ADMIN_PASSWORD });
    expect(config.insecureDefaults).toHaveLength(3);
    expect(loadGatewayConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), STRIPE_WEBHOOK_SECRET: 'whsec_x', ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'long enough!' })).toMatchObject({
      insecureDefaults: [],
      admin: { email: 'root@example.com', password: 'long enough!' },
    });
  });

  it('in production requires the secrets and the argon2 floor, and seeds no default admin', () => {
    try {
      loadGatewayConfig({ NODE_ENV: 'production', ARGON2_MEMORY_KIB: '4096', ARGON2_TIME_COST: '1' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['ARGON2_MEMORY_KIB', 'ARGON2_TIME_COST', 'JWT_SECRET', 'STRIPE_WEBHOOK_SECRET']);
    }
    const prod = loadGatewayConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40), STRIPE_WEBHOOK_SECRET: 'whsec_live' });
    expect(prod).toMatchObject({ production: true, admin: undefined, insecureDefaults: [], jwtSecret: 's'.repeat(40) });
  });

  it('in production a sandbox needs its own Stripe webhook secret, never the public one', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40), STRIPE_WEBHOOK_SECRET: 'whsec_live' };
    expect(loadGatewayConfig(prod).sandboxStripeWebhookSecret).toBeUndefined();
    expect(() => loadGatewayConfig({ ...prod, SANDBOX_AMQP_URL: 'amqp://mq/sandbox' })).toThrow(/SANDBOX_STRIPE_WEBHOOK_SECRET/);
    expect(loadGatewayConfig({ ...prod, SANDBOX_AMQP_URL: 'amqp://mq/sandbox', SANDBOX_STRIPE_WEBHOOK_SECRET: 'whsec_sbx' }).sandboxStripeWebhookSecret).toBe('whsec_sbx');
    expect(() => loadGatewayConfig({ ...prod, INSTALL_APN_RULES: 'esim_*' })).toThrow(/INSTALL_APN_RULES/);
  });

  it('refuses a short JWT secret and half an admin', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32 characters/);
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', ADMIN_EMAIL: 'a@b.co' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('parses TRUST_PROXY', () => {
    expect(loadGatewayConfig({ NODE_ENV: 'test', TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadGatewayConfig({ NODE_ENV: 'test', TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadGatewayConfig({ NODE_ENV: 'test', TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('accepts port 0 and blank values as unset', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'test', PORT: '0', OPS_PORT: '0', LOG_LEVEL: '', PUBLIC_BASE_URL: ' ' });
    expect(config).toMatchObject({ PORT: 0, OPS_PORT: 0, LOG_LEVEL: 'info', PUBLIC_BASE_URL: undefined });
  });

  it('reports every bad variable at once', () => {
    try {
      loadGatewayConfig({ NODE_ENV: 'test', PORT: 'http', RPC_TIMEOUT_MS: '-1', AMQP_URL: 'not a url', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['AMQP_URL', 'LOG_LEVEL', 'PORT', 'RPC_TIMEOUT_MS']);
    }
  });
});
