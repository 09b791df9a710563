/**
 * OWASP API8:2023 Security Misconfiguration: the public development secrets never reach a deployment, and every
 * answer carries the protective headers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, PUBLIC_SECRET_VALUES } from '@ttelgo/runtime';
import { DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, DEV_JWT_SECRET, loadGatewayConfig } from '../../apps/gateway/src/config';
import { loadNotificationConfig } from '../../apps/notification/src/config';
import { api, startTestGateway, type TestGateway } from '../../apps/gateway/test/support/gateway.harness';
import { generateComposeEnv } from '../../scripts/generate-env';

const root = join(__dirname, '..', '..');
const PRODUCTION_ARGON2 = { ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' };

function configIssues(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.variable);
    throw err;
  }
  return [];
}

/** docker-compose.yml's environment of one service, interpolated with `env` (`${VAR:?..}` from it, `${VAR:-d}` defaults). */
function composeEnvironment(service: string, env: Record<string, string>): Record<string, string> {
  const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8')
    .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_m, name: string) => env[name] ?? '')
    .replace(/\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g, (_m, name: string, fallback?: string) => env[name] ?? fallback ?? '');
  const doc = parse(text, { merge: true }) as { services: Record<string, { environment: Record<string, string | null> }> };
  // `KEY: ${VAR:-}` is YAML null: compose passes an empty variable.
  return Object.fromEntries(Object.entries(doc.services[service]!.environment).map(([k, v]) => [k, v ?? '']));
}

describe('API8 security misconfiguration', () => {
  describe('a gateway whose NODE_ENV is not exactly development or test runs as production', () => {
    let gateway: TestGateway;
    beforeAll(async () => {
      // Real secrets, no admin variables: in production mode no admin may be seeded.
      gateway = await startTestGateway({ NODE_ENV: 'staging', ADMIN_EMAIL: '', ADMIN_PASSWORD: '', ...PRODUCTION_ARGON2 }, 'sec_api8');
    });
    afterAll(() => gateway.close());

    it('seeds no development admin: its public password does not sign in', async () => {
      const res = await api(gateway.handle.port).post('/api/v1/auth/login', { email: DEV_ADMIN_EMAIL, password: DEV_ADMIN_PASSWORD });
      expect(res.status).toBe(401);
    });

    it('answers with the protective headers and no framework banner', async () => {
      const res = await api(gateway.handle.port).get('/api/v1/no-such-route');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    });
  });

  it.each([undefined, '', 'prod', 'staging', 'Production', 'development ', 'TEST'])('NODE_ENV=%p requires real secrets', (nodeEnv) => {
    const env = { ...(nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv }), ...PRODUCTION_ARGON2 };
    expect(configIssues(() => loadGatewayConfig(env)).sort()).toEqual(['JWT_SECRET', 'STRIPE_WEBHOOK_SECRET']);
    expect(configIssues(() => loadNotificationConfig(env))).toEqual(['WEBHOOK_SECRETS_KEY']);
  });

  it('refuses every public value in production, set or defaulted, whole or as a URL password', () => {
    const secrets = { JWT_SECRET: 'j'.repeat(40), STRIPE_WEBHOOK_SECRET: 'whsec_real', ...PRODUCTION_ARGON2 };
    expect(configIssues(() => loadGatewayConfig({ NODE_ENV: 'production', ...secrets }))).toEqual([]);
    expect(configIssues(() => loadGatewayConfig({ NODE_ENV: 'production', ...secrets, JWT_SECRET: DEV_JWT_SECRET }))).toContain('JWT_SECRET');
    expect(configIssues(() => loadGatewayConfig({ NODE_ENV: 'production', ...secrets, ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: DEV_ADMIN_PASSWORD }))).toContain(
      'ADMIN_PASSWORD',
    );
    expect(configIssues(() => loadGatewayConfig({ NODE_ENV: 'production', ...secrets, AMQP_URL: 'amqp://ttelgo:ttelgo@rabbitmq:5672' }))).toEqual(['AMQP_URL']);
    for (const value of PUBLIC_SECRET_VALUES) {
      expect({ value, issues: configIssues(() => loadGatewayConfig({ NODE_ENV: 'staging', ...secrets, ESIMGO_CALLBACK_SIGNING_KEY: value })) }).toEqual({
        value,
        issues: ['ESIMGO_CALLBACK_SIGNING_KEY'],
      });
    }
  });

  it('docker-compose.yml takes every secret from .env, and its gateway and notification start in production with a generated one', () => {
    const generated = generateComposeEnv();
    const gateway = composeEnvironment('gateway', generated);
    const notification = composeEnvironment('notification', generated);
    expect(configIssues(() => loadGatewayConfig({ ...gateway, NODE_ENV: 'production' }))).toEqual([]);
    expect(configIssues(() => loadNotificationConfig({ ...notification, NODE_ENV: 'production' }))).toEqual([]);
    // Without .env compose refuses to interpolate (the `:?` form); there is no public fallback left to start with.
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    for (const name of Object.keys(generated)) expect({ name, fallback: new RegExp(`\\$\\{${name}:?-`).test(text) }).toEqual({ name, fallback: false });
    for (const value of PUBLIC_SECRET_VALUES) expect({ value, inCompose: text.includes(value) }).toEqual({ value, inCompose: false });
  });
});
