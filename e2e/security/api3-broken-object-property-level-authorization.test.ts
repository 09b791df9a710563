/**
 * OWASP API3:2023 Broken Object Property Level Authorization: mass assignment is refused (strict bodies), and no
 * secret or hash ever appears in an answer.
 */
import { randomUUID } from 'node:crypto';
import { apiKey, bearer, expectProblem, json } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

let sec: SecurityGateway;
beforeAll(async () => {
  sec = await startSecurityGateway('api3');
});
afterAll(() => sec?.close());

const SECRET_SHAPES = /\$argon2|passwordHash|password_hash|secretHash|secret_hash|token_hash|tokenHash/i;

describe('API3 broken object property level authorization', () => {
  it('refuses properties a client may not set (role, owner, price, status, ids) with 400', async () => {
    const email = `mass-${randomUUID()}@example.com`;
    expectProblem(await sec.http.post('/api/v1/auth/register', { email, password: 'long enough password', role: 'admin' }), 400, 'VALIDATION_FAILED');
    const c = await sec.customer();
    const order = (extra: Record<string, unknown>) =>
      sec.http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, ...extra }, { ...bearer(c.accessToken), 'idempotency-key': randomUUID() });
    for (const extra of [{ total: { amount: 1, currency: 'USD' } }, { status: 'COMPLETED' }, { userId: randomUUID() }, { id: randomUUID() }]) {
      expectProblem(await order(extra), 400, 'VALIDATION_FAILED');
    }
    const { key } = await sec.vendor();
    expectProblem(
      await sec.http.post('/api/v1/vendor/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, price: { amount: 1, currency: 'USD' } }, { ...apiKey(key), 'idempotency-key': randomUUID() }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(await sec.http.send('PUT', '/api/v1/vendor/webhook-endpoint', { url: 'https://hooks.example.com/x', secret: 'whsec_mine' }, apiKey(key)), 400, 'VALIDATION_FAILED');
  });

  it('shows no password hash, token hash or key secret in any answer', async () => {
    const c = await sec.customer();
    expect(JSON.stringify(c)).not.toMatch(SECRET_SHAPES);
    expect((await sec.http.get('/api/v1/me', bearer(c.accessToken))).body).not.toMatch(SECRET_SHAPES);
    const { vendor, key } = await sec.vendor();
    const admin = bearer(await sec.adminToken());
    const keys = await sec.http.get(`/api/v1/admin/vendors/${vendor.id}/api-keys`, admin);
    expect(keys.body).not.toMatch(SECRET_SHAPES);
    expect(keys.body).not.toContain(key.split('_').at(-1)!);
    const audit = await sec.http.get('/api/v1/admin/audit-log?limit=100', admin);
    expect(audit.status).toBe(200);
    expect(audit.body).not.toMatch(SECRET_SHAPES);
    expect(audit.body).not.toContain(c.password);
    expect(audit.body).not.toContain(c.refreshToken);
    expect(json<{ data: unknown[] }>(audit).data.length).toBeGreaterThan(0);
  });
});
