/**
 * Self-service cancellation end to end, through the public API only: a reseller cancels an unused eSIM; eSIM Go
 * (the simulator) revokes its bundle with a refund to our balance; the wallet is credited back (PREPAID) or the
 * charge reversed (POSTPAID) through a ledger transaction; the order is CANCELLED and the reseller receives the
 * signed order.cancelled webhook. A used bundle is 409 NOT_CANCELLABLE with the reason, and nothing moves.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let adminToken: string;
const BUNDLE = 'esim_1GB_7D_FR_V2';

interface Vendor {
  id: string;
  key: string;
}
interface Order {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  esims: Array<{ iccid: string }>;
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  api = apiClient(platform.api);
  adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

async function onboard(body: Record<string, unknown>): Promise<Vendor> {
  const created = await api.post<{ id: string }>(
    '/api/v1/admin/vendors',
    { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', rateLimitPerMinute: 600, ...body },
    adminToken,
    { 'Idempotency-Key': randomUUID() },
  );
  expect(created.status).toBe(201);
  const key = await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken);
  return { id: created.body.id, key: key.body.key };
}

function as(vendor: Vendor) {
  const headers = (extra: Record<string, string> = {}) => ({ 'X-API-Key': vendor.key, ...extra });
  return {
    get: <T = any>(path: string) => api.call<T>('GET', path, { headers: headers() }), // eslint-disable-line @typescript-eslint/no-explicit-any
    put: <T = any>(path: string, body: unknown) => api.call<T>('PUT', path, { body, headers: headers() }), // eslint-disable-line @typescript-eslint/no-explicit-any
    buy: async (): Promise<Order> => {
      const res = await api.call<Order>('POST', '/api/v1/vendor/orders', {
        body: { bundleName: BUNDLE, quantity: 1 },
        headers: headers({ 'Idempotency-Key': randomUUID(), Prefer: 'wait=30' }),
      });
      expect(res.body.status).toBe('COMPLETED');
      return res.body;
    },
    cancel: <T = any>(orderId: string, key = randomUUID()) => api.call<T>('POST', `/api/v1/vendor/orders/${orderId}/cancel`, { headers: headers({ 'Idempotency-Key': key }) }), // eslint-disable-line @typescript-eslint/no-explicit-any
    balance: async () => (await api.call<{ balance: number; reserved: number; available: number }>('GET', '/api/v1/vendor/balance', { headers: headers() })).body,
  };
}

/** Cancels once the order's charge is confirmed (before that the answer is NOT_CANCELLABLE "retry in a few seconds"). */
async function cancelWhenCharged(vendor: Vendor, orderId: string, key = randomUUID()) {
  return waitFor(
    async () => {
      const res = await as(vendor).cancel<{ code?: string; detail?: string; status: string }>(orderId, key);
      return res.body.code === 'NOT_CANCELLABLE' && /not confirmed the charge/.test(res.body.detail ?? '') ? undefined : res;
    },
    { timeoutMs: 20_000, intervalMs: 300, message: 'cancellation answered' },
  );
}

