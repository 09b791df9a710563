import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  DATABASE_URL: z.string().min(1),
  AMQP_URL: env.url(),
  PORT: env.port(8080),
  WORKERS: env.int(4, { min: 1, max: 16 }),
  BATCH: env.int(100, 1, 1000),
  FEATURE_X: env.bool(false),
  REDIS_URL: env.optionalUrl(),
  SERVICE_NAME: env.string('gateway'),
});

describe('loadConfig', () => {
  it('applies defaults and parses strings', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      FEATURE_X: 'TRUE',
      WORKERS: '',
    });
    expect(config).toEqual({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      PORT: 8080,
      WORKERS: 4,
      BATCH: 100,
      FEATURE_X: true,
      REDIS_URL: undefined,
      SERVICE_NAME: 'gateway',
    });
  });

  it('parses explicit values', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgresql://x@h/db',
      AMQP_URL: 'amqp://h',
      PORT: '0',
      WORKERS: '16',
      BATCH: '1',
      FEATURE_X: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SERVICE_NAME: 'order',
    });
    expect(config).toMatchObject({ PORT: 0, WORKERS: 16, BATCH: 1, FEATURE_X: false, REDIS_URL: 'redis://127.0.0.1:6379', SERVICE_NAME: 'order' });
  });

  it('lists every bad or missing variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'abc', WORKERS: '17', BATCH: '1.5', FEATURE_X: 'yes', REDIS_URL: 'not a url' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.split('\n')[0]).toBe('Invalid configuration:');
    expect(message).toContain('  - DATABASE_URL: Required');
    expect(message).toContain('  - AMQP_URL: Required');
    expect(message).toContain("  - PORT: expected integer 0..65535, got 'abc'");
    expect(message).toContain("  - WORKERS: expected integer 1..16, got '17'");
    expect(message).toContain("  - BATCH: expected integer 1..1000, got '1.5'");
    expect(message).toContain("  - FEATURE_X: expected true/false/1/0, got 'yes'");
    expect(message).toContain('  - REDIS_URL: expected an absolute URL');
    expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual(
      ['AMQP_URL', 'BATCH', 'DATABASE_URL', 'FEATURE_X', 'PORT', 'REDIS_URL', 'WORKERS'].sort(),
    );
  });

  it('a helper without default is required', () => {
    expect(() => loadConfig(z.object({ PORT: env.port() }), {})).toThrow('PORT: Required');
    expect(() => loadConfig(z.object({ PORT: env.port() }), { PORT: '65536' })).toThrow("expected integer 0..65535, got '65536'");
  });

  it('reads process.env by default', () => {
    const key = `TTELGO_TEST_${Date.now()}`;
    process.env[key] = '42';
    try {
      expect(loadConfig(z.object({ [key]: env.int() }))).toEqual({ [key]: 42 });
    } finally {
      delete process.env[key];
    }
  });
});
