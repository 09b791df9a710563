/**
 * The reseller API end to end through HTTP: gateway (two replicas on one schema) -> real RabbitMQ (own vhost) ->
 * doubles of vendor-billing, order, esim-provisioning and notification. Covers API keys (shown once, stored hashed,
 * revocation on every replica), vendor suspension (event and TTL), the per-vendor rate limit, ownership (BOLA),
 * mass assignment, `Prefer: wait`, and the audit actor of API-key requests.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  CreatedApiKeyResponseSchema,
  ProblemSchema,
  TokenResponseSchema,
  VendorOrderResponseSchema,
  type CreatedApiKeyResponse,
  type VendorView,
} from '@ttelgo/contracts';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { BillingDouble } from './support/billing.double';
import { EsimDouble } from './support/esim.double';
import { NotificationDouble } from './support/notification.double';
import { OrderDouble } from './support/order.double';
import { TEST_ADMIN, api, apiKey, bearer, json, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

/** Replica A trusts its caches for 1 s; replica B for 5 s (the maximum), to show the event, not the TTL, at work. */
const TTL_A_MS = 1000;
let vhost: TestVhost;
let billing: BillingDouble;
let orders: OrderDouble;
let esims: EsimDouble;
let notification: NotificationDouble;
let gatewayA: TestGateway;
let gatewayB: TestGateway;
let a: ReturnType<typeof api>;
let b: ReturnType<typeof api>;
let adminToken: string;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_vendor');
  billing = await new BillingDouble(vhost.url).start();
  orders = await new OrderDouble(vhost.url).start();
  esims = await new EsimDouble(vhost.url).start();
  notification = await new NotificationDouble(vhost.url).start();
  const env = { AMQP_URL: vhost.url, RPC_TIMEOUT_MS: '4000', PREFER_WAIT_POLL_MIN_MS: '20', PREFER_WAIT_POLL_MAX_MS: '100' };
  gatewayA = await startTestGateway({ ...env, VENDOR_CACHE_TTL_MS: String(TTL_A_MS) }, 'gateway_vendor');
  gatewayB = await startTestGateway({ ...env, VENDOR_CACHE_TTL_MS: '5000' }, 'gateway_vendor', { replicaOf: gatewayA });
  a = api(gatewayA.handle.port);
  b = api(gatewayB.handle.port);
  const login = await a.post('/api/v1/auth/login', TEST_ADMIN);
  adminToken = TokenResponseSchema.parse(json(login)).accessToken;
});

