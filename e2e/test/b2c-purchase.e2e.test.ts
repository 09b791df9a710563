/**
 * B2C purchase end to end, through the public API only, with the Stripe and eSIM Go simulators and
 * the SMTP catcher standing in for the outside world: sign up, buy with a card, get the eSIM in the API and by
 * e-mail, get refunded automatically when eSIM Go cannot provision, and refunded by an admin after completion.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';
import { decodeQrPng } from './support/qr';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let stripe: Stripe;
let bundleName: string;

beforeAll(async () => {
  // Every test registers its own customers from 127.0.0.1, more than the default per-IP sign-up limit allows.
  platform = await startTestPlatform({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '100' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  const list = await api.get<{ data: Array<{ name: string }> }>('/api/v1/bundles?country=FR&limit=1');
  bundleName = list.body.data[0]!.name;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

interface PlacedOrder {
  id: string;
  status: string;
  total: { amount: number; currency: string };
  payment: { paymentIntentId: string; clientSecret: string; publishableKey: string };
}

async function newCustomer(): Promise<{ email: string; token: string }> {
  const email = `traveller-${randomUUID()}@example.com`;
  const { accessToken } = await api.register(email);
  return { email, token: accessToken };
}

async function placeOrder(token: string, key = randomUUID(), quantity = 1): Promise<PlacedOrder> {
  const res = await api.post<PlacedOrder>('/api/v1/orders', { bundleName, quantity }, token, { 'Idempotency-Key': key });
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('AWAITING_PAYMENT');
  return res.body;
}

async function orderReaches(token: string, id: string, status: string, timeoutMs = 45_000) {
  return waitFor(
    async () => {
      const res = await api.get<{ status: string; esims: Array<{ iccid: string }>; failureReason: string | null }>(`/api/v1/orders/${id}`, token);
      return res.body.status === status ? res.body : undefined;
    },
    { timeoutMs, intervalMs: 200, message: `order ${id} ${status}` },
  );
}

describe('B2C purchase', () => {
  it('happy path: register, order, pay with pm_card_visa, COMPLETED; the QR decodes to the LPA and the e-mail arrives', async () => {
    const { email, token } = await newCustomer();
    const order = await placeOrder(token);
    expect(order.total.amount).toBeGreaterThan(0);
    expect(order.payment.clientSecret).toMatch(/^pi_.+_secret_/);

    const pi = await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    expect(pi.status).toBe('succeeded');
    expect(pi.amount).toBe(order.total.amount);

    const completed = await orderReaches(token, order.id, 'COMPLETED');
    expect(completed.esims).toHaveLength(1);
    const iccid = completed.esims[0]!.iccid;

    const esim = await api.get<{ iccid: string; orderId: string; lpa: string; smdpAddress: string; matchingId: string; appleInstallUrl: string }>(
      `/api/v1/esims/${iccid}`,
      token,
    );
    expect(esim.status).toBe(200);
    expect(esim.body).toMatchObject({ iccid, orderId: order.id, lpa: `LPA:1$${esim.body.smdpAddress}$${esim.body.matchingId}` });
    expect(esim.body.appleInstallUrl).toMatch(/^https:\/\/esimsetup\.apple\.com\/esim_qrcode_provisioning\?carddata=/);

    const qr = await api.get<Buffer>(`/api/v1/esims/${iccid}/qrcode`, token);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/png');
    expect(decodeQrPng(qr.body)).toBe(esim.body.lpa);

    const mail = await waitFor(() => platform.mail.store.list().find((m) => m.to.some((to) => to.includes(email))), {
      timeoutMs: 20_000,
      message: 'order e-mail in the SMTP catcher',
    });
    expect(mail.text).toContain(esim.body.lpa);
    expect(mail.attachments.some((a) => a.contentType === 'image/png')).toBe(true);
  });

  it('declined then paid: a declined card leaves the order payable, a good card completes it', async () => {
    const { token } = await newCustomer();
    const order = await placeOrder(token);
    await expect(stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_chargeDeclined' })).rejects.toMatchObject({
      type: 'StripeCardError',
    });
    // The failure event arrives and changes nothing but the history.
    await new Promise((r) => setTimeout(r, 500));
    expect((await api.get<{ status: string }>(`/api/v1/orders/${order.id}`, token)).body.status).toBe('AWAITING_PAYMENT');
    await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await orderReaches(token, order.id, 'COMPLETED');
  });

  it('refund: eSIM Go refuses the purchase for good, the order is REFUNDED and the refund exists at Stripe', async () => {
    const { token } = await newCustomer();
    const order = await placeOrder(token);
    platform.esimGo.sim.control.setFaults({ failOrdersPermanently: true });
    try {
      await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      const refunded = await orderReaches(token, order.id, 'REFUNDED');
      expect(refunded.failureReason).toBeTruthy();
    } finally {
      platform.esimGo.sim.control.resetFaults();
    }
    const refunds = await stripe.refunds.list({ payment_intent: order.payment.paymentIntentId });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({ amount: order.total.amount, status: 'succeeded' });
  });

  it('eSIM Go answers 403 "no bundles left": the order is refunded within the provisioning deadline, nothing bought', async () => {
    const { token } = await newCustomer();
    const order = await placeOrder(token);
    const simOrders = platform.esimGo.sim.state.orders.size;
    platform.esimGo.sim.control.setFaults({ noBundlesLeft: true });
    try {
      const started = Date.now();
      await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      const refunded = await orderReaches(token, order.id, 'REFUNDED');
      expect(refunded.failureReason).toMatch(/^PROVIDER_NO_BUNDLES_LEFT: /);
      // Well within the 30-minute deadline: an account fault is final at once, it is not retried.
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      platform.esimGo.sim.control.resetFaults();
    }
    expect(platform.esimGo.sim.state.orders.size).toBe(simOrders);
    const refunds = await stripe.refunds.list({ payment_intent: order.payment.paymentIntentId });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({ amount: order.total.amount, status: 'succeeded' });
  });

  it('admin refund of a COMPLETED order: 202 while Stripe refunds, then REFUNDED; one refund at Stripe, the buyer is e-mailed, a second request refunds nothing more', async () => {
    const { email, token } = await newCustomer();
    const order = await placeOrder(token);
    await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    await orderReaches(token, order.id, 'COMPLETED');
    const admin = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;

    // A customer cannot refund; an admin can.
    expect((await api.post(`/api/v1/admin/orders/${order.id}/refund`, { reason: 'x' }, token)).status).toBe(403);
    const asked = await api.post<{ status: string; refund: { status: string; reason: string } }>(`/api/v1/admin/orders/${order.id}/refund`, { reason: 'eSIM never worked' }, admin);
    expect([200, 202]).toContain(asked.status);
    expect(asked.body.refund.reason).toContain('eSIM never worked');

    const refunded = await orderReaches(token, order.id, 'REFUNDED');
    expect(refunded.esims).toHaveLength(1);
    const again = await api.post<{ status: string; refund: { status: string } }>(`/api/v1/admin/orders/${order.id}/refund`, { reason: 'again' }, admin);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'REFUNDED', refund: { status: 'SUCCEEDED' } });

    const refunds = await stripe.refunds.list({ payment_intent: order.payment.paymentIntentId });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({ amount: order.total.amount, status: 'succeeded' });
    await waitFor(() => platform.mail.store.list().filter((m) => m.to.some((to) => to.includes(email))).length >= 2, {
      timeoutMs: 20_000,
      message: 'refund e-mail in the SMTP catcher',
    });
  });

  it('webhook faults: duplicated and reordered deliveries complete the order once, with one eSIM Go purchase', async () => {
    const { token } = await newCustomer();
    const order = await placeOrder(token);
    const before = platform.esimGo.sim.state.orders.size;
    platform.stripe.sim.control.setDeliveryFaults({ duplicate: 2, reorder: true });
    try {
      await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      platform.stripe.sim.control.flushHeldDeliveries();
      await orderReaches(token, order.id, 'COMPLETED');
    } finally {
      platform.stripe.sim.control.resetDeliveryFaults();
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(platform.esimGo.sim.state.orders.size - before).toBe(1);
    expect((await api.get<{ status: string }>(`/api/v1/orders/${order.id}`, token)).body.status).toBe('COMPLETED');
  });

  it('webhook with a bad signature or a stale timestamp gets 400 and changes nothing', async () => {
    const payload = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'payment_intent.succeeded', data: { object: { id: 'pi_x' } } });
    const tampered = await fetch(`${platform.api}/api/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: payload,
    });
    expect(tampered.status).toBe(400);
    const stale = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_e2e_secret', timestamp: Math.floor(Date.now() / 1000) - 600 });
    const old = await fetch(`${platform.api}/api/v1/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': stale }, body: payload });
    expect(old.status).toBe(400);
  });

  it('with RabbitMQ unreachable the webhook gets 503, and Stripe\'s retry later completes the order', async () => {
    const { token } = await newCustomer();
    const order = await placeOrder(token);
    platform.gatewayBrokerLink.cut();
    try {
      await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
      await waitFor(
        () =>
          platform.stripe.sim.state.deliveries.some(
            (d) => d.eventType === 'payment_intent.succeeded' && d.history.some((attempt) => attempt.status === 503),
          ),
        { timeoutMs: 15_000, message: 'a 503 answer to Stripe' },
      );
    } finally {
      platform.gatewayBrokerLink.restore();
    }
    await orderReaches(token, order.id, 'COMPLETED', 60_000);
  });

  it('idempotency: the same key and body replays the first response; another body is 422', async () => {
    const { token } = await newCustomer();
    const key = randomUUID();
    const first = await placeOrder(token, key);
    const replay = await api.post<PlacedOrder>('/api/v1/orders', { bundleName, quantity: 1 }, token, { 'Idempotency-Key': key });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const reused = await api.post('/api/v1/orders', { bundleName, quantity: 2 }, token, { 'Idempotency-Key': key });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it("ownership: customer B gets 404 on A's order, eSIM and QR", async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    const order = await placeOrder(a.token);
    await stripe.paymentIntents.confirm(order.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
    const done = await orderReaches(a.token, order.id, 'COMPLETED');
    const iccid = done.esims[0]!.iccid;
    expect((await api.get(`/api/v1/orders/${order.id}`, b.token)).status).toBe(404);
    expect((await api.get(`/api/v1/esims/${iccid}`, b.token)).status).toBe(404);
    expect((await api.get(`/api/v1/esims/${iccid}/qrcode`, b.token)).status).toBe(404);
    expect((await api.get<{ data: unknown[] }>('/api/v1/orders', b.token)).body.data).toEqual([]);
  });
});
