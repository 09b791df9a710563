/**
 * Revocation on refund, end to end through the public API: an admin refund of a COMPLETED order first takes the
 * bundle back from eSIM Go (the simulator): an unused bundle is revoked and refunded to the platform's eSIM Go
 * balance, the order records `refund.providerRevocation`, the eSIM views show the bundle REVOKED and the money goes
 * back. A used bundle stops the refund (409 BUNDLE_ALREADY_USED) until the admin forces it; the forced request is in
 * the audit log.
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
let bundleName: string;

interface AdminOrder {
  id: string;
  status: string;
  refund: { status: string; providerRevocation: string | null; forced: boolean; reason: string } | null;
}
interface EsimBody {
  status: string;
  bundles: Array<{ bundleName: string; state: string }>;
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { USAGE_REFRESH_AFTER_MS: '0' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
  const bundles = (await api.get<{ data: Array<{ name: string; dataMb: number; durationDays: number }> }>('/api/v1/bundles?country=FR&limit=50')).body.data;
  bundleName = bundles.find((b) => b.dataMb === 1000 && b.durationDays === 7)!.name;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

const sim = () => platform.esimGo.sim;

it("refunds a traveller's unused eSIM: revoked at eSIM Go (credited to our balance), REVOKED in the eSIM view, the card refunded", async () => {
  const { accessToken: token } = await api.register(`traveller-${randomUUID()}@example.com`);
  const placed = await api.post<{ id: string; total: { amount: number }; payment: { paymentIntentId: string } }>('/api/v1/orders', { bundleName, quantity: 1 }, token, {
    'Idempotency-Key': randomUUID(),
  });
  await stripe.paymentIntents.confirm(placed.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
  const order = await waitFor(
    async () => {
      const res = await api.get<{ status: string; esims: Array<{ iccid: string }> }>(`/api/v1/orders/${placed.body.id}`, token);
      return res.body.status === 'COMPLETED' ? res.body : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, message: 'order COMPLETED' },
  );
  const iccid = order.esims[0]!.iccid;
  const assignment = sim().state.esims.get(iccid)!.assignments[0]!;
  const balanceBefore = sim().state.balanceCents;

  const asked = await api.post<AdminOrder>(`/api/v1/admin/orders/${placed.body.id}/refund`, { reason: 'never installed' }, adminToken);
  expect([200, 202]).toContain(asked.status);
  expect(asked.body.refund).toMatchObject({ providerRevocation: 'REVOKED', forced: false });
  expect(assignment.revoked).toBe(true);
  expect(sim().state.balanceCents).toBe(balanceBefore + assignment.priceCents);

  const esim = (await api.get<EsimBody>(`/api/v1/esims/${iccid}`, token)).body;
  expect(esim).toMatchObject({ status: 'REVOKED', bundles: [{ bundleName, state: 'REVOKED' }] });
  await waitFor(async () => ((await api.get<{ status: string }>(`/api/v1/orders/${placed.body.id}`, token)).body.status === 'REFUNDED' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    message: 'order REFUNDED',
  });
  const refunds = await stripe.refunds.list({ payment_intent: placed.body.payment.paymentIntentId });
  expect(refunds.data).toHaveLength(1);
  const again = await api.post<AdminOrder>(`/api/v1/admin/orders/${placed.body.id}/refund`, { reason: 'again' }, adminToken);
  expect(again.body).toMatchObject({ status: 'REFUNDED', refund: { status: 'SUCCEEDED', providerRevocation: 'REVOKED' } });
}, 120_000);

it("refuses to refund a reseller's used bundle (409 BUNDLE_ALREADY_USED) until forced; the forced refund is audited and revokes it", async () => {
  const created = await api.post<{ id: string }>(
    '/api/v1/admin/vendors',
    { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', billingMode: 'POSTPAID', creditLimit: 100_000 },
    adminToken,
  );
  const { key } = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken)).body;
  const headers = { 'X-API-Key': key };
  const bought = await api.call<{ id: string; status: string; esims: Array<{ iccid: string }> }>('POST', '/api/v1/vendor/orders', {
    headers: { ...headers, 'Idempotency-Key': randomUUID(), Prefer: 'wait=20' },
    body: { bundleName, quantity: 1 },
  });
  expect(bought.body.status).toBe('COMPLETED');
  const iccid = bought.body.esims[0]!.iccid;
  const orderId = bought.body.id;
  // The capture must be confirmed before a vendor order can be refunded; then the traveller uses some data.
  const balanceOwed = async () => (await api.call<{ balance: number }>('GET', '/api/v1/vendor/balance', { headers })).body.balance;
  await waitFor(async () => ((await balanceOwed()) < 0 ? true : undefined), { timeoutMs: 20_000, message: 'charge captured' });
  const res = await fetch(`${new URL(platform.esimGo.baseUrl).origin}/__sim/usage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ iccid, usedPercent: 30 }),
  });
  expect(res.status).toBe(200);

  const refused = await waitFor(
    async () => {
      const r = await api.post<{ code: string; detail: string }>(`/api/v1/admin/orders/${orderId}/refund`, { reason: 'reseller asked' }, adminToken);
      // A charge not confirmed yet answers ORDER_NOT_REFUNDABLE: ask again.
      return r.body.code === 'ORDER_NOT_REFUNDABLE' ? undefined : r;
    },
    { timeoutMs: 20_000, intervalMs: 300, message: 'refund answered' },
  );
  expect(refused.status).toBe(409);
  expect(refused.body).toMatchObject({ code: 'BUNDLE_ALREADY_USED', detail: expect.stringContaining('"force": true') });
  expect(sim().state.esims.get(iccid)!.assignments[0]!.revoked).toBeFalsy();
  const owedBefore = await balanceOwed();
  const listed = (await api.get<{ data: AdminOrder[] }>('/api/v1/admin/orders?limit=100', adminToken)).body.data.find((o) => o.id === orderId)!;
  expect(listed).toMatchObject({ status: 'COMPLETED', refund: { status: 'REFUSED', providerRevocation: 'ALREADY_USED' } });

  const forced = await api.post<AdminOrder>(`/api/v1/admin/orders/${orderId}/refund`, { reason: 'reseller asked', force: true }, adminToken);
  expect([200, 202]).toContain(forced.status);
  expect(forced.body.refund).toMatchObject({ providerRevocation: 'ALREADY_USED', forced: true });
  expect(sim().state.esims.get(iccid)!.assignments[0]!.revoked).toBe(true);
  await waitFor(async () => ((await api.call<{ status: string }>('GET', `/api/v1/vendor/orders/${orderId}`, { headers })).body.status === 'REFUNDED' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    message: 'vendor order REFUNDED',
  });
  expect(await balanceOwed()).toBeGreaterThan(owedBefore);
  expect((await api.call<EsimBody>('GET', `/api/v1/vendor/esims/${iccid}`, { headers })).body).toMatchObject({ status: 'REVOKED', bundles: [{ state: 'REVOKED' }] });
  const revokedList = (await api.call<{ data: Array<{ iccid: string }>; nextCursor: string | null }>('GET', '/api/v1/vendor/esims?status=REVOKED&limit=10', { headers })).body;
  expect(revokedList).toEqual({ data: [expect.objectContaining({ iccid, status: 'REVOKED' })], nextCursor: null });
  expect((await api.call<{ data: unknown[] }>('GET', '/api/v1/vendor/esims?status=ACTIVE', { headers })).body.data).toEqual([]);

  const audit = await waitFor(
    async () => {
      const rows = (await api.get<{ data: Array<{ action: string; details: Record<string, unknown>; outcome: string }> }>(`/api/v1/admin/audit-log?action=admin.order.refund&resource=order:${orderId}`, adminToken)).body.data;
      return rows.find((r) => r.details.force === true);
    },
    { timeoutMs: 10_000, message: 'the forced refund in the audit log' },
  );
  expect(audit).toMatchObject({ outcome: 'success', details: { force: true, providerRevocation: 'ALREADY_USED', reason: 'reseller asked' } });
}, 120_000);
