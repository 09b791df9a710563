/**
 * Customer accounts through HTTP against a real Postgres schema: register, login, /me, refresh-token rotation and
 * reuse detection, logout, hostile access tokens, the seeded admin and the audit trail.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { MeResponseSchema, ProblemSchema, TokenResponseSchema, type TokenResponse } from '@ttelgo/contracts';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { TEST_ADMIN, TEST_JWT_SECRET, api, bearer, json, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let gateway: TestGateway;
let http: ReturnType<typeof api>;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_auth');
  gateway = await startTestGateway({ AMQP_URL: vhost.url }, 'gateway_auth');
  http = api(gateway.handle.port);
});

afterAll(async () => {
  await gateway?.close();
  await vhost?.dispose();
});

const email = () => `Trav.${randomUUID().slice(0, 8)}@Example.COM`;
const PASSWORD = 'correct horse battery staple';

function expectProblem(res: RawResponse, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = ProblemSchema.parse(json(res));
  expect(body).toMatchObject({ status, code });
  return body;
}

async function registered(address = email(), name?: string): Promise<TokenResponse> {
  const res = await http.post('/api/v1/auth/register', { email: address, password: PASSWORD, ...(name ? { name } : {}) });
  expect(res.status).toBe(201);
  return TokenResponseSchema.strict().parse(json(res));
}

describe('register, login, /me', () => {
  it('registers a customer with a normalised e-mail and returns a working session', async () => {
    const address = email();
    const res = await http.post('/api/v1/auth/register', { email: `  ${address} `, password: PASSWORD, name: 'Ada' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const tokens = TokenResponseSchema.strict().parse(json(res));
    expect(tokens.user).toEqual({ id: expect.any(String), email: address.toLowerCase(), name: 'Ada', role: 'customer' });
    expect(tokens.expiresIn).toBe(900);
    expect(tokens.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);

    const claims = jwt.decode(tokens.accessToken, { complete: true })!;
    expect(claims.header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    expect(claims.payload).toMatchObject({ sub: tokens.user.id, role: 'customer', iss: 'ttelgo', aud: 'ttelgo-api', jti: expect.any(String) });
    const payload = claims.payload as jwt.JwtPayload;
    expect(payload.exp! - payload.iat!).toBe(900);

    const me = await http.get('/api/v1/me', bearer(tokens.accessToken));
    expect(me.status).toBe(200);
    expect(MeResponseSchema.strict().parse(json(me))).toMatchObject({ id: tokens.user.id, email: address.toLowerCase(), role: 'customer' });

    // Stored: argon2id hash (never the password), lower-cased e-mail, refresh token only as its sha256.
    const [row] = await gateway.query<{ email: string; password_hash: string }>('SELECT email, password_hash FROM users WHERE id = $1', [tokens.user.id]);
    expect(row!.email).toBe(address.toLowerCase());
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    const stored = await gateway.query<{ token_hash: string }>('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [tokens.user.id]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0]!.token_hash).not.toContain(tokens.refreshToken);
  });

  it('refuses a second account for the same e-mail in any case: 409 EMAIL_TAKEN', async () => {
    const address = email();
    await registered(address);
    expectProblem(await http.post('/api/v1/auth/register', { email: address.toUpperCase(), password: PASSWORD }), 409, 'EMAIL_TAKEN');
  });

  it('validates the registration body (short password, bad e-mail, unknown field)', async () => {
    const short = expectProblem(await http.post('/api/v1/auth/register', { email: email(), password: 'short' }), 400, 'VALIDATION_FAILED');
    expect(short.errors).toEqual([expect.objectContaining({ path: 'body.password' })]);
    expectProblem(await http.post('/api/v1/auth/register', { email: 'not-an-email', password: PASSWORD }), 400, 'VALIDATION_FAILED');
    expectProblem(await http.post('/api/v1/auth/register', { email: email(), password: 'x'.repeat(201) }), 400, 'VALIDATION_FAILED');
    expectProblem(await http.post('/api/v1/auth/register', { email: email(), password: PASSWORD, role: 'admin' }), 400, 'VALIDATION_FAILED');
  });

  it('logs in with any case of the e-mail; a wrong password and an unknown e-mail get the same 401', async () => {
    const address = email();
    const { user } = await registered(address);
    const ok = await http.post('/api/v1/auth/login', { email: address.toUpperCase(), password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(TokenResponseSchema.parse(json(ok)).user.id).toBe(user.id);

    const wrong = expectProblem(await http.post('/api/v1/auth/login', { email: address, password: `${PASSWORD}!` }), 401, 'INVALID_CREDENTIALS');
    const unknown = expectProblem(await http.post('/api/v1/auth/login', { email: email(), password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    const strip = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;
    expect(strip(unknown)).toEqual(strip(wrong));
  });

  it('refuses a disabled account at login and its still-valid access token at once', async () => {
    const address = email();
    const tokens = await registered(address);
    await gateway.query('UPDATE users SET disabled_at = now() WHERE id = $1', [tokens.user.id]);
    expectProblem(await http.post('/api/v1/auth/login', { email: address, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    expectProblem(await http.get('/api/v1/me', bearer(tokens.accessToken)), 401, 'INVALID_TOKEN');
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('seeds the admin from ADMIN_EMAIL / ADMIN_PASSWORD', async () => {
    const res = await http.post('/api/v1/auth/login', TEST_ADMIN);
    expect(res.status).toBe(200);
    expect(TokenResponseSchema.parse(json(res)).user).toMatchObject({ email: TEST_ADMIN.email, role: 'admin' });
  });
});

describe('refresh-token rotation', () => {
  it('rotates: the old token is spent, the new one works, both in one family', async () => {
    const first = await registered();
    const res = await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(res.status).toBe(200);
    const second = TokenResponseSchema.parse(json(res));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user).toEqual(first.user);
    expect((await http.get('/api/v1/me', bearer(second.accessToken))).status).toBe(200);

    const rows = await gateway.query<{ family_id: string; used_at: Date | null; replaced_by: string | null; id: string }>(
      'SELECT id, family_id, used_at, replaced_by FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at',
      [first.user.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.family_id).toBe(rows[1]!.family_id);
    expect(rows[0]!.used_at).not.toBeNull();
    expect(rows[0]!.replaced_by).toBe(rows[1]!.id);
    expect(rows[1]!.used_at).toBeNull();
  });

  it('revokes the whole family when a spent token is presented again: the newest token stops working too', async () => {
    const first = await registered();
    const second = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken })));
    const third = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/refresh', { refreshToken: second.refreshToken })));

    // An attacker replays the first (stolen) token.
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
    // The legitimate holder's newest token is dead as well.
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: third.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    const live = await gateway.query('SELECT id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [first.user.id]);
    expect(live).toHaveLength(0);

    // Another sign-in of the same user (another family) is untouched.
    const other = await http.post('/api/v1/auth/login', { email: first.user.email, password: PASSWORD });
    const otherTokens = TokenResponseSchema.parse(json(other));
    expect((await http.post('/api/v1/auth/refresh', { refreshToken: otherTokens.refreshToken })).status).toBe(200);
  });

  it('lets only one of two concurrent refreshes with one token win; the loser revokes the family', async () => {
    const first = await registered();
    const [a, b] = await Promise.all([
      http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }),
      http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const winner = TokenResponseSchema.parse(json(a.status === 200 ? a : b));
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: winner.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('refuses unknown and expired tokens with 401 INVALID_REFRESH_TOKEN', async () => {
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: 'rt_nothing-like-a-real-one' }), 401, 'INVALID_REFRESH_TOKEN');
    const tokens = await registered();
    await gateway.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", [tokens.user.id]);
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
  });

  it('a sign-in has an absolute end: rotations carry it, never outlive it, and past it the whole family is refused', async () => {
    const first = await registered();
    const [issued] = await gateway.query<{ expires_at: Date; session_expires_at: Date; created_at: Date }>(
      'SELECT expires_at, session_expires_at, created_at FROM refresh_tokens WHERE user_id = $1',
      [first.user.id],
    );
    const DAY = 86_400_000;
    // Defaults: idle 30 days, absolute 90 days after the login.
    expect(Math.round((issued!.expires_at.getTime() - issued!.created_at.getTime()) / DAY)).toBe(30);
    expect(Math.round((issued!.session_expires_at.getTime() - issued!.created_at.getTime()) / DAY)).toBe(90);

    // Close to the end of the sign-in, a refresh gives a token that expires with it (not 30 days later).
    await gateway.query("UPDATE refresh_tokens SET session_expires_at = now() + interval '1 hour', expires_at = now() + interval '1 hour' WHERE user_id = $1", [first.user.id]);
    const second = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken })));
    const rows = await gateway.query<{ expires_at: Date; session_expires_at: Date; used_at: Date | null }>(
      'SELECT expires_at, session_expires_at, used_at FROM refresh_tokens WHERE user_id = $1 ORDER BY created_at',
      [first.user.id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]!.session_expires_at).toEqual(rows[0]!.session_expires_at);
    expect(rows[1]!.expires_at.getTime()).toBeLessThanOrEqual(rows[1]!.session_expires_at.getTime());
    expect(rows[1]!.expires_at.getTime() - Date.now()).toBeLessThan(2 * 3_600_000);

    // Past the end: refused, and the whole family is revoked (not just this token).
    await gateway.query("UPDATE refresh_tokens SET session_expires_at = now() - interval '1 second', expires_at = now() - interval '1 second' WHERE user_id = $1", [first.user.id]);
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: second.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    const live = await gateway.query('SELECT id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [first.user.id]);
    expect(live).toHaveLength(0);
    // A new login starts a new sign-in.
    expect((await http.post('/api/v1/auth/login', { email: first.user.email, password: PASSWORD })).status).toBe(200);
  });

  it('logout revokes the family (204, also for an unknown token)', async () => {
    const tokens = await registered();
    const second = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken })));
    const out = await http.post('/api/v1/auth/logout', { refreshToken: second.refreshToken });
    expect(out.status).toBe(204);
    expect(out.body).toBe('');
    expectProblem(await http.post('/api/v1/auth/refresh', { refreshToken: second.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    expect((await http.post('/api/v1/auth/logout', { refreshToken: 'rt_unknown' })).status).toBe(204);
  });
});

describe('access tokens', () => {
  let user: TokenResponse['user'];
  /** The sign-in (refresh-token family) of that user: a token must name a live one. */
  let sid: string;
  beforeAll(async () => {
    const tokens = await registered();
    user = tokens.user;
    sid = (jwt.decode(tokens.accessToken) as { sid: string }).sid;
  });

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = () => Math.floor(Date.now() / 1000);
  const validClaims = () => ({ sub: user.id, sid, role: 'customer', iss: 'ttelgo', aud: 'ttelgo-api', jti: randomUUID(), iat: now(), exp: now() + 600 });
  const sign = (claims: Record<string, unknown>, secret = TEST_JWT_SECRET) => jwt.sign(claims, secret, { algorithm: 'HS256' });

  async function expectRefused(token: string) {
    const res = await http.get('/api/v1/me', bearer(token));
    const problem = expectProblem(res, 401, 'INVALID_TOKEN');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    // One generic answer whatever the reason: the response is no oracle for forging tokens.
    expect(problem.detail).toBe('The access token is missing, malformed, expired or not valid.');
  }

  it('accepts a correctly signed token (the control case)', async () => {
    expect((await http.get('/api/v1/me', bearer(sign(validClaims())))).status).toBe(200);
  });

  it('refuses an expired token signed with the real secret', async () => {
    await expectRefused(sign({ ...validClaims(), iat: now() - 1000, exp: now() - 60 }));
  });

  it('refuses alg:none (unsigned) tokens', async () => {
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}.`);
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}`);
  });

  it('refuses a token signed with another secret or another HMAC algorithm', async () => {
    await expectRefused(sign(validClaims(), 'another-secret-of-at-least-32-characters!!'));
    await expectRefused(jwt.sign(validClaims(), TEST_JWT_SECRET, { algorithm: 'HS512' }));
  });

  it('refuses a tampered payload (role escalated, signature kept)', async () => {
    const [header, , signature] = sign(validClaims()).split('.');
    await expectRefused(`${header}.${b64({ ...validClaims(), role: 'admin' })}.${signature}`);
  });

  it('refuses a wrong audience or issuer, a missing exp, sub or jti, a future nbf', async () => {
    await expectRefused(sign({ ...validClaims(), aud: 'someone-else' }));
    await expectRefused(sign({ ...validClaims(), iss: 'evil' }));
    const { exp: _exp, ...noExp } = validClaims();
    await expectRefused(sign(noExp));
    const { sub: _sub, ...noSub } = validClaims();
    await expectRefused(sign(noSub));
    const { jti: _jti, ...noJti } = validClaims();
    await expectRefused(sign(noJti));
    await expectRefused(sign({ ...validClaims(), nbf: now() + 3600 }));
    await expectRefused(sign({ ...validClaims(), sub: randomUUID() })); // no such user
    const { sid: _sid, ...noSid } = validClaims();
    await expectRefused(sign(noSid));
    await expectRefused(sign({ ...validClaims(), sid: randomUUID() })); // no such sign-in
  });

  it('trusts the account over the role claim: a validly signed token claiming admin for a customer gets customer rights', async () => {
    const res = await http.get('/api/v1/me', bearer(sign({ ...validClaims(), role: 'admin' })));
    expect(res.status).toBe(200);
    expect((json(res) as { role: string }).role).toBe('customer');
  });

  it('answers 401 AUTHENTICATION_REQUIRED without a token and 401 INVALID_TOKEN for a malformed header', async () => {
    const none = await http.get('/api/v1/me');
    expectProblem(none, 401, 'AUTHENTICATION_REQUIRED');
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(await http.get('/api/v1/me', { authorization: 'Basic dXNlcjpwYXNz' }), 401, 'INVALID_TOKEN');
    expectProblem(await http.get('/api/v1/me', { authorization: `Bearer ${'a'.repeat(5000)}` }), 401, 'INVALID_TOKEN');
  });
});