async function webhookReceiver(): Promise<{ received: Array<{ type: string; data: Record<string, unknown> }>; server: http.Server; url: string }> {
  const received: Array<{ type: string; data: Record<string, unknown> }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as { type: string; data: Record<string, unknown> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { received, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

describe('self-service cancellation', () => {
  it('PREPAID: an unused eSIM is revoked at eSIM Go, the wallet credited back, the order CANCELLED, order.cancelled sent', async () => {
    const vendor = await onboard({ billingMode: 'PREPAID', markupPercent: 10 });
    const funded = await api.post(`/api/v1/admin/vendors/${vendor.id}/adjustments`, { amount: 10_000, reason: 'test funds' }, adminToken, { 'Idempotency-Key': randomUUID() });
    expect(funded.status).toBeLessThan(300);
    const hooks = await webhookReceiver();
    try {
      expect((await as(vendor).put('/api/v1/vendor/webhook-endpoint', { url: hooks.url })).status).toBe(200);
      const order = await as(vendor).buy();
      await as(vendor).buy();
      const iccid = order.esims[0]!.iccid;
      const assignment = platform.esimGo.sim.state.esims.get(iccid)!.assignments[0]!;
      const simBalance = platform.esimGo.sim.state.balanceCents;
      const idempotencyKey = randomUUID();

      const cancelled = await cancelWhenCharged(vendor, order.id, idempotencyKey);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ id: order.id, status: 'CANCELLED' });
      // eSIM Go: revoked and refunded to the platform's balance.
      expect(assignment.revoked).toBe(true);
      expect(platform.esimGo.sim.state.balanceCents).toBe(simBalance + assignment.priceCents);
      // The wallet: the charge of the cancelled order is back, the other order's is not.
      expect(await as(vendor).balance()).toMatchObject({ balance: 10_000 - order.total.amount, reserved: 0 });
      const ledger = (await as(vendor).get<{ data: Array<{ kind: string; amount: number; orderId: string | null }> }>('/api/v1/vendor/ledger')).body.data;
      expect(ledger.filter((e) => e.orderId === order.id).map((e) => [e.kind, e.amount]).sort()).toEqual([
        ['ORDER_CHARGE', -order.total.amount],
        ['REFUND', order.total.amount],
      ]);
      expect((await as(vendor).get<{ status: string }>(`/api/v1/vendor/esims/${iccid}`)).body.status).toBe('REVOKED');

      // The same request replays; a new one changes nothing.
      const replay = await as(vendor).cancel<Order>(order.id, idempotencyKey);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await as(vendor).cancel<Order>(order.id)).body.status).toBe('CANCELLED');
      expect(await as(vendor).balance()).toMatchObject({ balance: 10_000 - order.total.amount });

      const hook = await waitFor(async () => hooks.received.find((h) => h.type === 'order.cancelled'), { timeoutMs: 20_000, message: 'order.cancelled webhook' });
      expect(hook.data).toMatchObject({ id: order.id, status: 'CANCELLED', bundleName: BUNDLE, total: order.total });
    } finally {
      hooks.server.close();
    }
  }, 120_000);

  it('refuses a used bundle with 409 NOT_CANCELLABLE and the reason; nothing is revoked or credited', async () => {
    const vendor = await onboard({ billingMode: 'PREPAID', markupPercent: 10 });
    await api.post(`/api/v1/admin/vendors/${vendor.id}/adjustments`, { amount: 5_000, reason: 'test funds' }, adminToken, { 'Idempotency-Key': randomUUID() });
    const order = await as(vendor).buy();
    const iccid = order.esims[0]!.iccid;
    const used = await fetch(`${new URL(platform.esimGo.baseUrl).origin}/__sim/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ iccid, usedPercent: 30 }),
    });
    expect(used.status).toBe(200);

    const refused = await cancelWhenCharged(vendor, order.id);
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'NOT_CANCELLABLE', detail: expect.stringContaining('already used or has expired') });
    expect(platform.esimGo.sim.state.esims.get(iccid)!.assignments[0]!.revoked).toBeFalsy();
    expect((await as(vendor).get<Order>(`/api/v1/vendor/orders/${order.id}`)).body.status).toBe('COMPLETED');
    expect(await as(vendor).balance()).toMatchObject({ balance: 5_000 - order.total.amount });
    // Asking again gives the same answer without asking eSIM Go again.
    expect((await as(vendor).cancel<{ code: string }>(order.id)).body.code).toBe('NOT_CANCELLABLE');
  }, 120_000);

  it("POSTPAID: the charge is reversed; another reseller's order is 404", async () => {
    const vendor = await onboard({ billingMode: 'POSTPAID', creditLimit: 100_000, markupPercent: 0 });
    const order = await as(vendor).buy();
    const other = await onboard({ billingMode: 'POSTPAID', creditLimit: 1_000 });
    const hidden = await as(other).cancel<{ code: string }>(order.id);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('ORDER_NOT_FOUND');

    const cancelled = await cancelWhenCharged(vendor, order.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(await as(vendor).balance()).toMatchObject({ balance: 0, reserved: 0 });
  }, 120_000);
});
