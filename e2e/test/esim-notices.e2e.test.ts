/**
 * Usage notices end to end: eSIM Go (the simulator) sends its signed usage callbacks to the gateway, repeated
 * (callbackDuplicates), replayed late and out of order (/__sim/callbacks/replay); esim-provisioning decides the 80 %
 * and 100 % notices once per bundle; notification e-mails the traveller (read back from the mail catcher) and sends
 * the reseller signed esim.usage_threshold webhooks. Each notice arrives exactly once.
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
let simRoot: string;
let bundleName: string;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { USAGE_REFRESH_AFTER_MS: '0', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  simRoot = new URL(platform.esimGo.baseUrl).origin;
  adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
  const bundles = (await api.get<{ data: Array<{ name: string; dataMb: number; durationDays: number }> }>('/api/v1/bundles?country=FR&limit=50')).body.data;
  bundleName = bundles.find((b) => b.dataMb === 1000 && b.durationDays === 7)!.name;
}, 180_000);

afterAll(async () => {
  await fetch(`${simRoot}/__sim/faults/reset`, { method: 'POST' }).catch(() => undefined);
  await platform?.stop();
});

async function sim(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${simRoot}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

/** Uses data at eSIM Go with every callback delivered three times, then replays all of the eSIM's callbacks late. */
async function useDataNoisily(iccid: string): Promise<void> {
  await sim('faults', { callbackDuplicates: 2 });
  try {
    await sim('usage', { iccid, usedPercent: 85 });
    await sim('usage', { iccid, usedPercent: 100 });
    await platform.esimGo.sim.control.callbacksIdle();
    await sim('callbacks/replay', { iccid });
    await platform.esimGo.sim.control.callbacksIdle();
  } finally {
    await sim('faults/reset', {});
  }
}

interface CaughtMail {
  id: string;
  subject: string;
  to: string[];
  text: string | null;
}

async function mailsAbout(iccid: string): Promise<CaughtMail[]> {
  const list = (await (await fetch(`${platform.mail.webUrl}/api/messages`)).json()) as Array<{ id: string }>;
  const full = await Promise.all(list.map(async (m) => (await (await fetch(`${platform.mail.webUrl}/api/messages/${m.id}`)).json()) as CaughtMail));
  return full.filter((m) => (m.text ?? '').includes(iccid));
}

it('a traveller gets the 80 % and the 100 % e-mail once each, however often eSIM Go repeats its callbacks', async () => {
  const email = `traveller-${randomUUID()}@example.com`;
  const { accessToken: token } = await api.register(email);
  const placed = await api.post<{ id: string; payment: { paymentIntentId: string } }>('/api/v1/orders', { bundleName, quantity: 1 }, token, { 'Idempotency-Key': randomUUID() });
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
  type View = { status: string; activatedAt: string | null; bundles: Array<{ state: string; remainingBytes: number | null; endsAt: string | null }> };
  expect((await api.get<View>(`/api/v1/esims/${iccid}`, token)).body).toMatchObject({ status: 'QUEUED', activatedAt: null, bundles: [{ state: 'QUEUED' }] });

  // Installed and switched on: eSIM Go's FirstAttachment callback is the activation, before any data is used.
  const attachedBefore = Date.now();
  await sim('attach', { iccid });
  const attached = await waitFor(
    async () => {
      const body = (await api.get<View>(`/api/v1/esims/${iccid}`, token)).body;
      return body.activatedAt ? body : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, message: 'activatedAt from the FirstAttachment callback' },
  );
  expect(Date.parse(attached.activatedAt!)).toBeGreaterThanOrEqual(attachedBefore - 1000);
  expect(attached).toMatchObject({ status: 'QUEUED', bundles: [{ state: 'QUEUED' }] });

  await useDataNoisily(iccid);
  const repeated = platform.esimGo.sim.state.callbacks.filter((c) => c.iccid === iccid && c.alertType === 'Utilisation');
  expect(repeated.length).toBeGreaterThanOrEqual(12); // 50, 80, 100 % x 3 deliveries, and the originals replayed newest first

  const notices = (mails: CaughtMail[]) => mails.filter((m) => /used/.test(m.subject)).map((m) => m.subject).sort();
  await waitFor(async () => notices(await mailsAbout(iccid)).length === 2 || undefined, { timeoutMs: 30_000, intervalMs: 250, message: 'two usage e-mails' });
  // The replayed callbacks are processed by now (the sim's deliveries are done); nothing more arrives.
  await new Promise((r) => setTimeout(r, 1500));
  const mails = await mailsAbout(iccid);
  expect(notices(mails)).toEqual([`You have used 80 % of ${bundleName}`, `You have used all the data of ${bundleName}`]);
  const eighty = mails.find((m) => m.subject.includes('80 %'))!;
  expect(eighty.to).toContain(email);
  expect(eighty.text).toMatch(/Data left: \d+(\.\d)? MB of 1 GB\./);
  expect(eighty.text).toContain(`/api/v1/esims/${iccid}/topups`);

  const view = (await api.get<View>(`/api/v1/esims/${iccid}`, token)).body;
  const assignment = platform.esimGo.sim.state.esims.get(iccid)!.assignments[0]!;
  expect(view).toMatchObject({ status: 'DEPLETED', activatedAt: attached.activatedAt, bundles: [{ state: 'DEPLETED', remainingBytes: 0, endsAt: assignment.endTime }] });
  // The traveller's list shows the same detail as the eSIM itself.
  const list = (await api.get<{ data: View[]; nextCursor: string | null }>('/api/v1/esims?limit=10', token)).body;
  expect(list.data).toEqual([view]);
}, 120_000);

