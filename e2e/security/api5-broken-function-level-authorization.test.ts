/**
 * OWASP API5:2023 Broken Function Level Authorization: a customer and a vendor against every admin operation.
 */
import { randomUUID } from 'node:crypto';
import { apiKey, bearer, expectProblem, json } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

let sec: SecurityGateway;
let adminOps: Array<{ method: string; path: string }>;
beforeAll(async () => {
  sec = await startSecurityGateway('api5');
  const doc = json<{ paths: Record<string, Record<string, unknown>> }>(await sec.http.get('/api/v1/openapi.json'));
  const id = randomUUID();
  adminOps = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v1/admin/'))
    .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, (m) => (m === '{month}' ? '2026-11' : id)) })));
});
afterAll(() => sec?.close());

describe('API5 broken function level authorization', () => {
  it('documents admin operations to test (the list is not empty)', () => {
    expect(adminOps.length).toBeGreaterThan(10);
  });

  it('refuses every admin operation to a customer with 403 FORBIDDEN', async () => {
    const c = await sec.customer();
    for (const op of adminOps) {
      const res = await sec.http.send(op.method, op.path, op.method === 'GET' || op.method === 'DELETE' ? undefined : {}, bearer(c.accessToken));
      expect({ op, status: res.status }).toEqual({ op, status: 403 });
      expectProblem(res, 403, 'FORBIDDEN');
    }
  });

  it('refuses every admin operation to a vendor API key (401: a key is not a user session)', async () => {
    const { key } = await sec.vendor();
    for (const op of adminOps) {
      const res = await sec.http.send(op.method, op.path, op.method === 'GET' || op.method === 'DELETE' ? undefined : {}, apiKey(key));
      expect({ op, status: res.status }).toEqual({ op, status: 401 });
    }
  });

  it('refuses a customer token that claims the admin role (the account decides)', async () => {
    const c = await sec.customer();
    const [header, payload, signature] = c.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
    expectProblem(await sec.http.get('/api/v1/admin/vendors', bearer(tampered)), 401, 'INVALID_TOKEN');
  });
});
