/**
 * B2B resellers end to end, through the public API only: an admin onboards resellers and gives them
 * API keys; a PREPAID reseller tops its wallet up by card and buys eSIMs; a POSTPAID one buys on credit; money is
 * never created, lost or overdrawn; a signed webhook tells the reseller; suspension takes effect at once; an admin
 * refund credits the reseller back once.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let stripe: Stripe;
let adminToken: string;
let bundleName: string;

interface Vendor {
  id: string;
  key: string;
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  expect(login.status).toBe(200);
  adminToken = login.body.accessToken;
  bundleName = (await api.get<{ data: Array<{ name: string }> }>('/api/v1/bundles?country=FR&limit=1')).body.data[0]!.name;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

async function onboard(body: Record<string, unknown>): Promise<Vendor> {
  const created = await api.post<{ id: string; status: string }>(
    '/api/v1/admin/vendors',
    { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', rateLimitPerMinute: 600, ...body },
    adminToken,
    { 'Idempotency-Key': randomUUID() },
  );
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('ACTIVE');
  const key = await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken);
  expect(key.status).toBe(201);
  expect(key.body.key).toMatch(/^ttk_[A-Za-z0-9_-]+_[A-Za-z0-9_-]+$/);
  return { id: created.body.id, key: key.body.key };
}

function asVendor(vendor: Vendor) {
  const headers = (extra: Record<string, string> = {}) => ({ 'X-API-Key': vendor.key, ...extra });
  return {
    get: <T = any>(path: string) => api.call<T>('GET', path, { headers: headers() }), // eslint-disable-line @typescript-eslint/no-explicit-any
    put: <T = any>(path: string, body: unknown) => api.call<T>('PUT', path, { body, headers: headers() }), // eslint-disable-line @typescript-eslint/no-explicit-any
    order: (body: Record<string, unknown>, wait = 30) =>
      api.call<any>('POST', '/api/v1/vendor/orders', { body, headers: headers({ 'Idempotency-Key': randomUUID(), Prefer: `wait=${wait}` }) }), // eslint-disable-line @typescript-eslint/no-explicit-any
    topup: (amount: number) => api.call<any>('POST', '/api/v1/vendor/topups', { body: { amount }, headers: headers({ 'Idempotency-Key': randomUUID() }) }), // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

async function balance(vendor: Vendor) {
  const res = await asVendor(vendor).get<{ billingMode: string; currency: string; balance: number; reserved: number; available: number; creditLimit: number | null }>(
    '/api/v1/vendor/balance',
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** A reseller's webhook endpoint on this host: records every POST with its signature header. */
async function webhookReceiver(): Promise<{ received: Array<{ body: string; signature: string }>; server: http.Server; url: string }> {
  const received: Array<{ body: string; signature: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['ttelgo-signature'] ?? '') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { received, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

/** Checks a Stripe-style `t=<unix>,v1=<hex hmac>` signature over `<t>.<body>`. */
function expectSigned(hook: { body: string; signature: string }, secret: string): void {
  const [t, v1] = hook.signature.split(',').map((p) => p.split('=')[1]);
  expect(createHmac('sha256', secret).update(`${t}.${hook.body}`).digest('hex')).toBe(v1);
}

describe('B2B resellers', () => {
  it('PREPAID: top up by card, buy with Prefer: wait, the wallet is charged once and the ledger shows it', async () => {
    const vendor = await onboard({ billingMode: 'PREPAID', markupPercent: 10 });
    const as = asVendor(vendor);
    expect(await balance(vendor)).toMatchObject({ billingMode: 'PREPAID', balance: 0, available: 0 });

    const topup = await as.topup(5000);
    expect(topup.status).toBe(201);
    await stripe.paymentIntents.confirm(topup.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await waitFor(async () => (await balance(vendor)).available === 5000, { timeoutMs: 30_000, message: 'wallet credited' });

    const price = (await as.get<{ data: Array<{ name: string; price: { amount: number } }> }>(`/api/v1/vendor/bundles?country=FR&limit=100`)).body.data.find(
      (b) => b.name === bundleName,
    )!.price.amount;
    const placed = await as.order({ bundleName, quantity: 1, customerReference: 'trip-42' });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'COMPLETED', customerReference: 'trip-42', total: { amount: price, currency: 'USD' } });
    expect(placed.body.esims).toHaveLength(1);
    expect(placed.body.esims[0].lpa).toMatch(/^LPA:1\$/);

    const after = await balance(vendor);
    expect(after).toMatchObject({ balance: 5000 - price, reserved: 0, available: 5000 - price });
    const ledger = await as.get<{ data: Array<{ kind: string; amount: number; orderId: string | null }> }>('/api/v1/vendor/ledger');
    expect(ledger.body.data.map((e) => [e.kind, e.amount])).toEqual(expect.arrayContaining([['TOPUP', 5000], ['ORDER_CHARGE', -price]]));

    // Not enough left for a large order: REJECTED with the reason, nothing held.
    const tooBig = await as.order({ bundleName, quantity: 10 });
    expect(tooBig.status).toBe(201);
    expect(tooBig.body).toMatchObject({ status: 'REJECTED', failureReason: expect.stringContaining('INSUFFICIENT_FUNDS') });
    expect(await balance(vendor)).toMatchObject({ balance: 5000 - price, reserved: 0 });
  });

  it('POSTPAID: buys on credit up to the limit, then CREDIT_LIMIT_EXCEEDED', async () => {
    const vendor = await onboard({ billingMode: 'POSTPAID', creditLimit: 3000, markupPercent: 0 });
    const as = asVendor(vendor);
    const first = await as.order({ bundleName, quantity: 1 });
    expect(first.body.status).toBe('COMPLETED');
    const owed = first.body.total.amount;
    expect(await balance(vendor)).toMatchObject({ balance: -owed, creditLimit: 3000, available: 3000 - owed });
    const over = await as.order({ bundleName, quantity: Math.floor(3000 / owed) + 1 });
    expect(over.body).toMatchObject({ status: 'REJECTED', failureReason: expect.stringContaining('CREDIT_LIMIT_EXCEEDED') });
  });

  it('sends a signed webhook with the eSIMs and the reseller reference', async () => {
    const vendor = await onboard({ billingMode: 'POSTPAID', creditLimit: 100_000 });
    const { received, server, url } = await webhookReceiver();
    try {
      const endpoint = await asVendor(vendor).put<{ secret: string }>('/api/v1/vendor/webhook-endpoint', { url });
      expect(endpoint.status).toBe(200);
      const placed = await asVendor(vendor).order({ bundleName, quantity: 1, customerReference: 'booking-7' });
      expect(placed.body.status).toBe('COMPLETED');
      const hook = await waitFor(() => received.find((r) => JSON.parse(r.body).type === 'order.completed'), { timeoutMs: 20_000, message: 'webhook' });
      expectSigned(hook, endpoint.body.secret);
      expect(JSON.parse(hook.body).data).toMatchObject({ id: placed.body.id, customerReference: 'booking-7', status: 'COMPLETED' });
    } finally {
      server.close();
    }
  });

  it('admin refund of a COMPLETED order: the wallet is credited back once (a REFUND ledger entry), the order is REFUNDED and the reseller gets a signed order.refunded webhook', async () => {
    const vendor = await onboard({ billingMode: 'PREPAID', markupPercent: 0 });
    const as = asVendor(vendor);
    const adjusted = await api.post(`/api/v1/admin/vendors/${vendor.id}/adjustments`, { amount: 10_000, reason: 'opening credit' }, adminToken);
    expect(adjusted.status).toBe(201);
    const { received, server, url } = await webhookReceiver();
    try {
      const endpoint = await as.put<{ secret: string }>('/api/v1/vendor/webhook-endpoint', { url });
      const placed = await as.order({ bundleName, quantity: 1, customerReference: 'refund-me' });
      expect(placed.body.status).toBe('COMPLETED');
      const price = placed.body.total.amount as number;
      expect(await balance(vendor)).toMatchObject({ balance: 10_000 - price, available: 10_000 - price });

      // A reseller cannot refund itself; the admin route takes an admin JWT.
      expect((await api.call('POST', `/api/v1/admin/orders/${placed.body.id}/refund`, { body: { reason: 'x' }, headers: { 'X-API-Key': vendor.key } })).status).toBe(401);
      // The capture may still be on its way to vendor-billing: the refund is refused (409) until it is settled.
      const asked = await waitFor(
        async () => {
          const res = await api.post<{ status: string; refund: { status: string } | null }>(`/api/v1/admin/orders/${placed.body.id}/refund`, { reason: 'duplicate booking' }, adminToken);
          return res.status === 409 ? undefined : res;
        },
        { timeoutMs: 20_000, intervalMs: 250, message: 'refund accepted' },
      );
      expect([200, 202]).toContain(asked.status);
      await waitFor(async () => (await as.get<{ status: string }>(`/api/v1/vendor/orders/${placed.body.id}`)).body.status === 'REFUNDED', {
        timeoutMs: 30_000,
        message: 'order REFUNDED',
      });
      expect(await balance(vendor)).toMatchObject({ balance: 10_000, reserved: 0, available: 10_000 });
      const again = await api.post<{ status: string }>(`/api/v1/admin/orders/${placed.body.id}/refund`, { reason: 'again' }, adminToken);
      expect(again.status).toBe(200);
      expect(await balance(vendor)).toMatchObject({ balance: 10_000 });
      const ledger = await as.get<{ data: Array<{ kind: string; amount: number; orderId: string | null }> }>('/api/v1/vendor/ledger');
      expect(ledger.body.data.filter((e) => e.orderId === placed.body.id).map((e) => [e.kind, e.amount])).toEqual([
        ['REFUND', price],
        ['ORDER_CHARGE', -price],
      ]);

      const hook = await waitFor(() => received.find((r) => JSON.parse(r.body).type === 'order.refunded'), { timeoutMs: 20_000, message: 'order.refunded webhook' });
      expectSigned(hook, endpoint.body.secret);
      expect(JSON.parse(hook.body).data).toMatchObject({ id: placed.body.id, status: 'REFUNDED', customerReference: 'refund-me' });
    } finally {
      server.close();
    }
  });

  it("keeps resellers apart, and a suspended reseller's key stops working within 5 seconds", async () => {
    const a = await onboard({ billingMode: 'POSTPAID', creditLimit: 100_000 });
    const b = await onboard({ billingMode: 'POSTPAID', creditLimit: 100_000 });
    const order = await asVendor(a).order({ bundleName, quantity: 1 });
    expect(order.body.status).toBe('COMPLETED');
    expect((await asVendor(b).get(`/api/v1/vendor/orders/${order.body.id}`)).status).toBe(404);
    expect((await asVendor(b).get(`/api/v1/vendor/esims/${order.body.esims[0].iccid}`)).status).toBe(404);

    const suspended = await api.call('PATCH', `/api/v1/admin/vendors/${a.id}`, { token: adminToken, body: { status: 'SUSPENDED' } });
    expect(suspended.status).toBe(200);
    const started = Date.now();
    await waitFor(async () => (await asVendor(a).get('/api/v1/vendor/balance')).status === 403, { timeoutMs: 5000, message: 'suspension in force' });
    expect(Date.now() - started).toBeLessThan(5000);

    const audit = await api.get<{ data: Array<{ action: string }> }>('/api/v1/admin/audit-log?limit=100', adminToken);
    expect(audit.status).toBe(200);
    expect(audit.body.data.length).toBeGreaterThan(0);
  });
});
