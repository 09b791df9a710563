/**
 * Customer orders and eSIMs through HTTP: gateway -> real RabbitMQ (own vhost) -> doubles of order and
 * esim-provisioning that enforce ownership like the real services. Covers Idempotency-Key semantics, ownership
 * (BOLA) and the audit rows of order placement.
 */
import { randomUUID } from 'node:crypto';
import {
  EsimListResponseSchema,
  EsimResponseSchema,
  OrderListResponseSchema,
  OrderResponseSchema,
  PlacedOrderResponseSchema,
  ProblemSchema,
  TokenResponseSchema,
  type TokenResponse,
} from '@ttelgo/contracts';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { EsimDouble } from './support/esim.double';
import { FLAKY_BUNDLE, MISSING_BUNDLE, NO_INTENT_BUNDLE, OrderDouble, SLOW_BUNDLE, SLOW_MS } from './support/order.double';
import { TEST_ADMIN, api, bearer, json, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let orders: OrderDouble;
let esims: EsimDouble;
let gateway: TestGateway;
let http: ReturnType<typeof api>;
let alice: TokenResponse;
let bob: TokenResponse;

async function signUp(): Promise<TokenResponse> {
  const res = await http.post('/api/v1/auth/register', { email: `c.${randomUUID().slice(0, 8)}@example.com`, password: 'a long enough password' });
  expect(res.status).toBe(201);
  return TokenResponseSchema.parse(json(res));
}

beforeAll(async () => {
  vhost = await createTestVhost('gateway_orders');
  orders = await new OrderDouble(vhost.url).start();
  esims = await new EsimDouble(vhost.url).start();
  gateway = await startTestGateway({ AMQP_URL: vhost.url, RPC_TIMEOUT_MS: '4000' }, 'gateway_orders');
  http = api(gateway.handle.port);
  alice = await signUp();
  bob = await signUp();
});

afterAll(async () => {
  await gateway?.close();
  await orders?.stop();
  await esims?.stop();
  await vhost?.dispose();
});

function expectProblem(res: RawResponse, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(json(res));
  expect(problem).toMatchObject({ status, code });
  return problem;
}

const place = (who: TokenResponse, body: unknown, key?: string) =>
  http.post('/api/v1/orders', body, { ...bearer(who.accessToken), ...(key !== undefined ? { 'idempotency-key': key } : {}) });

describe('POST /api/v1/orders', () => {
  it('places an order for the signed-in customer and returns the payment intent', async () => {
    const key = randomUUID();
    const res = await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 2 }, key);
    expect(res.status).toBe(201);
    const order = PlacedOrderResponseSchema.strict().parse(json(res));
    expect(order).toMatchObject({ status: 'AWAITING_PAYMENT', bundleName: 'esim_1GB_7D_FR_V2', quantity: 2, total: { amount: 998, currency: 'USD' } });
    expect(order.payment).toEqual({ paymentIntentId: expect.stringMatching(/^pi_/), clientSecret: expect.any(String), publishableKey: 'pk_test_ttelgo_sim' });
    expect(res.headers['location']).toBe(`/api/v1/orders/${order.id}`);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    // The gateway sent the signed-in user as owner, their e-mail, and the Idempotency-Key as request key.
    expect(orders.placeRequests.at(-1)).toEqual({
      owner: { type: 'customer', id: alice.user.id },
      contactEmail: alice.user.email,
      bundleName: 'esim_1GB_7D_FR_V2',
      quantity: 2,
      requestKey: key,
    });
  });

  it('requires an Idempotency-Key (400 IDEMPOTENCY_KEY_REQUIRED) and validates it', async () => {
    const before = orders.placeRequests.length;
    expectProblem(await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }), 400, 'IDEMPOTENCY_KEY_REQUIRED');
    expectProblem(await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, 'x'.repeat(256)), 400, 'VALIDATION_FAILED');
    expectProblem(await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, 'k\u00e9y'), 400, 'VALIDATION_FAILED');
    expect(orders.placeRequests.length).toBe(before);
  });

  it('validates the body: quantity 1..10, no extra fields (no client-side price)', async () => {
    for (const body of [{ bundleName: 'esim_1GB_7D_FR_V2', quantity: 0 }, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 11 }, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, price: 1 }, { quantity: 1 }]) {
      expectProblem(await place(alice, body, randomUUID()), 400, 'VALIDATION_FAILED');
    }
  });

  it('needs a customer token', async () => {
    expectProblem(await http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { 'idempotency-key': randomUUID() }), 401, 'AUTHENTICATION_REQUIRED');
  });

  it('replays the first response for the same key and body, with Idempotent-Replayed: true', async () => {
    const key = randomUUID();
    const first = await place(alice, { bundleName: 'esim_5GB_30D_FR_V2', quantity: 1 }, key);
    expect(first.status).toBe(201);
    const calls = orders.countPlaced(key);
    // Same body, other key order: canonical JSON makes it the same request.
    const again = await http.post('/api/v1/orders', '{"quantity":1,"bundleName":"esim_5GB_30D_FR_V2"}', { ...bearer(alice.accessToken), 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['location']).toBe(first.headers['location']);
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(orders.countPlaced(key)).toBe(calls);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
    const key = randomUUID();
    expect((await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, key)).status).toBe(201);
    expectProblem(await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3 }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(orders.countPlaced(key)).toBe(1);
  });

  it('keeps keys per principal: another customer may use the same key', async () => {
    const key = randomUUID();
    const a = await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, key);
    const b = await place(bob, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect((json(a) as { id: string }).id).not.toBe((json(b) as { id: string }).id);
  });

  it('answers 409 IDEMPOTENCY_REQUEST_IN_PROGRESS to a concurrent duplicate, then replays once the first finished', async () => {
    const key = randomUUID();
    const body = { bundleName: SLOW_BUNDLE, quantity: 1 };
    const first = place(alice, body, key);
    await waitFor(async () => (await gateway.query('SELECT 1 FROM idempotency_records WHERE key = $1', [key])).length === 1, { intervalMs: 10 });
    const started = Date.now();
    const duplicate = await place(alice, body, key);
    expect(Date.now() - started).toBeLessThan(SLOW_MS); // answered at once, not after the first one
    expectProblem(duplicate, 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
    expect(duplicate.headers['retry-after']).toBe('1');
    const done = await first;
    expect(done.status).toBe(201);
    const replay = await place(alice, body, key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toBe(done.body);
    expect(orders.countPlaced(key)).toBe(1);
  });

  it('does not store a 503: the retry with the same key runs again and succeeds', async () => {
    const key = randomUUID();
    const body = { bundleName: FLAKY_BUNDLE, quantity: 1 };
    const failed = await place(alice, body, key);
    expectProblem(failed, 503, 'SERVICE_UNAVAILABLE');
    expect(failed.headers['retry-after']).toMatch(/^\d+$/);
    expect(await gateway.query('SELECT 1 FROM idempotency_records WHERE key = $1', [key])).toHaveLength(0);
    const retried = await place(alice, body, key);
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(orders.countPlaced(key)).toBe(2);
    const [record] = await gateway.query<{ status: string; response_status: number; principal: string }>(
      'SELECT status, response_status, principal FROM idempotency_records WHERE key = $1',
      [key],
    );
    expect(record).toEqual({ status: 'COMPLETED', response_status: 201, principal: `user:${alice.user.id}` });
  });

  it('answers 503 (not stored) when the order has no payment intent yet', async () => {
    const key = randomUUID();
    expectProblem(await place(alice, { bundleName: NO_INTENT_BUNDLE, quantity: 1 }, key), 503, 'SERVICE_UNAVAILABLE');
    expect(await gateway.query('SELECT 1 FROM idempotency_records WHERE key = $1', [key])).toHaveLength(0);
  });

  it('stores a 4xx from the service and replays it', async () => {
    const key = randomUUID();
    const body = { bundleName: MISSING_BUNDLE, quantity: 1 };
    const first = await place(alice, body, key);
    expectProblem(first, 404, 'BUNDLE_NOT_FOUND');
    const again = await place(alice, body, key);
    expect(again.status).toBe(404);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(orders.countPlaced(key)).toBe(1);
  });

  it('expires records after the TTL and the cleanup job deletes them', async () => {
    const key = randomUUID();
    expect((await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, key)).status).toBe(201);
    await gateway.query("UPDATE idempotency_records SET expires_at = now() - interval '1 minute' WHERE key = $1", [key]);
    const result = await gateway.handle.runCleanupNow();
    expect(result?.['idempotencyRecords']).toBeGreaterThanOrEqual(1);
    expect(await gateway.query('SELECT 1 FROM idempotency_records WHERE key = $1', [key])).toHaveLength(0);
  });

  it('writes an audit row order.place with the order as resource', async () => {
    const res = await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, randomUUID());
    const orderId = (json(res) as { id: string }).id;
    const rows = await waitFor(async () => {
      const found = await gateway.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE request_id = $1', [res.headers['x-request-id']]);
      return found.length === 1 ? found : undefined;
    });
    expect(rows[0]).toMatchObject({
      action: 'order.place',
      actor_type: 'user',
      actor_id: alice.user.id,
      resource_type: 'order',
      resource_id: orderId,
      outcome: 'success',
      status_code: 201,
      method: 'POST',
      path: '/api/v1/orders',
      details: { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, role: 'customer' },
    });
  });
});