afterAll(async () => {
  await gatewayB?.close();
  await gatewayA?.close();
  await notification?.stop();
  await esims?.stop();
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

async function issueKey(vendorId: string, name = 'integration'): Promise<CreatedApiKeyResponse> {
  const res = await a.post(`/api/v1/admin/vendors/${vendorId}/api-keys`, { name }, bearer(adminToken));
  expect(res.status).toBe(201);
  return CreatedApiKeyResponseSchema.strict().parse(json(res));
}

async function vendorWithKey(overrides: Partial<VendorView> = {}): Promise<{ vendor: VendorView; key: string; keyId: string }> {
  const vendor = billing.addVendor(overrides);
  const created = await issueKey(vendor.id);
  return { vendor, key: created.key, keyId: created.id };
}

const placeOrder = (http: ReturnType<typeof api>, key: string, body: unknown, headers: Record<string, string> = {}) =>
  http.post('/api/v1/vendor/orders', body, { ...apiKey(key), 'idempotency-key': randomUUID(), ...headers });

describe('API keys', () => {
  it('are shown once, stored as sha256 only, listed without secrets, and authenticate their vendor', async () => {
    const vendor = billing.addVendor();
    const created = await issueKey(vendor.id, 'production server');
    expect(created.key).toMatch(/^ttk_[a-z0-9]{20}_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'production server', id: created.key.slice(4, 24) });
    const secret = created.key.slice(25);

    const [row] = await gatewayA.query<{ id: string; vendor_id: string; secret_hash: string; created_by: string; whole: string }>(
      'SELECT id, vendor_id, secret_hash, created_by, row_to_json(k)::text AS whole FROM api_keys k WHERE id = $1',
      [created.id],
    );
    expect(row).toMatchObject({ vendor_id: vendor.id, secret_hash: createHash('sha256').update(secret).digest('hex') });
    // No column holds the key or the secret in plaintext.
    expect(row!.whole).not.toContain(secret);
    expect(row!.whole).not.toContain(created.key);

    const list = await a.get(`/api/v1/admin/vendors/${vendor.id}/api-keys`, bearer(adminToken));
    expect(list.status).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain(row!.secret_hash);
    expect(json<{ data: unknown[] }>(list).data).toEqual([
      { id: created.id, name: 'production server', mode: 'live', createdAt: created.createdAt, createdBy: expect.any(String), revokedAt: null, lastUsedAt: null },
    ]);

    const balance = await a.get('/api/v1/vendor/balance', apiKey(created.key));
    expect(balance.status).toBe(200);
    expect(json(balance)).toEqual({ billingMode: 'PREPAID', currency: 'USD', balance: 10_000, reserved: 500, available: 9_500, creditLimit: null });
    expect(balance.headers['cache-control']).toBe('private, no-store');

    // last_used_at is recorded (once a minute at most).
    await waitFor(async () => (await gatewayA.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [created.id]))[0]?.last_used_at, {
      timeoutMs: 5000,
    });
    // Nothing in the audit trail holds the secret either.
    const audit = await gatewayA.query<{ whole: string }>("SELECT string_agg(row_to_json(a)::text, ' ') AS whole FROM audit_log a");
    expect(audit[0]!.whole).not.toContain(secret);
  });

  it('allows several active keys per vendor', async () => {
    const { vendor, key } = await vendorWithKey();
    const second = await issueKey(vendor.id, 'rotation');
    for (const k of [key, second.key]) expect((await a.get('/api/v1/vendor/balance', apiKey(k))).status).toBe(200);
  });

  it('refuses a missing, malformed, unknown or wrong key with 401', async () => {
    const { key } = await vendorWithKey();
    expectProblem(await a.get('/api/v1/vendor/balance'), 401, 'API_KEY_REQUIRED');
    for (const bad of ['nope', `${key}x`, key.replace(/_[^_]+$/, '_' + 'A'.repeat(43)), `ttk_${'a'.repeat(20)}_${'B'.repeat(43)}`, ` ${key}x`, key.toUpperCase()]) {
      expectProblem(await a.get('/api/v1/vendor/balance', apiKey(bad)), 401, 'INVALID_API_KEY');
    }
    // A JWT is not an API key.
    expectProblem(await a.get('/api/v1/vendor/balance', bearer(adminToken)), 401, 'API_KEY_REQUIRED');
  });

  it('a revoked key is refused at once on the replica that revoked it and within the cache TTL on the other', async () => {
    const { vendor, key, keyId } = await vendorWithKey();
    const other = await issueKey(vendor.id, 'stays valid');
    // Both replicas have the key cached.
    expect((await a.get('/api/v1/vendor/balance', apiKey(key))).status).toBe(200);
    expect((await b.get('/api/v1/vendor/balance', apiKey(key))).status).toBe(200);

    // Revoked through replica B: B forgets the key at once; A (TTL 1 s) re-reads the row within its TTL.
    const at = Date.now();
    const revoked = await b.send('DELETE', `/api/v1/admin/vendors/${vendor.id}/api-keys/${keyId}`, undefined, bearer(adminToken));
    expect(revoked.status).toBe(204);
    expectProblem(await b.get('/api/v1/vendor/balance', apiKey(key)), 401, 'INVALID_API_KEY');
    await waitFor(async () => (await a.get('/api/v1/vendor/balance', apiKey(key))).status === 401, { timeoutMs: 5000, intervalMs: 50, message: 'replica A still accepts the revoked key' });
    expect(Date.now() - at).toBeLessThan(TTL_A_MS + 1000);
    // The vendor's other key is untouched; revoking twice is fine; the listing shows the revocation.
    expect((await b.get('/api/v1/vendor/balance', apiKey(other.key))).status).toBe(200);
    expect((await a.send('DELETE', `/api/v1/admin/vendors/${vendor.id}/api-keys/${keyId}`, undefined, bearer(adminToken))).status).toBe(204);
    const list = json<{ data: Array<{ id: string; revokedAt: string | null }> }>(await a.get(`/api/v1/admin/vendors/${vendor.id}/api-keys`, bearer(adminToken)));
    expect(list.data.find((k) => k.id === keyId)!.revokedAt).toEqual(expect.any(String));
  });
});

