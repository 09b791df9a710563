/**
 * eSIM usage pushed by eSIM Go, end to end: a traveller buys an eSIM, the eSIM Go simulator records data usage
 * and sends its signed V3 BundleAlert callbacks to the gateway's /webhooks/esimgo, the gateway hands them to
 * esim-provisioning, and GET /api/v1/esims/{iccid} reports the new usage. The pull refresh is off
 * (USAGE_REFRESH_AFTER_MS=0), so what the API shows can only have come from the callbacks.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let stripe: Stripe;
let simRoot: string;

interface EsimBody {
  iccid: string;
  usage: { initialBytes: number | null; remainingBytes: number | null; state: string };
  expiresAt: string | null;
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { USAGE_REFRESH_AFTER_MS: '0' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  simRoot = new URL(platform.esimGo.baseUrl).origin;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

async function simUsage(iccid: string, usedPercent: number): Promise<void> {
  const res = await fetch(`${simRoot}/__sim/usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ iccid, usedPercent }) });
  expect(res.status).toBe(200);
}

it('a usage alert from eSIM Go reaches GET /api/v1/esims/{iccid} without a pull refresh', async () => {
  const { accessToken: token } = await api.register(`traveller-${randomUUID()}@example.com`);
  const bundle = (await api.get<{ data: Array<{ name: string; dataMb: number }> }>('/api/v1/bundles?country=FR&limit=20')).body.data.find((b) => b.dataMb > 0)!;
  const placed = await api.post<{ id: string; payment: { paymentIntentId: string } }>('/api/v1/orders', { bundleName: bundle.name, quantity: 1 }, token, {
    'Idempotency-Key': randomUUID(),
  });
  expect(placed.status).toBe(201);
  await stripe.paymentIntents.confirm(placed.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
  const order = await waitFor(
    async () => {
      const res = await api.get<{ status: string; esims: Array<{ iccid: string }> }>(`/api/v1/orders/${placed.body.id}`, token);
      return res.body.status === 'COMPLETED' ? res.body : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, message: 'order COMPLETED' },
  );
  const iccid = order.esims[0]!.iccid;
  const esimPath = `/api/v1/esims/${iccid}`;

  // Nothing synced yet, and nothing is pulled on read.
  expect((await api.get<EsimBody>(esimPath, token)).body.usage).toEqual({ initialBytes: null, remainingBytes: null, state: 'UNKNOWN' });

  // 60 % used: eSIM Go sends FirstUse and the 50 % Utilisation alert.
  await simUsage(iccid, 60);
  const assignment = platform.esimGo.sim.state.esims.get(iccid)!.assignments[0]!;
  const initial = assignment.initialQuantity;
  expect(initial).toBe(bundle.dataMb * 1_000_000);
  const used = await waitFor(
    async () => {
      const body = (await api.get<EsimBody>(esimPath, token)).body;
      return body.usage.remainingBytes === initial - Math.round(initial * 0.6) ? body : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, message: 'the usage alert did not reach the API' },
  );
  expect(used.usage).toEqual({ initialBytes: initial, remainingBytes: assignment.remainingQuantity, state: 'Active' });
  expect(used.expiresAt).toBe(assignment.endTime);

  // Everything used: the 80 % and 100 % alerts; the last one leaves the bundle Depleted.
  await simUsage(iccid, 100);
  const depleted = await waitFor(
    async () => {
      const body = (await api.get<EsimBody>(esimPath, token)).body;
      return body.usage.remainingBytes === 0 ? body : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, message: 'the depletion alert did not reach the API' },
  );
  expect(depleted.usage).toEqual({ initialBytes: initial, remainingBytes: 0, state: 'Depleted' });

  // Every callback was accepted by the gateway the first time (signed with the API key, confirmed by the broker).
  await platform.esimGo.sim.control.callbacksIdle();
  const deliveries = platform.esimGo.sim.state.callbacks.filter((c) => c.iccid === iccid);
  expect(deliveries.map((d) => d.alertType)).toEqual(['FirstAttachment', 'FirstUse', 'Utilisation', 'Utilisation', 'Utilisation']);
  expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatus === 200)).toBe(true);
}, 120_000);