describe('GET /api/v1/orders', () => {
  it('lists only my orders, newest first, in pages', async () => {
    const carol = await signUp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((json(await place(carol, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, randomUUID())) as { id: string }).id);
    const page1 = await http.get('/api/v1/orders?limit=2', bearer(carol.accessToken));
    expect(page1.status).toBe(200);
    const list1 = OrderListResponseSchema.strict().parse(json(page1));
    expect(list1.data.map((o) => o.id)).toEqual([ids[2], ids[1]]);
    const page2 = OrderListResponseSchema.parse(json(await http.get(`/api/v1/orders?limit=2&cursor=${list1.nextCursor}`, bearer(carol.accessToken))));
    expect(page2).toMatchObject({ data: [{ id: ids[0] }], nextCursor: null });
    expect(orders.listRequests.at(-1)).toMatchObject({ owner: { type: 'customer', id: carol.user.id } });
    expectProblem(await http.get('/api/v1/orders?limit=0', bearer(carol.accessToken)), 400, 'VALIDATION_FAILED');
    expectProblem(await http.get('/api/v1/orders?owner=someone', bearer(carol.accessToken)), 400, 'VALIDATION_FAILED');
  });
});

describe('ownership (BOLA)', () => {
  let aliceOrderId: string;
  let aliceIccid: string;

  beforeAll(async () => {
    aliceOrderId = (json(await place(alice, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, randomUUID())) as { id: string }).id;
    const esim = esims.addEsim({ type: 'customer', id: alice.user.id }, aliceOrderId);
    aliceIccid = esim.iccid;
    orders.complete(aliceOrderId, [aliceIccid]);
  });

  it('shows Alice her order, eSIM and QR code', async () => {
    const order = OrderResponseSchema.strict().parse(json(await http.get(`/api/v1/orders/${aliceOrderId}`, bearer(alice.accessToken))));
    expect(order).toMatchObject({ id: aliceOrderId, status: 'COMPLETED', esims: [{ iccid: aliceIccid }], failureReason: null, payment: null });

    const esimRes = await http.get(`/api/v1/esims/${aliceIccid}`, bearer(alice.accessToken));
    expect(esimRes.status).toBe(200);
    expect(esimRes.headers['cache-control']).toBe('private, no-store');
    const esim = EsimResponseSchema.strict().parse(json(esimRes));
    expect(esim).toMatchObject({ iccid: aliceIccid, orderId: aliceOrderId, lpa: expect.stringMatching(/^LPA:1\$/), usage: { state: 'Queued' }, status: 'QUEUED', activatedAt: null });
    expect(esim.bundles).toEqual([expect.objectContaining({ kind: 'NEW', orderId: aliceOrderId, state: 'QUEUED', remainingBytes: 1_000_000_000 })]);

    const list = EsimListResponseSchema.parse(json(await http.get('/api/v1/esims', bearer(alice.accessToken))));
    expect(list.data.map((e) => e.iccid)).toContain(aliceIccid);

    const qr = await http.get(`/api/v1/esims/${aliceIccid}/qrcode`, bearer(alice.accessToken));
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toBe('image/png');
    expect(qr.headers['cache-control']).toMatch(/^private/);
    expect(qr.bytes!.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(Number(qr.headers['content-length'])).toBe(qr.bytes!.length);
  });

  it("answers 404 to Bob for Alice's order, eSIM and QR code, asking the services with Bob as owner", async () => {
    expectProblem(await http.get(`/api/v1/orders/${aliceOrderId}`, bearer(bob.accessToken)), 404, 'ORDER_NOT_FOUND');
    expect(orders.getRequests.at(-1)).toEqual({ owner: { type: 'customer', id: bob.user.id }, orderId: aliceOrderId });
    expectProblem(await http.get(`/api/v1/esims/${aliceIccid}`, bearer(bob.accessToken)), 404, 'ESIM_NOT_FOUND');
    expect(esims.esimRequests.at(-1)).toEqual({ type: 'get', owner: { type: 'customer', id: bob.user.id }, iccid: aliceIccid });
    const qr = await http.get(`/api/v1/esims/${aliceIccid}/qrcode`, bearer(bob.accessToken));
    expectProblem(qr, 404, 'ESIM_NOT_FOUND');
    expect(esims.esimRequests.at(-1)).toEqual({ type: 'qr', owner: { type: 'customer', id: bob.user.id }, iccid: aliceIccid });
    const bobs = EsimListResponseSchema.parse(json(await http.get('/api/v1/esims', bearer(bob.accessToken))));
    expect(bobs.data.map((e) => e.iccid)).not.toContain(aliceIccid);
    const bobOrders = OrderListResponseSchema.parse(json(await http.get('/api/v1/orders', bearer(bob.accessToken))));
    expect(bobOrders.data.map((o) => o.id)).not.toContain(aliceOrderId);
  });

  it('gives a non-existent order the same 404 as a foreign one, and a malformed id 400 (documented)', async () => {
    const missing = expectProblem(await http.get(`/api/v1/orders/${randomUUID()}`, bearer(bob.accessToken)), 404, 'ORDER_NOT_FOUND');
    const foreign = expectProblem(await http.get(`/api/v1/orders/${aliceOrderId}`, bearer(bob.accessToken)), 404, 'ORDER_NOT_FOUND');
    expect(missing.detail).toBe(foreign.detail);
    expectProblem(await http.get('/api/v1/orders/not-a-uuid', bearer(bob.accessToken)), 400, 'VALIDATION_FAILED');
    expectProblem(await http.get('/api/v1/esims/12345', bearer(bob.accessToken)), 400, 'VALIDATION_FAILED');
  });

  it('lets an admin use the customer routes for their own account only', async () => {
    const admin = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/login', TEST_ADMIN)));
    expectProblem(await http.get(`/api/v1/orders/${aliceOrderId}`, bearer(admin.accessToken)), 404, 'ORDER_NOT_FOUND');
    expect(orders.getRequests.at(-1)).toMatchObject({ owner: { type: 'customer', id: admin.user.id } });
  });
});
