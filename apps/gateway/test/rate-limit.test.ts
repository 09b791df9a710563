/**
 * Per-IP rate limits on /auth/*: 429 RATE_LIMITED with Retry-After and RateLimit-* headers, which also go out on
 * allowed answers; X-Forwarded-For is ignored unless TRUST_PROXY says which proxies to believe. Per-user limits on
 * the JWT routes, counted per account after authentication.
 */
import { ProblemSchema, TokenResponseSchema } from '@ttelgo/contracts';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { api, bearer, json, startTestGateway, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let strict: TestGateway;
let behindProxy: TestGateway;
let perUser: TestGateway;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_ratelimit');
  strict = await startTestGateway({ AMQP_URL: vhost.url, AUTH_RATE_LIMIT_PER_MINUTE: '3', REFRESH_RATE_LIMIT_PER_MINUTE: '2' }, 'gateway_rl');
  behindProxy = await startTestGateway({ AMQP_URL: vhost.url, AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback' }, 'gateway_rlp');
  perUser = await startTestGateway({ AMQP_URL: vhost.url, USER_RATE_LIMIT_PER_MINUTE: '3' }, 'gateway_rlu');
});

afterAll(async () => {
  await strict?.close();
  await behindProxy?.close();
  await perUser?.close();
  await vhost?.dispose();
});

const login = { email: 'nobody@example.com', password: 'whatever-password' };

it('limits login + register per IP, with RateLimit-* headers on every answer and Retry-After on the 429', async () => {
  const http = api(strict.handle.port);
  const answers = [];
  answers.push(await http.post('/api/v1/auth/login', login));
  answers.push(await http.post('/api/v1/auth/register', { email: 'rl@example.com', password: 'rate-limited-password' }));
  answers.push(await http.post('/api/v1/auth/login', login));
  expect(answers.map((a) => a.status)).toEqual([401, 201, 401]);
  expect(answers.map((a) => a.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
  for (const a of answers) {
    expect(a.headers['ratelimit-limit']).toBe('3');
    expect(Number(a.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(0);
    expect(Number(a.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
  }

  // X-Forwarded-For is not trusted by default: a spoofed address does not open a new bucket.
  const blocked = await http.post('/api/v1/auth/login', login, { 'x-forwarded-for': '203.0.113.9' });
  expect(blocked.status).toBe(429);
  expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(ProblemSchema.parse(json(blocked))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  const retryAfter = Number(blocked.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(blocked.headers['ratelimit-limit']).toBe('3');
  expect(blocked.headers['ratelimit-remaining']).toBe('0');
  expect(blocked.headers['ratelimit-reset']).toBe(String(retryAfter));

  // The refresh bucket is separate (and smaller here).
  const refresh = await http.post('/api/v1/auth/refresh', { refreshToken: 'rt_x' });
  expect(refresh.status).toBe(401);
  expect(refresh.headers['ratelimit-limit']).toBe('2');
  await http.post('/api/v1/auth/refresh', { refreshToken: 'rt_x' });
  expect((await http.post('/api/v1/auth/logout', { refreshToken: 'rt_x' })).status).toBe(429);

  // Routes without a limit are not affected.
  expect((await http.get('/api/v1/me')).status).toBe(401);
});

it('keys on the forwarded client address when TRUST_PROXY names the proxy', async () => {
  const http = api(behindProxy.handle.port);
  const from = (ip: string) => http.post('/api/v1/auth/login', login, { 'x-forwarded-for': ip });
  expect((await from('198.51.100.1')).status).toBe(401);
  expect((await from('198.51.100.1')).status).toBe(401);
  expect((await from('198.51.100.1')).status).toBe(429);
  expect((await from('198.51.100.2')).status).toBe(401);

  // The audit trail records the same client address for each sign-in attempt (the refused 429 is counted, not stored).
  const ips = await waitFor(async () => {
    const rows = await behindProxy.query<{ ip: string }>("SELECT ip FROM audit_log WHERE action = 'auth.login'");
    return rows.length === 3 ? rows.map((r) => r.ip).sort() : undefined;
  });
  expect(ips).toEqual(['198.51.100.1', '198.51.100.1', '198.51.100.2']);
});

it('limits each signed-in user on the JWT routes, with RateLimit-* on every answer; other users and anonymous callers have their own budgets', async () => {
  const http = api(perUser.handle.port);
  const signUp = async (email: string) =>
    TokenResponseSchema.parse(json(await http.post('/api/v1/auth/register', { email, password: 'rate-limited-password' }))).accessToken;
  const alice = await signUp(`alice.${Date.now()}@example.com`);
  const bob = await signUp(`bob.${Date.now()}@example.com`);

  // An anonymous caller is refused before the limit: it cannot spend Alice's budget.
  expect((await http.get('/api/v1/me')).status).toBe(401);
  const answers = [await http.get('/api/v1/me', bearer(alice)), await http.get('/api/v1/me', bearer(alice)), await http.get('/api/v1/me', bearer(alice))];
  expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
  expect(answers.map((a) => a.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
  for (const a of answers) expect(a.headers['ratelimit-limit']).toBe('3');

  const blocked = await http.get('/api/v1/me', bearer(alice));
  expect(blocked.status).toBe(429);
  expect(ProblemSchema.parse(json(blocked))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  // Every JWT route shares the account's budget.
  expect((await http.get('/api/v1/orders', bearer(alice))).status).toBe(429);

  const other = await http.get('/api/v1/me', bearer(bob));
  expect(other.status).toBe(200);
  expect(other.headers['ratelimit-remaining']).toBe('2');
});
