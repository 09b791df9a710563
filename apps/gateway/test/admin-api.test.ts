/**
 * The operator API: role checks on every admin route, vendor onboarding and updates (percent -> basis points),
 * API keys, balance adjustments, POSTPAID payments, all orders, refunds through the order service, and the audit log that records
 * every admin action, read back through GET /admin/audit-log with filters and cursor pages.
 */
import { randomUUID } from 'node:crypto';
import { AdminVendorResponseSchema, AuditLogListResponseSchema, ProblemSchema, TokenResponseSchema, type AdminVendorResponse } from '@ttelgo/contracts';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { BillingDouble } from './support/billing.double';
import { OrderDouble } from './support/order.double';
import { TEST_ADMIN, api, bearer, json, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let billing: BillingDouble;
let orders: OrderDouble;
let gateway: TestGateway;
let http: ReturnType<typeof api>;
let adminToken: string;
let adminId: string;
let customerToken: string;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_admin');
  billing = await new BillingDouble(vhost.url).start();
  orders = await new OrderDouble(vhost.url).start();
  gateway = await startTestGateway({ AMQP_URL: vhost.url, RPC_TIMEOUT_MS: '4000' }, 'gateway_admin');
  http = api(gateway.handle.port);
  const admin = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/login', TEST_ADMIN)));
  adminToken = admin.accessToken;
  adminId = admin.user.id;
  const customer = await http.post('/api/v1/auth/register', { email: `c.${randomUUID().slice(0, 8)}@example.com`, password: 'a long enough password' });
  customerToken = TokenResponseSchema.parse(json(customer)).accessToken;
});

afterAll(async () => {
  await gateway?.close();
  await orders?.stop();
  await billing?.stop();
  await vhost?.dispose();
});

function expectProblem(res: RawResponse, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(json(res));
  expect(problem).toMatchObject({ status, code });
  return problem;
}

const admin = () => bearer(adminToken);

describe('admin routes refuse non-admins', () => {
  const vendorId = randomUUID();
  // Every row has three cells: jest-each treats a missing cell as a `done` callback.
  const routes: Array<[string, string, unknown]> = [
    ['POST', '/api/v1/admin/vendors', { name: 'x', email: 'x@example.com', billingMode: 'PREPAID', currency: 'USD' }],
    ['GET', '/api/v1/admin/vendors', undefined],
    ['GET', `/api/v1/admin/vendors/${vendorId}`, undefined],
    ['PATCH', `/api/v1/admin/vendors/${vendorId}`, { status: 'SUSPENDED' }],
    ['POST', `/api/v1/admin/vendors/${vendorId}/api-keys`, { name: 'k' }],
    ['GET', `/api/v1/admin/vendors/${vendorId}/api-keys`, undefined],
    ['DELETE', `/api/v1/admin/vendors/${vendorId}/api-keys/abcdefghij0123456789`, undefined],
    ['POST', `/api/v1/admin/vendors/${vendorId}/adjustments`, { amount: 100, reason: 'r' }],
    ['POST', `/api/v1/admin/vendors/${vendorId}/payments`, { amount: 100, reference: 'r' }],
    ['GET', '/api/v1/admin/orders', undefined],
    ['POST', `/api/v1/admin/orders/${randomUUID()}/refund`, undefined],
    ['GET', '/api/v1/admin/audit-log', undefined],
    ['GET', '/api/v1/admin/dead-letters', undefined],
    ['POST', '/api/v1/admin/dead-letters/x/replay', undefined],
  ];

  it.each(routes)('%s %s: 401 without a token, 403 with a customer JWT, and nothing reaches billing', async (method, path, body) => {
    const before = billing.requests.length;
    expectProblem(await http.send(method, path, body), 401, 'AUTHENTICATION_REQUIRED');
    expectProblem(await http.send(method, path, body, bearer(customerToken)), 403, 'FORBIDDEN');
    expect(billing.requests.length).toBe(before);
  });
});

