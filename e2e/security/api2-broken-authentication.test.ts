/**
 * OWASP API2:2023 Broken Authentication, request by request: forged and stale access tokens, refresh-token reuse,
 * logout (the access token dies with its sign-in), and per-account sign-in throttling with backoff (429 +
 * Retry-After from any IP), stricter for admins. The gateway trusts X-Forwarded-For here (TRUST_PROXY=true), so one
 * test can come from many addresses.
 */
import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { TokenResponseSchema } from '@ttelgo/contracts';
import { waitFor } from '@ttelgo/testing';
import { TEST_ADMIN, TEST_JWT_SECRET, bearer, expectProblem, json, rawRequest, type RawResponse } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

let sec: SecurityGateway;
beforeAll(async () => {
  sec = await startSecurityGateway('api2', {
    TRUST_PROXY: 'true',
    LOGIN_MAX_FAILURES: '5',
    LOGIN_LOCKOUT_SECONDS: '2',
    ADMIN_LOGIN_MAX_FAILURES: '3',
    ADMIN_LOGIN_LOCKOUT_SECONDS: '3',
  });
});
afterAll(() => sec?.close());

let ipCounter = 0;
const freshIp = () => `203.0.113.${++ipCounter}`;

function send(method: string, path: string, opts: { ip?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return rawRequest(sec.gateway.handle.port, method, path, {
    headers: { 'x-forwarded-for': opts.ip ?? freshIp(), ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
}
const me = (token: string) => send('GET', '/api/v1/me', { headers: bearer(token) });
const login = (email: string, password: string, ip?: string) => send('POST', '/api/v1/auth/login', { body: { email, password }, ...(ip ? { ip } : {}) });

describe('API2 broken authentication: access tokens', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = () => Math.floor(Date.now() / 1000);
  let claims: () => Record<string, unknown>;
  beforeAll(async () => {
    const c = await sec.customer();
    const sid = (jwt.decode(c.accessToken) as { sid: string }).sid;
    claims = () => ({ sub: c.user.id, sid, role: 'customer', iss: 'ttelgo', aud: 'ttelgo-api', jti: randomUUID(), iat: now(), exp: now() + 600 });
  });
  const sign = (c: Record<string, unknown>) => jwt.sign(c, TEST_JWT_SECRET, { algorithm: 'HS256' });

  it('accepts a well-formed token of a live sign-in (the control case)', async () => {
    expect((await me(sign(claims()))).status).toBe(200);
  });

  it.each([
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['wrong issuer', () => sign({ ...claims(), iss: 'someone-else' })],
    ['wrong audience', () => sign({ ...claims(), aud: 'another-api' })],
    ['expired', () => sign({ ...claims(), iat: now() - 3600, exp: now() - 60 })],
    ['no session id', () => sign(Object.fromEntries(Object.entries(claims()).filter(([k]) => k !== 'sid')))],
    ['an unknown session', () => sign({ ...claims(), sid: randomUUID() })],
  ])('refuses %s with 401 INVALID_TOKEN', async (_name, token) => {
    expectProblem(await me(token()), 401, 'INVALID_TOKEN');
  });
});

describe('API2 broken authentication: sessions', () => {
  it('logout ends the access token of that sign-in at once, and only that one', async () => {
    const c = await sec.customer();
    const other = TokenResponseSchema.parse(json(await login(c.email, c.password)));
    expect((await me(c.accessToken)).status).toBe(200);
    expect((await send('POST', '/api/v1/auth/logout', { body: { refreshToken: c.refreshToken } })).status).toBe(204);
    expectProblem(await me(c.accessToken), 401, 'INVALID_TOKEN');
    expect((await me(other.accessToken)).status).toBe(200);
  });

  it('a reused refresh token revokes its family, and the family’s access tokens with it', async () => {
    const c = await sec.customer();
    const rotated = TokenResponseSchema.parse(json(await send('POST', '/api/v1/auth/refresh', { body: { refreshToken: c.refreshToken } })));
    expect((await me(rotated.accessToken)).status).toBe(200);
    expectProblem(await send('POST', '/api/v1/auth/refresh', { body: { refreshToken: c.refreshToken } }), 401, 'REFRESH_TOKEN_REUSED');
    expectProblem(await me(rotated.accessToken), 401, 'INVALID_TOKEN');
    expectProblem(await me(c.accessToken), 401, 'INVALID_TOKEN');
    expectProblem(await send('POST', '/api/v1/auth/refresh', { body: { refreshToken: rotated.refreshToken } }), 401, 'INVALID_REFRESH_TOKEN');
  });
});

describe('API2 broken authentication: per-account sign-in throttling', () => {
  it('locks an account after 5 failures from 5 addresses: 429 + Retry-After from any IP, even with the right password', async () => {
    const c = await sec.customer();
    for (let i = 0; i < 5; i++) expectProblem(await login(c.email, 'not-the-password'), 401, 'INVALID_CREDENTIALS');
    const locked = await login(c.email, c.password);
    expectProblem(locked, 429, 'TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another account is not affected; an unknown e-mail locks the same way (a lock tells nothing about existence).
    const d = await sec.customer();
    expect((await login(d.email, d.password)).status).toBe(200);
    const ghost = `ghost-${randomUUID()}@example.com`;
    for (let i = 0; i < 5; i++) expectProblem(await login(ghost, 'whatever-password'), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login(ghost, 'whatever-password'), 429, 'TOO_MANY_LOGIN_ATTEMPTS');
  });

  it('backs off: the first failure after a lock locks again, for twice as long', async () => {
    const c = await sec.customer();
    for (let i = 0; i < 5; i++) await login(c.email, 'not-the-password');
    const first = Number((await login(c.email, 'not-the-password')).headers['retry-after']);
    expect(first).toBe(2);
    // Once the first lock is over, one more wrong password is enough for the next lock, of 4 s.
    await waitFor(async () => (await login(c.email, 'not-the-password')).status === 401, { timeoutMs: 10_000, intervalMs: 250 });
    const second = await login(c.email, c.password);
    expectProblem(second, 429, 'TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(3);
    expect(Number(second.headers['retry-after'])).toBeLessThanOrEqual(4);
  });

  it('is stricter for an admin account: locked after 3 failures', async () => {
    await sec.adminToken();
    for (let i = 0; i < 3; i++) expectProblem(await login(TEST_ADMIN.email, 'not-the-admin-password'), 401, 'INVALID_CREDENTIALS');
    const locked = await login(TEST_ADMIN.email, TEST_ADMIN.password);
    expectProblem(locked, 429, 'TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBe(3);
  });
});

describe('API2 broken authentication: account recovery', () => {
  const reset = (body: unknown, ip?: string) => send('POST', '/api/v1/auth/password-reset', { body, ...(ip ? { ip } : {}) });
  const confirm = (token: string, newPassword = 'a new password for this account') =>
    send('POST', '/api/v1/auth/password-reset/confirm', { body: { token, newPassword } });

  it('answers 202 alike for an account and for an unknown e-mail', async () => {
    const c = await sec.customer();
    const known = await reset({ email: c.email });
    const unknown = await reset({ email: `nobody-${randomUUID()}@example.com` });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body).toBe(known.body);
  });

  it('refuses an unknown, an expired and a used token with 400 RESET_TOKEN_INVALID, and keeps the password', async () => {
    const c = await sec.customer();
    expectProblem(await confirm(`prt_${randomUUID()}`), 400, 'RESET_TOKEN_INVALID');
    const expired = `prt_expired_${randomUUID()}`;
    const used = `prt_used_${randomUUID()}`;
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    await sec.gateway.query(
      `INSERT INTO password_reset_tokens (id, user_id, token_hash, expires_at, used_at) VALUES
         ($1::uuid, $3::uuid, $4, now() - interval '1 minute', NULL),
         ($2::uuid, $3::uuid, $5, now() + interval '10 minutes', now())`,
      [randomUUID(), randomUUID(), c.user.id, sha(expired), sha(used)],
    );
    expectProblem(await confirm(expired), 400, 'RESET_TOKEN_INVALID');
    expectProblem(await confirm(used), 400, 'RESET_TOKEN_INVALID');
    expect((await login(c.email, c.password)).status).toBe(200);
  });

  it('stores only the hash of a reset token, valid 30 minutes', async () => {
    const c = await sec.customer();
    expect((await reset({ email: c.email })).status).toBe(202);
    const rows = await sec.gateway.query<{ token_hash: string; minutes: number }>(
      `SELECT token_hash, extract(epoch FROM expires_at - created_at) / 60 AS minutes FROM password_reset_tokens WHERE user_id = $1`,
      [c.user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(Math.round(Number(rows[0]!.minutes))).toBe(30);
  });

  it('is rate-limited per IP (429) and, silently, per account (no more tokens, still 202)', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await reset({ email: `x${i}-${randomUUID()}@example.com` }, ip)).status).toBe(202);
    expectProblem(await reset({ email: `y-${randomUUID()}@example.com` }, ip), 429, 'RATE_LIMITED');
    const c = await sec.customer();
    for (let i = 0; i < 5; i++) expect((await reset({ email: c.email })).status).toBe(202);
    const rows = await sec.gateway.query('SELECT 1 FROM password_reset_tokens WHERE user_id = $1', [c.user.id]);
    expect(rows).toHaveLength(3);
  });
});
