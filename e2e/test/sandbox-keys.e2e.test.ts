/**
 * Sandbox keys through the public API: an admin issues a test key (ttk_test_...); with it a reseller sees the same
 * API, served by the sandbox cell: a PREPAID test wallet of 1,000.00 in its currency, orders bought from the sandbox's
 * eSIM Go simulator (never the live provider), the magic bundles' outcomes, and nothing of it in live data.
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
let adminToken: string;

interface Order {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  failureReason: string | null;
  esims: Array<{ iccid: string }>;
}
interface Balance {
  billingMode: string;
  currency: string;
  balance: number;
  reserved: number;
  available: number;
}

beforeAll(async () => {
  platform = await startTestPlatform({ sandbox: true, env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', USAGE_REFRESH_AFTER_MS: '0' } });
  api = apiClient(platform.api);
  adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
}, 480_000); // eleven services in one process: slow to start on a loaded 2-core machine

afterAll(async () => {
  await platform?.stop();
});

function as(key: string) {
  return {
    get: <T = any>(path: string) => api.call<T>('GET', path, { headers: { 'X-API-Key': key } }), // eslint-disable-line @typescript-eslint/no-explicit-any
    put: <T = any>(path: string, body: unknown) => api.call<T>('PUT', path, { body, headers: { 'X-API-Key': key } }), // eslint-disable-line @typescript-eslint/no-explicit-any
    order: (bundleName: string) =>
      api.call<Order>('POST', '/api/v1/vendor/orders', { body: { bundleName, quantity: 1 }, headers: { 'X-API-Key': key, 'Idempotency-Key': randomUUID(), Prefer: 'wait=25' } }),
  };
}

it('a test key buys from the sandbox with a 1,000.00 test wallet and test top-ups, the magic bundles force their outcomes, and live data never sees it', async () => {
  const received: Array<{ body: string; signature: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['ttelgo-signature'] ?? '') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const vendor = await api.post<{ id: string }>(
      '/api/v1/admin/vendors',
      { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', billingMode: 'POSTPAID', creditLimit: 50_000, rateLimitPerMinute: 600 },
      adminToken,
      { 'Idempotency-Key': randomUUID() },
    );
    expect(vendor.status).toBe(201);
    const liveKey = (await api.post<{ key: string; mode: string }>(`/api/v1/admin/vendors/${vendor.body.id}/api-keys`, { name: 'live' }, adminToken)).body;
    expect(liveKey.mode).toBe('live');
    const issued = await api.post<{ key: string; mode: string }>(`/api/v1/admin/vendors/${vendor.body.id}/api-keys`, { name: 'sandbox', mode: 'test' }, adminToken);
    expect(issued.status).toBe(201);
    expect(issued.body.mode).toBe('test');
    expect(issued.body.key).toMatch(/^ttk_test_[a-z0-9]{16,40}_[A-Za-z0-9_-]{43,}$/);
    const live = as(liveKey.key);
    const test = as(issued.body.key);

    // The test wallet: PREPAID, 1,000.00 in the vendor's currency; the live account is untouched.
    expect((await test.get<Balance>('/api/v1/vendor/balance')).body).toMatchObject({ billingMode: 'PREPAID', currency: 'USD', balance: 100_000, reserved: 0, available: 100_000 });
    expect((await live.get<Balance>('/api/v1/vendor/balance')).body).toMatchObject({ billingMode: 'POSTPAID', balance: 0 });
    // The key is only valid with the prefix it was issued with.
    expect((await as(issued.body.key.replace('ttk_test_', 'ttk_')).get('/api/v1/vendor/balance')).status).toBe(401);

    // The sandbox catalogue has the magic bundles; the live one does not.
    const sandboxBundles = (await test.get<{ data: Array<{ name: string }> }>('/api/v1/vendor/bundles?country=FR&limit=100')).body.data.map((b) => b.name);
    expect(sandboxBundles).toEqual(expect.arrayContaining(['test_provisioning_fails', 'test_completes_after_5s', 'test_usage_80']));
    const liveBundles = (await live.get<{ data: Array<{ name: string }> }>('/api/v1/vendor/bundles?country=FR&limit=100')).body.data.map((b) => b.name);
    expect(liveBundles.filter((n) => n.startsWith('test_'))).toEqual([]);

    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const { secret } = (await test.put<{ secret: string }>('/api/v1/vendor/webhook-endpoint', { url })).body;

    // An ordinary bundle: bought from the sandbox's simulator, charged to the test wallet.
    const bought = await test.order('esim_1GB_7D_FR_V2');
    expect(bought.status).toBe(201);
    expect(bought.body.status).toBe('COMPLETED');
    const iccid = bought.body.esims[0]!.iccid;
    expect(platform.sandbox!.esimGo.state.esims.has(iccid)).toBe(true);
    expect(platform.esimGo.sim.state.orders.size).toBe(0);
    const afterFirst = (await test.get<Balance>('/api/v1/vendor/balance')).body;
    expect(afterFirst.balance).toBe(100_000 - bought.body.total.amount);

    // test_provisioning_fails: FAILED, the hold released.
    const failed = await test.order('test_provisioning_fails');
    expect(failed.body.status).toBe('FAILED');
    expect((await test.get<Balance>('/api/v1/vendor/balance')).body).toMatchObject({ balance: afterFirst.balance, reserved: 0, available: afterFirst.balance });

    // test_completes_after_5s: COMPLETED, about 5 s later.
    const started = Date.now();
    const slow = await test.order('test_completes_after_5s');
    expect(slow.body.status).toBe('COMPLETED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000);

    // test_usage_80: 80 % used a few seconds after completion, with its signed esim.usage_threshold webhook.
    const usage = await test.order('test_usage_80');
    expect(usage.body.status).toBe('COMPLETED');
    const usageIccid = usage.body.esims[0]!.iccid;
    const notice = await waitFor(
      () => received.find((r) => (JSON.parse(r.body) as { type: string; data: { iccid: string } }).type === 'esim.usage_threshold'),
      { timeoutMs: 30_000, intervalMs: 200, message: 'the 80 % webhook of test_usage_80' },
    );
    expect(JSON.parse(notice.body)).toMatchObject({ type: 'esim.usage_threshold', data: { iccid: usageIccid, bundleName: 'test_usage_80', threshold: 80 } });
    const [t, v1] = notice.signature.split(',').map((p) => p.split('=')[1]);
    expect(createHmac('sha256', secret).update(`${t}.${notice.body}`).digest('hex')).toBe(v1);

    // Nothing of it in live data: the live key's lists, the admin's order list, the live provider.
    const testOrders = (await test.get<{ data: Order[] }>('/api/v1/vendor/orders')).body.data.map((o) => o.id);
    expect(testOrders).toHaveLength(4);
    expect((await live.get<{ data: Order[] }>('/api/v1/vendor/orders')).body.data).toEqual([]);
    expect((await live.get<{ data: unknown[] }>('/api/v1/vendor/esims')).body.data).toEqual([]);
    expect((await live.get(`/api/v1/vendor/orders/${bought.body.id}`)).status).toBe(404);
    const adminOrders = (await api.get<{ data: Array<{ id: string }> }>('/api/v1/admin/orders?limit=100', adminToken)).body.data.map((o) => o.id);
    expect(adminOrders.filter((id) => testOrders.includes(id))).toEqual([]);
    expect((await live.get<Balance>('/api/v1/vendor/balance')).body).toMatchObject({ balance: 0, reserved: 0 });
    expect(platform.esimGo.sim.state.orders.size).toBe(0);

    // A test top-up: paid with a test card at the sandbox's Stripe simulator, credited to the test wallet only.
    const before = (await test.get<Balance>('/api/v1/vendor/balance')).body.balance;
    const topup = await api.call<{ payment: { paymentIntentId: string } }>('POST', '/api/v1/vendor/topups', {
      body: { amount: 5000 },
      headers: { 'X-API-Key': issued.body.key, 'Idempotency-Key': randomUUID() },
    });
    expect(topup.status).toBe(201);
    const sandboxStripe = new URL(platform.sandbox!.stripeBaseUrl);
    const stripe = new Stripe('sk_test_sandbox', { host: sandboxStripe.hostname, port: Number(sandboxStripe.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
    await stripe.paymentIntents.confirm(topup.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await waitFor(async () => (await test.get<Balance>('/api/v1/vendor/balance')).body.balance === before + 5000 || undefined, {
      timeoutMs: 20_000,
      intervalMs: 200,
      message: 'the test wallet credited with the test top-up',
    });
    expect((await live.get<Balance>('/api/v1/vendor/balance')).body).toMatchObject({ balance: 0, reserved: 0 });

    // A second test key shares the wallet; the opening balance is credited once.
    const second = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${vendor.body.id}/api-keys`, { name: 'sandbox 2', mode: 'test' }, adminToken)).body;
    expect((await as(second.key).get<Balance>('/api/v1/vendor/balance')).body.balance).toBe((await test.get<Balance>('/api/v1/vendor/balance')).body.balance);
  } finally {
    await new Promise((r) => server.close(r));
  }
}, 180_000);