describe('audit trail', () => {
  it('writes a row per register and login (successful or not), without passwords or tokens', async () => {
    const address = email();
    const reg = await http.post('/api/v1/auth/register', { email: address, password: PASSWORD });
    const tokens = TokenResponseSchema.parse(json(reg));
    const bad = await http.post('/api/v1/auth/login', { email: address, password: 'wrong password here' });
    const good = await http.post('/api/v1/auth/login', { email: address, password: PASSWORD });
    const requestIds = [reg, bad, good].map((r) => r.headers['x-request-id']);

    type Row = { action: string; actor_type: string; actor_id: string | null; outcome: string; status_code: number; request_id: string; ip: string; details: Record<string, unknown>; resource_id: string | null };
    const rows = await waitFor(async () => {
      const found = await gateway.query<Row>('SELECT * FROM audit_log WHERE request_id = ANY($1::text[])', [requestIds]);
      return found.length === 3 ? found : undefined;
    });
    const byRequest = (id: unknown) => rows.find((r) => r.request_id === id)!;
    expect(byRequest(reg.headers['x-request-id'])).toMatchObject({
      action: 'auth.register', actor_type: 'user', actor_id: tokens.user.id, resource_id: tokens.user.id, outcome: 'success', status_code: 201,
    });
    expect(byRequest(bad.headers['x-request-id'])).toMatchObject({ action: 'auth.login', actor_type: 'anonymous', actor_id: null, outcome: 'failure', status_code: 401 });
    expect(byRequest(good.headers['x-request-id'])).toMatchObject({ action: 'auth.login', actor_id: tokens.user.id, outcome: 'success' });
    for (const row of rows) {
      expect(row.ip).toMatch(/127\.0\.0\.1/);
      const text = JSON.stringify(row);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('wrong password here');
      expect(text).not.toContain(tokens.refreshToken);
      expect(text).not.toContain(tokens.accessToken);
    }
  });
});