describe('vendor suspension', () => {
  it('is enforced within 5 s on a replica that cached the vendor, through billing.vendor-changed.v1', async () => {
    const { vendor, key } = await vendorWithKey();
    expect((await b.get('/api/v1/vendor/balance', apiKey(key))).status).toBe(200); // cached on B for up to 5 s
    const at = Date.now();
    await billing.setVendor(vendor.id, { status: 'SUSPENDED' });
    await waitFor(async () => (await b.get('/api/v1/vendor/balance', apiKey(key))).status === 403, { timeoutMs: 5000, intervalMs: 50 });
    // Well under B's 5 s TTL: it was the event that dropped the entry.
    expect(Date.now() - at).toBeLessThan(2500);
    expectProblem(await b.get('/api/v1/vendor/balance', apiKey(key)), 403, 'VENDOR_SUSPENDED');

    await billing.setVendor(vendor.id, { status: 'ACTIVE' });
    await waitFor(async () => (await b.get('/api/v1/vendor/balance', apiKey(key))).status === 200, { timeoutMs: 5000, intervalMs: 50 });
  });

  it('is enforced within the TTL even when the event is lost', async () => {
    const { vendor, key } = await vendorWithKey();
    expect((await a.get('/api/v1/vendor/balance', apiKey(key))).status).toBe(200);
    billing.announceChanges = false;
    try {
      await billing.setVendor(vendor.id, { status: 'SUSPENDED' });
      const at = Date.now();
      await waitFor(async () => (await a.get('/api/v1/vendor/balance', apiKey(key))).status === 403, { timeoutMs: 5000, intervalMs: 50 });
      expect(Date.now() - at).toBeLessThanOrEqual(TTL_A_MS + 1000);
    } finally {
      billing.announceChanges = true;
    }
  });

  it('an admin suspension through PATCH takes effect at once on the replica that served it', async () => {
    const { vendor, key } = await vendorWithKey();
    expect((await a.get('/api/v1/vendor/balance', apiKey(key))).status).toBe(200);
    const patched = await a.send('PATCH', `/api/v1/admin/vendors/${vendor.id}`, { status: 'SUSPENDED' }, bearer(adminToken));
    expect(patched.status).toBe(200);
    expectProblem(await a.get('/api/v1/vendor/balance', apiKey(key)), 403, 'VENDOR_SUSPENDED');
  });
});

describe('per-vendor rate limit', () => {
  it('allows the vendor limit per minute across its keys, then 429 with Retry-After and RateLimit-* headers', async () => {
    const { vendor, key } = await vendorWithKey({ rateLimitPerMinute: 5 });
    for (let i = 0; i < 5; i += 1) {
      const res = await a.get('/api/v1/vendor/balance', apiKey(key));
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({ 'ratelimit-limit': '5', 'ratelimit-remaining': String(4 - i) });
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(0);
    }
    const limited = await a.get('/api/v1/vendor/balance', apiKey(key));
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers).toMatchObject({ 'ratelimit-limit': '5', 'ratelimit-remaining': '0' });
    // Per vendor: a second key of the same vendor shares the spent budget.
    const second = await issueKey(vendor.id);
    expectProblem(await a.get('/api/v1/vendor/balance', apiKey(second.key)), 429, 'RATE_LIMITED');
  });
});