it('a reseller gets signed esim.usage_threshold webhooks for 80 % and 100 %, once each', async () => {
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
    const created = await api.post<{ id: string }>(
      '/api/v1/admin/vendors',
      { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', billingMode: 'POSTPAID', creditLimit: 100_000 },
      adminToken,
    );
    const { key } = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken)).body;
    const headers = { 'X-API-Key': key };
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const { secret } = (await api.call<{ secret: string }>('PUT', '/api/v1/vendor/webhook-endpoint', { headers, body: { url } })).body;
    const bought = await api.call<{ status: string; esims: Array<{ iccid: string }> }>('POST', '/api/v1/vendor/orders', {
      headers: { ...headers, 'Idempotency-Key': randomUUID(), Prefer: 'wait=20' },
      body: { bundleName, quantity: 1 },
    });
    expect(bought.body.status).toBe('COMPLETED');
    const iccid = bought.body.esims[0]!.iccid;

    await useDataNoisily(iccid);
    const usageHooks = () => received.filter((r) => (JSON.parse(r.body) as { type: string }).type === 'esim.usage_threshold');
    await waitFor(() => usageHooks().length === 2 || undefined, { timeoutMs: 30_000, intervalMs: 250, message: 'two esim.usage_threshold webhooks' });
    await new Promise((r) => setTimeout(r, 1500));
    const hooks = usageHooks();
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) {
      const [t, v1] = hook.signature.split(',').map((p) => p.split('=')[1]);
      expect(createHmac('sha256', secret).update(`${t}.${hook.body}`).digest('hex')).toBe(v1);
    }
    const data = hooks.map((h) => (JSON.parse(h.body) as { data: { iccid: string; bundleName: string; threshold: number; usedBytes: number; totalBytes: number } }).data);
    expect(data.map((d) => d.threshold).sort((a, b) => a - b)).toEqual([80, 100]);
    expect(data.find((d) => d.threshold === 100)).toMatchObject({ iccid, bundleName, usedBytes: 1_000_000_000, totalBytes: 1_000_000_000 });

    // The reseller's view of the eSIM: activated at its first use, the bundle DEPLETED with nothing left and its end.
    const view = (await api.call<{ status: string; activatedAt: string | null; bundles: Array<{ state: string; remainingBytes: number; endsAt: string }> }>('GET', `/api/v1/vendor/esims/${iccid}`, { headers })).body;
    expect(view).toMatchObject({ status: 'DEPLETED', activatedAt: expect.any(String), bundles: [{ state: 'DEPLETED', remainingBytes: 0, endsAt: expect.any(String) }] });
  } finally {
    await new Promise((r) => server.close(r));
  }
}, 120_000);
