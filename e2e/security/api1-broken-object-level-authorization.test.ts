/**
 * OWASP API1:2023 Broken Object Level Authorization: customers and vendors across orders, with the gateway's
 * defence in depth (it re-checks the owner of what the order service returns) tested on its own through an order
 * service double that answers with another owner's order.
 */
import { randomUUID } from 'node:crypto';
import { apiKey, bearer, expectProblem, json } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

let sec: SecurityGateway;
beforeAll(async () => {
  sec = await startSecurityGateway('api1');
});
afterAll(() => sec?.close());

async function customerOrder(token: string): Promise<string> {
  const res = await sec.http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...bearer(token), 'idempotency-key': randomUUID() });
  expect(res.status).toBe(201);
  return json<{ id: string }>(res).id;
}

async function vendorOrder(key: string): Promise<string> {
  const res = await sec.http.post('/api/v1/vendor/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...apiKey(key), 'idempotency-key': randomUUID() });
  expect([201, 202]).toContain(res.status);
  return json<{ id: string }>(res).id;
}

describe('API1 broken object level authorization', () => {
  it("hides a traveller's order from another traveller and from a vendor, as 404 like a missing one", async () => {
    const a = await sec.customer();
    const b = await sec.customer();
    const { key } = await sec.vendor();
    const id = await customerOrder(a.accessToken);
    expect((await sec.http.get(`/api/v1/orders/${id}`, bearer(a.accessToken))).status).toBe(200);
    expectProblem(await sec.http.get(`/api/v1/orders/${id}`, bearer(b.accessToken)), 404, 'ORDER_NOT_FOUND');
    expectProblem(await sec.http.get(`/api/v1/vendor/orders/${id}`, apiKey(key)), 404, 'ORDER_NOT_FOUND');
    expect(json<{ data: Array<{ id: string }> }>(await sec.http.get('/api/v1/orders', bearer(b.accessToken))).data.map((o) => o.id)).not.toContain(id);
  });

  it("hides a vendor's order from another vendor and from a traveller", async () => {
    const one = await sec.vendor();
    const two = await sec.vendor();
    const c = await sec.customer();
    const id = await vendorOrder(one.key);
    expect((await sec.http.get(`/api/v1/vendor/orders/${id}`, apiKey(one.key))).status).toBe(200);
    expectProblem(await sec.http.get(`/api/v1/vendor/orders/${id}`, apiKey(two.key)), 404, 'ORDER_NOT_FOUND');
    expectProblem(await sec.http.get(`/api/v1/orders/${id}`, bearer(c.accessToken)), 404, 'ORDER_NOT_FOUND');
  });

  it('never sends an owner taken from the request: the owner is always the caller', async () => {
    const a = await sec.customer();
    const forged = await sec.http.post(
      '/api/v1/orders',
      { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, owner: { type: 'customer', id: randomUUID() } },
      { ...bearer(a.accessToken), 'idempotency-key': randomUUID() },
    );
    expectProblem(forged, 400, 'VALIDATION_FAILED');
  });

  describe('defence in depth: an order service that answers with another owner\'s order', () => {
    afterEach(() => {
      sec.orders.ignoreOwnerOnGet = false;
    });

    it('the gateway still answers 404 to the traveller who does not own it', async () => {
      const a = await sec.customer();
      const b = await sec.customer();
      const id = await customerOrder(a.accessToken);
      sec.orders.ignoreOwnerOnGet = true;
      const res = await sec.http.get(`/api/v1/orders/${id}`, bearer(b.accessToken));
      expectProblem(res, 404, 'ORDER_NOT_FOUND');
      expect(res.body).not.toContain(a.user.id);
    });

    it('the gateway still answers 404 to the vendor who does not own it', async () => {
      const one = await sec.vendor();
      const two = await sec.vendor();
      const id = await vendorOrder(one.key);
      sec.orders.ignoreOwnerOnGet = true;
      const res = await sec.http.get(`/api/v1/vendor/orders/${id}`, apiKey(two.key));
      expectProblem(res, 404, 'ORDER_NOT_FOUND');
      expect(res.body).not.toContain(one.vendor.id);
    });
  });
});