describe('vendor orders', () => {
  it('places an order for the key\'s vendor and answers 202 + Location while it runs (no Prefer)', async () => {
    const { vendor, key } = await vendorWithKey();
    const requestKey = randomUUID();
    const res = await a.post('/api/v1/vendor/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3, customerReference: 'shop-42' }, { ...apiKey(key), 'idempotency-key': requestKey });
    expect(res.status).toBe(202);
    const order = VendorOrderResponseSchema.parse(json(res));
    expect(order).toMatchObject({ status: 'PENDING', quantity: 3, customerReference: 'shop-42', esims: [] });
    expect(res.headers['location']).toBe(`/api/v1/vendor/orders/${order.id}`);
    expect(res.headers['preference-applied']).toBeUndefined();
    expect(orders.placeRequests.at(-1)).toEqual({
      owner: { type: 'vendor', id: vendor.id },
      bundleName: 'esim_1GB_7D_FR_V2',
      quantity: 3,
      customerReference: 'shop-42',
      requestKey,
    });
    // The same key replays the first answer.
    const replay = await a.post('/api/v1/vendor/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3, customerReference: 'shop-42' }, { ...apiKey(key), 'idempotency-key': requestKey });
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(orders.countPlaced(requestKey)).toBe(1);
    expectProblem(await a.post('/api/v1/vendor/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, apiKey(key)), 400, 'IDEMPOTENCY_KEY_REQUIRED');
  });

  it('Prefer: wait returns 201 with install data when the order completes within the wait', async () => {
    const { vendor, key } = await vendorWithKey();
    orders.onPlaced = (order) => {
      if (order.owner.id !== vendor.id) return;
      setTimeout(() => {
        const esim = esims.addEsim({ type: 'vendor', id: vendor.id }, order.id);
        orders.complete(order.id, [esim.iccid]);
      }, 400);
    };
    try {
      const started = Date.now();
      const res = await placeOrder(a, key, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { prefer: 'wait=10' });
      expect(res.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.headers['preference-applied']).toBe('wait=10');
      const order = VendorOrderResponseSchema.parse(json(res));
      expect(order.status).toBe('COMPLETED');
      expect(order.esims).toEqual([
        expect.objectContaining({ iccid: expect.stringMatching(/^\d{18,22}$/), lpa: expect.stringMatching(/^LPA:1\$/), matchingId: expect.any(String), smdpAddress: expect.any(String) }),
      ]);
      // The eSIM was fetched as the vendor's.
      expect(esims.esimRequests.at(-1)).toMatchObject({ type: 'get', owner: { type: 'vendor', id: vendor.id } });
    } finally {
      orders.onPlaced = undefined;
    }
  });

  it('Prefer: wait returns 202 + Location after the wait when the order is still running', async () => {
    const { key } = await vendorWithKey();
    const started = Date.now();
    const res = await placeOrder(a, key, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { prefer: 'wait=1' });
    const elapsed = Date.now() - started;
    expect(res.status).toBe(202);
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3000);
    expect(res.headers['preference-applied']).toBe('wait=1');
    expect(res.headers['location']).toMatch(/^\/api\/v1\/vendor\/orders\/[0-9a-f-]{36}$/);
    expect(json(res)).toMatchObject({ status: 'PENDING' });
  });

  it('a terminal status other than COMPLETED ends the wait too (201, with the reason)', async () => {
    const { vendor, key } = await vendorWithKey();
    orders.onPlaced = (order) => {
      if (order.owner.id === vendor.id) setTimeout(() => orders.setStatus(order.id, 'REJECTED', 'INSUFFICIENT_FUNDS'), 200);
    };
    try {
      const res = await placeOrder(a, key, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { prefer: 'wait=10' });
      expect(res.status).toBe(201);
      expect(json(res)).toMatchObject({ status: 'REJECTED', failureReason: 'INSUFFICIENT_FUNDS', esims: [] });
    } finally {
      orders.onPlaced = undefined;
    }
  });

  it('vendor A\'s key on vendor B\'s order or eSIM is 404', async () => {
    const alpha = await vendorWithKey();
    const beta = await vendorWithKey();
    const placed = VendorOrderResponseSchema.parse(json(await placeOrder(a, beta.key, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 })));
    const esim = esims.addEsim({ type: 'vendor', id: beta.vendor.id }, placed.id);

    expect((await a.get(`/api/v1/vendor/orders/${placed.id}`, apiKey(beta.key))).status).toBe(200);
    expect((await a.get(`/api/v1/vendor/esims/${esim.iccid}`, apiKey(beta.key))).status).toBe(200);
    const qr = await a.get(`/api/v1/vendor/esims/${esim.iccid}/qrcode`, apiKey(beta.key));
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toBe('image/png');

    expectProblem(await a.get(`/api/v1/vendor/orders/${placed.id}`, apiKey(alpha.key)), 404, 'ORDER_NOT_FOUND');
    expectProblem(await a.get(`/api/v1/vendor/esims/${esim.iccid}`, apiKey(alpha.key)), 404, 'ESIM_NOT_FOUND');
    expectProblem(await a.get(`/api/v1/vendor/esims/${esim.iccid}/qrcode`, apiKey(alpha.key)), 404, 'ESIM_NOT_FOUND');
    const alphaList = json<{ data: Array<{ id: string }> }>(await a.get('/api/v1/vendor/orders', apiKey(alpha.key)));
    expect(alphaList.data.map((o) => o.id)).not.toContain(placed.id);
    expect(orders.listRequests.at(-1)).toMatchObject({ owner: { type: 'vendor', id: alpha.vendor.id } });
    // A customer's order is not a vendor's either (same owner id string, other owner type).
    expect(orders.getRequests.at(-1)).toMatchObject({ owner: { type: 'vendor', id: alpha.vendor.id } });
  });
});

describe('allow-lists (mass assignment)', () => {
  it.each([
    ['price', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, price: { amount: 1, currency: 'USD' } }],
    ['total', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, total: { amount: 1, currency: 'USD' } }],
    ['unitPrice', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, unitPrice: { amount: 1, currency: 'USD' } }],
    ['status', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, status: 'COMPLETED' }],
    ['vendorId', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, vendorId: randomUUID() }],
    ['owner', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, owner: { type: 'vendor', id: randomUUID() } }],
    ['markupBps', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, markupBps: 0 }],
  ])('POST /vendor/orders with %s is refused with 400 and places nothing', async (field, body) => {
    const { key } = await vendorWithKey();
    const before = orders.placeRequests.length;
    const problem = expectProblem(await placeOrder(a, key, body), 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(problem.errors)).toContain(field);
    expect(orders.placeRequests.length).toBe(before);
  });

  it('refuses writable-field smuggling on top-ups, the webhook endpoint and vendor updates', async () => {
    const { vendor, key } = await vendorWithKey();
    const before = billing.requests.length;
    for (const body of [{ amount: 5000, status: 'CREDITED' }, { amount: 5000, vendorId: randomUUID() }, { amount: 5000, currency: 'EUR' }, { amount: 5000, creditLimit: 10 ** 9 }]) {
      expectProblem(await a.post('/api/v1/vendor/topups', body, { ...apiKey(key), 'idempotency-key': randomUUID() }), 400, 'VALIDATION_FAILED');
    }
    expectProblem(await a.send('PUT', '/api/v1/vendor/webhook-endpoint', { url: 'https://hooks.example.com/x', vendorId: randomUUID() }, apiKey(key)), 400, 'VALIDATION_FAILED');
    expectProblem(await a.send('PUT', '/api/v1/vendor/webhook-endpoint', { url: 'javascript:alert(1)' }, apiKey(key)), 400, 'VALIDATION_FAILED');
    expectProblem(await a.send('PATCH', `/api/v1/admin/vendors/${vendor.id}`, { balance: 10 ** 9 }, bearer(adminToken)), 400, 'VALIDATION_FAILED');
    expect(billing.requests.length).toBe(before);
    expect(notification.requests.filter((r) => r['vendorId'] === vendor.id)).toEqual([]);
  });
});

