/**
 * Top-ups of an eSIM already installed, end to end through the public API: a traveller tops up by card and sees
 * the second bundle on the same eSIM (no new eSIM, no new QR code); incompatible, unknown and foreign top-ups are
 * refused before any money is taken; a top-up eSIM Go refuses is refunded. A reseller tops up with its API key
 * through the B2B saga (held, applied, captured) and lists its eSIMs. eSIM Go is the simulator, Stripe too.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let stripe: Stripe;
let adminToken: string;
let first: string;
let topupBundle: string;

interface Bundle {
  name: string;
  dataMb: number;
  durationDays: number;
  price: { amount: number; currency: string };
}

interface EsimBody {
  iccid: string;
  orderId: string;
  status: string;
  lpa: string;
  matchingId: string;
  activatedAt: string | null;
  expiresAt: string | null;
  bundles: Array<{ orderId: string; kind: string; bundleName: string; state: string; initialBytes: number | null; remainingBytes: number | null; endsAt: string | null }>;
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { USAGE_REFRESH_AFTER_MS: '0', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  adminToken = login.body.accessToken;
  const bundles = (await api.get<{ data: Bundle[] }>('/api/v1/bundles?country=FR&limit=50')).body.data.filter((b) => b.dataMb > 0);
  first = bundles.find((b) => b.dataMb === 1000 && b.durationDays === 7)!.name;
  topupBundle = bundles.find((b) => b.dataMb === 2000)!.name;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

const sim = () => platform.esimGo.sim;

async function completedOrder(token: string, orderId: string, path = '/api/v1/orders'): Promise<{ status: string; kind: string; iccid: string | null; esims: Array<{ iccid: string }> }> {
  return waitFor(
    async () => {
      const res = await api.get<{ status: string; kind: string; iccid: string | null; esims: Array<{ iccid: string }> }>(`${path}/${orderId}`, token);
      return ['COMPLETED', 'FAILED', 'REFUNDED'].includes(res.body.status) ? res.body : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, message: `order ${orderId} did not finish` },
  );
}

/** A traveller with one paid, provisioned eSIM. */
async function travellerWithEsim(): Promise<{ token: string; iccid: string; orderId: string }> {
  const { accessToken: token } = await api.register(`traveller-${randomUUID()}@example.com`);
  const placed = await api.post<{ id: string; payment: { paymentIntentId: string } }>('/api/v1/orders', { bundleName: first, quantity: 1 }, token, {
    'Idempotency-Key': randomUUID(),
  });
  expect(placed.status).toBe(201);
  await stripe.paymentIntents.confirm(placed.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
  const order = await completedOrder(token, placed.body.id);
  expect(order.status).toBe('COMPLETED');
  return { token, iccid: order.esims[0]!.iccid, orderId: placed.body.id };
}

describe('a traveller tops up the eSIM already installed', () => {
  it('pays by card and sees the second bundle on the same eSIM; no new eSIM, no new QR code', async () => {
    const { token, iccid, orderId } = await travellerWithEsim();
    const before = (await api.get<EsimBody>(`/api/v1/esims/${iccid}`, token)).body;
    expect(before.bundles).toHaveLength(1);
    const esimsAtSim = sim().state.esims.size;
    const qrBefore = (await api.get(`/api/v1/esims/${iccid}/qrcode`, token)).body as Buffer;

    const key = randomUUID();
    const topup = await api.post<{ id: string; status: string; kind: string; iccid: string; quantity: number; total: { amount: number }; payment: { paymentIntentId: string } }>(
      `/api/v1/esims/${iccid}/topups`,
      { bundleName: topupBundle },
      token,
      { 'Idempotency-Key': key },
    );
    expect(topup.status).toBe(201);
    expect(topup.headers.get('location')).toBe(`/api/v1/orders/${topup.body.id}`);
    expect(topup.body).toMatchObject({ status: 'AWAITING_PAYMENT', kind: 'TOPUP', iccid, bundleName: topupBundle, quantity: 1, payment: { paymentIntentId: expect.stringMatching(/^pi_/) } });
    const price = (await api.get<Bundle>(`/api/v1/bundles/${topupBundle}`)).body.price.amount;
    expect(topup.body.total.amount).toBe(price);
    // The same key replays the same top-up.
    const replay = await api.post<{ id: string }>(`/api/v1/esims/${iccid}/topups`, { bundleName: topupBundle }, token, { 'Idempotency-Key': key });
    expect(replay.body.id).toBe(topup.body.id);

    await stripe.paymentIntents.confirm(topup.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    const done = await completedOrder(token, topup.body.id);
    expect(done).toMatchObject({ status: 'COMPLETED', kind: 'TOPUP', iccid, esims: [{ iccid }] });

    const after = (await api.get<EsimBody>(`/api/v1/esims/${iccid}`, token)).body;
    expect(after).toMatchObject({ iccid, orderId, lpa: before.lpa, matchingId: before.matchingId });
    expect(after.bundles.map((b) => ({ kind: b.kind, bundleName: b.bundleName, orderId: b.orderId, state: b.state }))).toEqual([
      { kind: 'NEW', bundleName: first, orderId, state: 'QUEUED' },
      { kind: 'TOPUP', bundleName: topupBundle, orderId: topup.body.id, state: 'QUEUED' },
    ]);
    expect(after.bundles[1]).toMatchObject({ initialBytes: 2_000_000_000, remainingBytes: 2_000_000_000 });
    expect(after.bundles.every((b) => b.endsAt !== null)).toBe(true);
    expect(sim().state.esims.size).toBe(esimsAtSim);
    expect(sim().state.esims.get(iccid)!.assignments.map((a) => a.bundleName)).toEqual([first, topupBundle]);
    expect((await api.get(`/api/v1/esims/${iccid}/qrcode`, token)).body).toEqual(qrBefore);

    // The orders list says which is which; older orders read NEW.
    const orders = (await api.get<{ data: Array<{ id: string; kind: string; iccid: string | null }> }>('/api/v1/orders', token)).body.data;
    expect(orders.map((o) => [o.id, o.kind, o.iccid])).toEqual([
      [topup.body.id, 'TOPUP', iccid],
      [orderId, 'NEW', null],
    ]);
    // The customer's list shows the same detail as the eSIM itself.
    const listed = (await api.get<{ data: EsimBody[] }>('/api/v1/esims', token)).body.data;
    expect(listed).toEqual([after]);
  }, 120_000);

  it('refuses an incompatible bundle (422), an unknown bundle and a foreign ICCID (404) before any money is taken', async () => {
    const { token, iccid } = await travellerWithEsim();
    const other = await travellerWithEsim();
    const intentsBefore = platform.stripe.sim.state.paymentIntents.size;
    sim().control.setCompatibility({ bundle: topupBundle, iccid, compatible: false });
    try {
      const incompatible = await api.post<{ code: string }>(`/api/v1/esims/${iccid}/topups`, { bundleName: topupBundle }, token, { 'Idempotency-Key': randomUUID() });
      expect(incompatible.status).toBe(422);
      expect(incompatible.headers.get('content-type')).toContain('application/problem+json');
      expect(incompatible.body.code).toBe('BUNDLE_NOT_COMPATIBLE');
    } finally {
      sim().control.setCompatibility({ bundle: topupBundle, iccid, compatible: true });
    }
    const unknown = await api.post<{ code: string }>(`/api/v1/esims/${iccid}/topups`, { bundleName: 'esim_nope_V2' }, token, { 'Idempotency-Key': randomUUID() });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'BUNDLE_NOT_FOUND']);
    const foreign = await api.post<{ code: string }>(`/api/v1/esims/${other.iccid}/topups`, { bundleName: topupBundle }, token, { 'Idempotency-Key': randomUUID() });
    const missing = await api.post<{ code: string }>('/api/v1/esims/8944530000000000000/topups', { bundleName: topupBundle }, token, { 'Idempotency-Key': randomUUID() });
    expect([foreign.status, foreign.body]).toEqual([missing.status, { ...missing.body, requestId: expect.any(String), detail: expect.any(String) }]);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('ESIM_NOT_FOUND');
    expect(platform.stripe.sim.state.paymentIntents.size).toBe(intentsBefore);
    const orders = (await api.get<{ data: unknown[] }>('/api/v1/orders', token)).body.data;
    expect(orders).toHaveLength(1);
  }, 120_000);

  it('refunds the card when eSIM Go refuses to apply the bundle', async () => {
    const { token, iccid } = await travellerWithEsim();
    const topup = await api.post<{ id: string; payment: { paymentIntentId: string } }>(`/api/v1/esims/${iccid}/topups`, { bundleName: topupBundle }, token, {
      'Idempotency-Key': randomUUID(),
    });
    expect(topup.status).toBe(201);
    // Compatible when checked, refused when applied (eSIM Go changed its mind in between).
    sim().control.setCompatibility({ bundle: topupBundle, iccid, compatible: false });
    try {
      await stripe.paymentIntents.confirm(topup.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      const refunded = await waitFor(
        async () => {
          const res = await api.get<{ status: string; failureReason: string | null }>(`/api/v1/orders/${topup.body.id}`, token);
          return res.body.status === 'REFUNDED' ? res.body : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 200, message: 'the refused top-up was not refunded' },
      );
      expect(refunded.failureReason).toContain('BUNDLE_NOT_COMPATIBLE');
    } finally {
      sim().control.setCompatibility({ bundle: topupBundle, iccid, compatible: true });
    }
    const refunds = await stripe.refunds.list({ payment_intent: topup.body.payment.paymentIntentId });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({ status: 'succeeded' });
    expect(sim().state.esims.get(iccid)!.assignments).toHaveLength(1);
  }, 120_000);
});

describe('a reseller tops up with its API key', () => {
  it('holds, applies and captures with Prefer: wait; lists its own eSIMs with bundles, by status', async () => {
    const created = await api.post<{ id: string }>(
      '/api/v1/admin/vendors',
      { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', billingMode: 'POSTPAID', creditLimit: 100_000, rateLimitPerMinute: 600 },
      adminToken,
      { 'Idempotency-Key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const { key } = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken)).body;
    const as = (extra: Record<string, string> = {}) => ({ 'X-API-Key': key, ...extra });
    const bought = await api.call<{ id: string; status: string; kind: string; esims: Array<{ iccid: string }> }>('POST', '/api/v1/vendor/orders', {
      body: { bundleName: first, quantity: 1 },
      headers: as({ 'Idempotency-Key': randomUUID(), Prefer: 'wait=30' }),
    });
    expect([bought.status, bought.body.status, bought.body.kind]).toEqual([201, 'COMPLETED', 'NEW']);
    const iccid = bought.body.esims[0]!.iccid;

    const topup = await api.call<{ id: string; status: string; kind: string; iccid: string; customerReference: string; total: { amount: number } }>(
      'POST',
      `/api/v1/vendor/esims/${iccid}/topups`,
      { body: { bundleName: topupBundle, customerReference: 'shop-77' }, headers: as({ 'Idempotency-Key': randomUUID(), Prefer: 'wait=30' }) },
    );
    expect(topup.status).toBe(201);
    expect(topup.headers.get('preference-applied')).toBe('wait=30');
    expect(topup.body).toMatchObject({ status: 'COMPLETED', kind: 'TOPUP', iccid, customerReference: 'shop-77' });
    expect(sim().state.esims.get(iccid)!.assignments.map((a) => a.bundleName)).toEqual([first, topupBundle]);

    // The hold was captured: two charges on the ledger, nothing reserved.
    await waitFor(
      async () => {
        const ledger = (await api.call<{ data: Array<{ kind: string; orderId: string | null }> }>('GET', '/api/v1/vendor/ledger', { headers: as() })).body.data;
        return ledger.some((e) => e.kind === 'ORDER_CHARGE' && e.orderId === topup.body.id) || undefined;
      },
      { timeoutMs: 15_000, message: 'the top-up was not charged' },
    );
    const balance = (await api.call<{ reserved: number; balance: number }>('GET', '/api/v1/vendor/balance', { headers: as() })).body;
    expect(balance.reserved).toBe(0);

    const incompatible = await api.call<{ code: string }>('POST', `/api/v1/vendor/esims/${iccid}/topups`, {
      body: { bundleName: 'esim_nope_V2' },
      headers: as({ 'Idempotency-Key': randomUUID() }),
    });
    expect([incompatible.status, incompatible.body.code]).toEqual([404, 'BUNDLE_NOT_FOUND']);

    // Its own eSIMs only, newest first, with bundles and activation; ?status filters.
    const second = await api.call<{ esims: Array<{ iccid: string }> }>('POST', '/api/v1/vendor/orders', {
      body: { bundleName: first, quantity: 1 },
      headers: as({ 'Idempotency-Key': randomUUID(), Prefer: 'wait=30' }),
    });
    const list = await api.call<{ data: EsimBody[]; nextCursor: string | null }>('GET', '/api/v1/vendor/esims?limit=1', { headers: as() });
    expect(list.status).toBe(200);
    expect(list.body.data.map((e) => e.iccid)).toEqual([second.body.esims[0]!.iccid]);
    const page2 = await api.call<{ data: EsimBody[]; nextCursor: string | null }>('GET', `/api/v1/vendor/esims?limit=1&cursor=${list.body.nextCursor}`, { headers: as() });
    expect(page2.body.data[0]).toMatchObject({ iccid, status: 'QUEUED', activatedAt: null });
    expect(page2.body.data[0]!.bundles.map((b) => b.kind)).toEqual(['NEW', 'TOPUP']);
    expect(page2.body.nextCursor).toBeNull();

    await fetch(`${new URL(platform.esimGo.baseUrl).origin}/__sim/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iccid, usedPercent: 10 }),
    });
    const active = await waitFor(
      async () => {
        const res = await api.call<{ data: EsimBody[] }>('GET', '/api/v1/vendor/esims?status=ACTIVE', { headers: as() });
        return res.body.data.length > 0 ? res.body.data : undefined;
      },
      { timeoutMs: 15_000, message: 'the used eSIM never became ACTIVE' },
    );
    expect(active.map((e) => e.iccid)).toEqual([iccid]);
    expect(active[0]!.activatedAt).not.toBeNull();
    const queued = (await api.call<{ data: EsimBody[] }>('GET', '/api/v1/vendor/esims?status=QUEUED', { headers: as() })).body.data;
    expect(queued.map((e) => e.iccid)).toEqual([second.body.esims[0]!.iccid]);
    const bad = await api.call<{ code: string }>('GET', '/api/v1/vendor/esims?status=USED', { headers: as() });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  }, 150_000);
});