describe('admin actions', () => {
  let vendor: AdminVendorResponse;

  it('creates a vendor (markupPercent -> bps, Idempotency-Key -> requestKey) and reads it back', async () => {
    const requestKey = randomUUID();
    const body = { name: 'Roam Shop', email: 'ops@roam.example', billingMode: 'POSTPAID', currency: 'EUR', creditLimit: 50_000, markupPercent: 12.5, rateLimitPerMinute: 120 };
    const res = await http.post('/api/v1/admin/vendors', body, { ...admin(), 'idempotency-key': requestKey });
    expect(res.status).toBe(201);
    vendor = AdminVendorResponseSchema.strict().parse(json(res));
    expect(vendor).toMatchObject({ status: 'ACTIVE', markupPercent: 12.5, creditLimit: 50_000, rateLimitPerMinute: 120 });
    expect(res.headers['location']).toBe(`/api/v1/admin/vendors/${vendor.id}`);
    expect(billing.requests.at(-1)).toEqual({
      type: 'create-vendor',
      req: { name: 'Roam Shop', email: 'ops@roam.example', billingMode: 'POSTPAID', currency: 'EUR', creditLimit: 50_000, markupBps: 1250, rateLimitPerMinute: 120, requestKey },
    });
    // Without the header the request key is a fresh UUID.
    const second = await http.post('/api/v1/admin/vendors', { ...body, name: 'Other' }, admin());
    expect(second.status).toBe(201);
    expect(billing.requests.at(-1)!.req['requestKey']).toMatch(/^[0-9a-f-]{36}$/);
    expectProblem(await http.post('/api/v1/admin/vendors', { ...body, markupPercent: 1.234 }, admin()), 400, 'VALIDATION_FAILED');
    expectProblem(await http.post('/api/v1/admin/vendors', { ...body, status: 'ACTIVE' }, admin()), 400, 'VALIDATION_FAILED');

    expect(json(await http.get(`/api/v1/admin/vendors/${vendor.id}`, admin()))).toEqual(vendor);
    const list = json<{ data: AdminVendorResponse[] }>(await http.get('/api/v1/admin/vendors?limit=100', admin()));
    expect(list.data.map((v) => v.id)).toContain(vendor.id);
    expectProblem(await http.get(`/api/v1/admin/vendors/${randomUUID()}`, admin()), 404, 'VENDOR_NOT_FOUND');
  });

  it('updates, issues and revokes keys, adjusts the balance, lists all orders; an unknown dead letter is not found', async () => {
    const patched = await http.send('PATCH', `/api/v1/admin/vendors/${vendor.id}`, { rateLimitPerMinute: 300, markupPercent: 7 }, admin());
    expect(patched.status).toBe(200);
    expect(json(patched)).toMatchObject({ rateLimitPerMinute: 300, markupPercent: 7 });
    expect(billing.requests.at(-1)).toEqual({ type: 'update-vendor', req: { vendorId: vendor.id, rateLimitPerMinute: 300, markupBps: 700 } });
    expectProblem(await http.send('PATCH', `/api/v1/admin/vendors/${vendor.id}`, {}, admin()), 400, 'VALIDATION_FAILED');

    const key = await http.post(`/api/v1/admin/vendors/${vendor.id}/api-keys`, { name: 'ci' }, admin());
    expect(key.status).toBe(201);
    const keyId = json<{ id: string }>(key).id;
    expectProblem(await http.post(`/api/v1/admin/vendors/${randomUUID()}/api-keys`, { name: 'ci' }, admin()), 404, 'VENDOR_NOT_FOUND');
    // Another vendor's key id under this vendor is 404, and does not revoke it.
    const otherVendor = billing.addVendor();
    expectProblem(await http.send('DELETE', `/api/v1/admin/vendors/${otherVendor.id}/api-keys/${keyId}`, undefined, admin()), 404, 'API_KEY_NOT_FOUND');
    expect((await gateway.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM api_keys WHERE id = $1', [keyId]))[0]!.revoked_at).toBeNull();
    expect((await http.send('DELETE', `/api/v1/admin/vendors/${vendor.id}/api-keys/${keyId}`, undefined, admin())).status).toBe(204);

    const adjustment = await http.post(`/api/v1/admin/vendors/${vendor.id}/adjustments`, { amount: -250, reason: 'goodwill correction' }, admin());
    expect(adjustment.status).toBe(201);
    expect(json(adjustment)).toMatchObject({ transactionId: expect.any(String), balance: { balance: -250, currency: 'EUR' } });
    expect(billing.requests.at(-1)).toEqual({
      type: 'adjust-balance',
      req: { vendorId: vendor.id, amount: -250, reason: 'goodwill correction', actor: `admin:${adminId}`, requestKey: expect.any(String) },
    });
    expectProblem(await http.post(`/api/v1/admin/vendors/${vendor.id}/adjustments`, { amount: 0, reason: 'x' }, admin()), 400, 'VALIDATION_FAILED');

    const all = await http.get('/api/v1/admin/orders?limit=5', admin());
    expect(all.status).toBe(200);
    expect(orders.listRequests.at(-1)).toEqual({ limit: 5 });

    expectProblem(await http.post('/api/v1/admin/dead-letters/abc/replay', undefined, admin()), 400, 'VALIDATION_FAILED');
    expectProblem(await http.post(`/api/v1/admin/dead-letters/${randomUUID()}/replay`, undefined, admin()), 404, 'DEAD_LETTER_NOT_FOUND');
  });

  it('records a POSTPAID payment: strict body, Idempotency-Key -> requestKey (replayed once), PREPAID refused with its code', async () => {
    const path = `/api/v1/admin/vendors/${vendor.id}/payments`;
    const before = billing.requests.length;
    for (const body of [
      { amount: 0, reference: 'TRF-1' },
      { amount: -5, reference: 'TRF-1' },
      { amount: 12.5, reference: 'TRF-1' },
      { amount: 1_000 },
      { amount: 1_000, reference: '   ' },
      { amount: 1_000, reference: 'x'.repeat(101) },
      { amount: 1_000, reference: 'TRF\n1' },
      { amount: 1_000, reference: 'TRF-1', currency: 'EUR' },
      { amount: 1_000, reference: 'TRF-1', vendorId: vendor.id },
    ]) {
      expectProblem(await http.post(path, body, admin()), 400, 'VALIDATION_FAILED');
    }
    const unknownField = expectProblem(await http.post(path, { amount: 1_000, reference: 'TRF-1', actor: 'me' }, admin()), 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(unknownField.errors)).toContain('actor');
    expectProblem(await http.post(`/api/v1/admin/vendors/not-a-uuid/payments`, { amount: 1_000, reference: 'TRF-1' }, admin()), 400, 'VALIDATION_FAILED');
    expect(billing.requests.length).toBe(before); // nothing invalid reaches billing

    const balanceBefore = json<{ balance: { balance: number } }>(await http.post(path, { amount: 1, reference: 'warm-up' }, admin())).balance.balance;
    const requestKey = randomUUID();
    const res = await http.post(path, { amount: 4_000, reference: '  TRF 2026-04 / ROAM  ' }, { ...admin(), 'idempotency-key': requestKey });
    expect(res.status).toBe(201);
    const paid = json<{ transactionId: string; balance: Record<string, unknown> }>(res);
    expect(paid).toEqual({
      transactionId: expect.any(String),
      balance: { billingMode: 'POSTPAID', currency: 'EUR', balance: balanceBefore + 4_000, reserved: 0, available: expect.any(Number), creditLimit: 50_000 },
    });
    expect(billing.requests.at(-1)).toEqual({
      type: 'record-payment',
      req: { vendorId: vendor.id, amount: 4_000, reference: 'TRF 2026-04 / ROAM', actor: `admin:${adminId}`, requestKey },
    });
    // The same key and body: the first answer replayed by the gateway, billing not asked again.
    const calls = billing.requests.length;
    const replay = await http.post(path, { amount: 4_000, reference: '  TRF 2026-04 / ROAM  ' }, { ...admin(), 'idempotency-key': requestKey });
    expect([replay.status, replay.headers['idempotent-replayed'], json(replay)]).toEqual([201, 'true', paid]);
    expect(billing.requests.length).toBe(calls);
    expectProblem(await http.post(path, { amount: 4_001, reference: 'TRF 2026-04 / ROAM' }, { ...admin(), 'idempotency-key': requestKey }), 422, 'IDEMPOTENCY_KEY_REUSED');
    // Without the header the request key is a fresh UUID.
    await http.post(path, { amount: 10, reference: 'TRF-2' }, admin());
    expect(billing.requests.at(-1)!.req['requestKey']).toMatch(/^[0-9a-f-]{36}$/);

    const prepaid = billing.addVendor({ billingMode: 'PREPAID' });
    expectProblem(await http.post(`/api/v1/admin/vendors/${prepaid.id}/payments`, { amount: 1_000, reference: 'TRF-3' }, admin()), 409, 'PAYMENT_NOT_APPLICABLE');
    expectProblem(await http.post(`/api/v1/admin/vendors/${randomUUID()}/payments`, { amount: 1_000, reference: 'TRF-4' }, admin()), 404, 'VENDOR_NOT_FOUND');

    const audit = await waitFor(
      async () => {
        const page = AuditLogListResponseSchema.parse(
          json(await http.get(`/api/v1/admin/audit-log?action=admin.vendor.record-payment&resource=vendor:${vendor.id}&limit=100`, admin())),
        );
        return page.data.find((e) => e.details['transactionId'] === paid.transactionId);
      },
      { timeoutMs: 5000, message: 'the payment is missing from the audit log' },
    );
    expect(audit).toMatchObject({
      actor: { type: 'user', id: adminId },
      outcome: 'success',
      statusCode: 201,
      method: 'POST',
      resource: { type: 'vendor', id: vendor.id },
      details: { amount: 4_000, reference: 'TRF 2026-04 / ROAM', transactionId: paid.transactionId },
    });
  });

  it('refunds a completed order through the order service: 202 while under way, 200 once done; refusals keep their code', async () => {
    const placed = json<{ id: string }>(
      await http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...bearer(customerToken), 'idempotency-key': randomUUID() }),
    );
    // Not completed yet: the order service refuses, and the gateway passes its code on.
    expectProblem(await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: 'customer complaint' }, admin()), 409, 'ORDER_NOT_REFUNDABLE');
    orders.complete(placed.id, ['8944000000000000001']);

    expectProblem(await http.post(`/api/v1/admin/orders/${placed.id}/refund`, undefined, admin()), 400, 'VALIDATION_FAILED');
    expectProblem(await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: 'x', amount: 1 }, admin()), 400, 'VALIDATION_FAILED');
    expectProblem(await http.post(`/api/v1/admin/orders/${randomUUID()}/refund`, { reason: 'x' }, admin()), 404, 'ORDER_NOT_FOUND');

    const pending = await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: '  customer complaint  ' }, admin());
    expect(pending.status).toBe(202);
    expect(json(pending)).toMatchObject({
      id: placed.id,
      status: 'COMPLETED',
      owner: { type: 'customer' },
      refund: { status: 'PENDING', refundedAt: null, providerRevocation: 'REVOKED', forced: false },
    });
    expect(orders.refundRequests.at(-1)).toEqual({ orderId: placed.id, reason: 'customer complaint', requestedBy: `admin:${adminId}` });

    orders.refunded(placed.id);
    const done = await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: 'customer complaint' }, admin());
    expect(done.status).toBe(200);
    expect(json(done)).toMatchObject({ status: 'REFUNDED', refund: { status: 'SUCCEEDED', refundedAt: expect.any(String) } });
  });

  it('a used bundle stops the refund with 409 BUNDLE_ALREADY_USED; {"force": true} refunds it, and the audit log says it was forced', async () => {
    const placed = json<{ id: string }>(
      await http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...bearer(customerToken), 'idempotency-key': randomUUID() }),
    );
    orders.complete(placed.id, ['8944000000000000002']);
    orders.revocationOutcome = 'ALREADY_USED';
    try {
      expectProblem(await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: 'used it' }, admin()), 409, 'BUNDLE_ALREADY_USED');
      expectProblem(await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: 'used it', force: 'yes' }, admin()), 400, 'VALIDATION_FAILED');
      const forced = await http.post(`/api/v1/admin/orders/${placed.id}/refund`, { reason: 'used it', force: true }, admin());
      expect(forced.status).toBe(202);
      expect(json(forced)).toMatchObject({ refund: { status: 'PENDING', providerRevocation: 'ALREADY_USED', forced: true } });
      expect(orders.refundRequests.at(-1)).toEqual({ orderId: placed.id, reason: 'used it', requestedBy: `admin:${adminId}`, force: true });
      orders.revocationOutcome = 'FAILED';
      const other = json<{ id: string }>(
        await http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...bearer(customerToken), 'idempotency-key': randomUUID() }),
      );
      orders.complete(other.id, ['8944000000000000003']);
      expectProblem(await http.post(`/api/v1/admin/orders/${other.id}/refund`, { reason: 'eSIM Go down' }, admin()), 409, 'PROVIDER_REVOCATION_FAILED');
    } finally {
      orders.revocationOutcome = 'REVOKED';
    }
    const audit = await waitFor(
      async () => {
        const res = await http.get(`/api/v1/admin/audit-log?action=admin.order.refund&resource=order:${placed.id}&limit=10`, admin());
        const rows = AuditLogListResponseSchema.parse(json(res)).data;
        return rows.find((r) => (r.details as { force?: boolean } | null)?.force === true);
      },
      { timeoutMs: 5000, message: 'the forced refund is not in the audit log' },
    );
    expect(audit).toMatchObject({ outcome: 'success', details: { reason: 'used it', force: true, providerRevocation: 'ALREADY_USED' } });
    const refusedRow = (AuditLogListResponseSchema.parse(json(await http.get(`/api/v1/admin/audit-log?action=admin.order.refund&resource=order:${placed.id}&limit=10`, admin()))).data).find(
      (r) => (r.details as { force?: boolean }).force === false,
    );
    expect(refusedRow).toMatchObject({ outcome: 'failure', details: { force: false, providerRevocation: 'ALREADY_USED', refundStatus: 'REFUSED' } });
  });

  it('every admin action appears in GET /admin/audit-log, newest first, filterable and paged', async () => {
    const expected = [
      'admin.vendor.create',
      'admin.vendor.update',
      'admin.api-key.create',
      'admin.api-key.revoke',
      'admin.vendor.adjust-balance',
      'admin.vendor.record-payment',
      'admin.order.refund',
      'admin.dead-letter.replay',
    ];
    const page = await waitFor(
      async () => {
        const res = await http.get(`/api/v1/admin/audit-log?actorId=${adminId}&limit=100`, admin());
        const body = AuditLogListResponseSchema.parse(json(res));
        const actions = new Set(body.data.map((e) => e.action));
        return expected.every((a) => actions.has(a)) ? body : undefined;
      },
      { timeoutMs: 5000, message: 'admin actions missing from the audit log' },
    );
    for (const entry of page.data) {
      expect(entry.actor).toEqual({ type: 'user', id: adminId });
      expect(entry.requestId).toEqual(expect.any(String));
    }
    const times = page.data.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    const create = page.data.find((e) => e.action === 'admin.vendor.create' && e.outcome === 'success')!;
    expect(create).toMatchObject({ resource: { type: 'vendor', id: expect.any(String) }, statusCode: 201, method: 'POST' });
    const keyCreate = page.data.find((e) => e.action === 'admin.api-key.create' && e.outcome === 'success')!;
    expect(JSON.stringify(keyCreate)).not.toContain('ttk_');

    const filtered = AuditLogListResponseSchema.parse(json(await http.get(`/api/v1/admin/audit-log?action=admin.vendor.update&resource=vendor:${vendor.id}`, admin())));
    expect(filtered.data.length).toBeGreaterThanOrEqual(1);
    for (const e of filtered.data) expect(e).toMatchObject({ action: 'admin.vendor.update', resource: { type: 'vendor', id: vendor.id } });

    // Cursor pages: disjoint, newest first, and together the same as one big page.
    const first = AuditLogListResponseSchema.parse(json(await http.get(`/api/v1/admin/audit-log?actorId=${adminId}&limit=3`, admin())));
    expect(first.data).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = AuditLogListResponseSchema.parse(json(await http.get(`/api/v1/admin/audit-log?actorId=${adminId}&limit=3&cursor=${first.nextCursor}`, admin())));
    expect([...first.data, ...second.data].map((e) => e.id)).toEqual(page.data.slice(0, 6).map((e) => e.id));
    expectProblem(await http.get('/api/v1/admin/audit-log?cursor=bm9wZQ', admin()), 400, 'INVALID_CURSOR');
    expectProblem(await http.get('/api/v1/admin/audit-log?limit=1000', admin()), 400, 'VALIDATION_FAILED');
  });
});