describe('vendor account routes', () => {
  it('lists bundles at the vendor markup, never from the public cache', async () => {
    const { vendor, key } = await vendorWithKey({ markupBps: 2500 });
    expect((await a.get('/api/v1/bundles?country=FR')).status).toBe(200); // fills the public cache
    const callsBefore = esims.calls.list;
    const res = await a.get('/api/v1/vendor/bundles?country=FR', apiKey(key));
    expect(res.status).toBe(200);
    expect(esims.calls.list).toBe(callsBefore + 1);
    expect(esims.listRequests.at(-1)).toEqual({ country: 'FR', limit: 20, markupBps: vendor.markupBps });
    expect(res.headers['cache-control']).toBe('private, no-store');
    expectProblem(await a.get('/api/v1/vendor/bundles?price=1', apiKey(key)), 400, 'VALIDATION_FAILED');
  });

  it('ledger, top-up (Idempotency-Key required) and webhook endpoint act for the key\'s vendor, audited with vendor + key id', async () => {
    const { vendor, key, keyId } = await vendorWithKey();
    const ledger = await a.get('/api/v1/vendor/ledger?limit=10', apiKey(key));
    expect(ledger.status).toBe(200);
    expect(json(ledger)).toMatchObject({ data: [expect.objectContaining({ kind: 'TOPUP', amount: 10_000 })], nextCursor: null });

    expectProblem(await a.post('/api/v1/vendor/topups', { amount: 5000 }, apiKey(key)), 400, 'IDEMPOTENCY_KEY_REQUIRED');
    const requestKey = randomUUID();
    const topup = await a.post('/api/v1/vendor/topups', { amount: 5000 }, { ...apiKey(key), 'idempotency-key': requestKey });
    expect(topup.status).toBe(201);
    expect(json(topup)).toEqual({
      topupId: expect.any(String),
      amount: { amount: 5000, currency: 'USD' },
      status: 'AWAITING_PAYMENT',
      payment: { paymentIntentId: expect.stringMatching(/^pi_/), clientSecret: expect.any(String), publishableKey: 'pk_test_ttelgo_sim' },
    });
    expect(billing.requests.at(-1)).toEqual({ type: 'create-topup', req: { vendorId: vendor.id, amount: 5000, requestKey } });

    const hook = await a.send('PUT', '/api/v1/vendor/webhook-endpoint', { url: 'https://hooks.example.com/ttelgo' }, apiKey(key));
    expect(hook.status).toBe(200);
    expect(json(hook)).toEqual({ url: 'https://hooks.example.com/ttelgo', secret: expect.stringMatching(/^whsec_/), updatedAt: expect.any(String) });
    expect(notification.requests.at(-1)).toEqual({ vendorId: vendor.id, url: 'https://hooks.example.com/ttelgo' });
    const secret = json<{ secret: string }>(hook).secret;

    const rows = await waitFor(async () => {
      const found = await gatewayA.query<{ action: string; actor_type: string; actor_id: string; details: Record<string, unknown>; outcome: string }>(
        'SELECT action, actor_type, actor_id, details, outcome FROM audit_log WHERE actor_id = $1 ORDER BY at',
        [vendor.id],
      );
      return found.length >= 3 ? found : undefined;
    });
    expect(rows.map((r) => [r.action, r.outcome])).toEqual([
      ['vendor.topup.create', 'failure'],
      ['vendor.topup.create', 'success'],
      ['vendor.webhook-endpoint.set', 'success'],
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ actor_type: 'vendor', actor_id: vendor.id });
      expect(row.details).toMatchObject({ keyId });
      expect(JSON.stringify(row.details)).not.toContain(secret);
    }
  });
});
