/**
 * Component test of the B2C saga, driven the way the other services drive it: RPCs from a gateway-like client,
 * events published by doubles of payment and esim-provisioning over a real RabbitMQ vhost, the service on a real
 * Postgres schema. What order emits is observed on the broker (and in its outbox).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import amqplib from 'amqplib';
import { GetOrderV1, ListOrdersV1, PaymentSucceededV1, RefundOrderV1, type OrderView } from '@ttelgo/contracts';
import { assertSchemaMatchesPrisma } from '@ttelgo/db';
import { TEST_DATABASE_URL, waitFor } from '@ttelgo/testing';
import { BUNDLE, esimInstall } from './support/esim.double';
import { OrderHarness } from './support/order.harness';

jest.setTimeout(90_000);

const h = new OrderHarness();
const customer = (): string => `cust-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await h.start();
});

afterAll(async () => {
  await h.stop();
});

/** An order that payment.succeeded moved to PROVISIONING. */
async function provisioningOrder(): Promise<OrderView> {
  const order = await h.placeOrder(customer());
  await h.payment.succeeded(order.id);
  await h.waitForStatus(order.id, 'PROVISIONING');
  return order;
}

describe('order: B2C saga', () => {
  it('applies migrations that agree with the Prisma schema', async () => {
    await assertSchemaMatchesPrisma({
      databaseUrl: TEST_DATABASE_URL,
      schema: h.schema,
      prismaSchemaPath: resolve(__dirname, '../../../prisma/order/schema.prisma'),
    });
  });

  it('places an order AWAITING_PAYMENT with its payment intent, priced on the server; the same requestKey returns the same order', async () => {
    const owner = customer();
    const requestKey = `rk-${randomUUID()}`;
    const first = await h.placeOrder(owner, { requestKey, quantity: 3, customerReference: 'trip-42' });

    expect(first).toMatchObject({
      owner: { type: 'customer', id: owner },
      status: 'AWAITING_PAYMENT',
      bundleName: BUNDLE.name,
      quantity: 3,
      unitPrice: { amount: 499, currency: 'USD' },
      total: { amount: 1497, currency: 'USD' },
      customerReference: 'trip-42',
      esims: [],
      failureReason: null,
    });
    const intent = h.payment.intents.get(first.id)!;
    expect(intent).toEqual({ paymentIntentId: expect.stringMatching(/^pi_/), amount: { amount: 1497, currency: 'USD' }, customerEmail: `${owner}@example.com` });
    expect(first.payment).toEqual({ paymentIntentId: intent.paymentIntentId, clientSecret: `${intent.paymentIntentId}_secret_x`, publishableKey: 'pk_test_double' });

    const again = await h.placeOrder(owner, { requestKey, quantity: 3, customerReference: 'trip-42' });
    expect(again).toEqual(first);
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".orders WHERE owner_id = $1`, [owner]);
    expect(rows[0].n).toBe(1);
    expect(h.payment.createCalls.get(first.id)).toBe(1);
    expect(await h.history(first.id)).toEqual([
      { from_status: null, to_status: 'AWAITING_PAYMENT', reason: 'order placed', causation_id: expect.any(String) },
      { from_status: 'AWAITING_PAYMENT', to_status: 'AWAITING_PAYMENT', reason: `payment intent ${intent.paymentIntentId} created`, causation_id: expect.any(String) },
    ]);

    // The same key for another order is a client bug, not a replay.
    const reuse = await h.remoteError(h.placeOrder(owner, { requestKey, quantity: 1 }));
    expect({ code: reuse.code, status: reuse.status }).toEqual({ code: 'REQUEST_KEY_REUSED', status: 422 });
  });

  it('answers BUNDLE_NOT_FOUND (404) for a bundle the catalogue does not sell, and stores nothing', async () => {
    const owner = customer();
    const err = await h.remoteError(h.placeOrder(owner, { bundleName: 'esim_nope_V2' }));
    expect({ code: err.code, status: err.status }).toEqual({ code: 'BUNDLE_NOT_FOUND', status: 404 });
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".orders WHERE owner_id = $1`, [owner]);
    expect(rows[0].n).toBe(0);
  });

  it('payment.succeeded -> PROVISIONING with exactly one esim.provision.v1; a redelivery, a second success and a late failure change nothing', async () => {
    const order = await h.placeOrder(customer());
    const duplicatesBefore = await h.consumedCount('duplicate');
    const success = await h.payment.succeeded(order.id);
    await h.waitForStatus(order.id, 'PROVISIONING');
    const [provision] = await h.waitForMessages('esim.provision.v1', order.id, 1);
    expect(provision!.envelope).toMatchObject({
      producer: 'order',
      causationId: success.id,
      correlationId: success.correlationId,
      data: { orderId: order.id, owner: order.owner, bundleName: BUNDLE.name, quantity: 2 },
    });
    const row = await h.row(order.id);
    expect(row.paid_at).toBeInstanceOf(Date);

    // The very same message again (a broker redelivery): the inbox drops it.
    await h.payment.republish(PaymentSucceededV1, success);
    await waitFor(async () => (await h.consumedCount('duplicate')) > duplicatesBefore, { message: 'the redelivery was not seen as a duplicate' });
    // Another success event for the same payment, and a failure that lost the race: the state machine ignores both.
    const second = await h.payment.succeeded(order.id);
    const late = await h.payment.failed(order.id);
    await h.waitHandled(second.id);
    await h.waitHandled(late.id);
    await h.settle();

    expect(h.messages('esim.provision.v1', order.id)).toHaveLength(1);
    expect(await h.outboxCount('esim.provision.v1', order.id)).toBe(1);
    const after = await h.row(order.id);
    expect(after.status).toBe('PROVISIONING');
    expect(after.version).toBe(row.version);
    expect((await h.history(order.id)).map((e) => e.to_status)).toEqual(['AWAITING_PAYMENT', 'AWAITING_PAYMENT', 'PROVISIONING']);
  });

  it('a declined attempt before payment is recorded in the history only', async () => {
    const order = await h.placeOrder(customer());
    const declined = await h.payment.failed(order.id, 'insufficient_funds');
    await h.waitHandled(declined.id);
    expect((await h.row(order.id)).status).toBe('AWAITING_PAYMENT');
    expect((await h.history(order.id)).at(-1)).toEqual({
      from_status: 'AWAITING_PAYMENT',
      to_status: 'AWAITING_PAYMENT',
      reason: 'payment attempt failed: insufficient_funds',
      causation_id: declined.id,
    });
  });

  it('esim.provisioned -> COMPLETED with one order.completed.v1 carrying the eSIMs and the contact e-mail', async () => {
    const order = await provisioningOrder();
    const esims = [esimInstall(), esimInstall()];
    const provisioned = await h.esim.provisioned(order.id, esims);
    await h.waitForStatus(order.id, 'COMPLETED');
    const [completed] = await h.waitForMessages('order.completed.v1', order.id, 1);
    expect(completed!.routingKey).toBe('order.completed.v1');
    expect(completed!.envelope).toMatchObject({
      causationId: provisioned.id,
      data: {
        orderId: order.id,
        owner: order.owner,
        contactEmail: `${order.owner.id}@example.com`,
        bundleName: BUNDLE.name,
        quantity: 2,
        total: { amount: 998, currency: 'USD' },
        esims,
      },
    });

    const view = await h.call(GetOrderV1, { owner: order.owner, orderId: order.id });
    expect(view.status).toBe('COMPLETED');
    expect(view.esims).toEqual(esims.map((e) => ({ iccid: e.iccid })));

    // A second result for the same order changes nothing.
    const again = await h.esim.provisioned(order.id, [esimInstall()]);
    const lateFailure = await h.esim.provisioningFailed(order.id, 'LATE', 'too late');
    await h.waitHandled(again.id);
    await h.waitHandled(lateFailure.id);
    await h.settle();
    expect(h.messages('order.completed.v1', order.id)).toHaveLength(1);
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(0);
    expect((await h.call(GetOrderV1, { owner: order.owner, orderId: order.id })).esims).toEqual(view.esims);
  });

  it('provisioning-failed -> FAILED + payment.refund-payment.v1 + order.failed.v1; payment.refunded -> REFUNDED + order.refunded.v1', async () => {
    const order = await provisioningOrder();
    await h.esim.provisioningFailed(order.id, 'BUNDLE_UNAVAILABLE', 'eSIM Go refused the order');
    await h.waitForStatus(order.id, 'FAILED');
    const [refund] = await h.waitForMessages('payment.refund-payment.v1', order.id, 1);
    expect(refund!.envelope.data).toEqual({ referenceId: order.id, reason: 'BUNDLE_UNAVAILABLE: eSIM Go refused the order' });
    const [failed] = await h.waitForMessages('order.failed.v1', order.id, 1);
    expect(failed!.envelope.data).toMatchObject({ orderId: order.id, reason: 'BUNDLE_UNAVAILABLE: eSIM Go refused the order', contactEmail: `${order.owner.id}@example.com` });
    expect((await h.call(GetOrderV1, { owner: order.owner, orderId: order.id })).failureReason).toBe('BUNDLE_UNAVAILABLE: eSIM Go refused the order');
    expect((await h.row(order.id)).refund_requested_at).toBeInstanceOf(Date);

    const refunded = await h.payment.refunded(order.id);
    await h.waitForStatus(order.id, 'REFUNDED');
    const [refundedEvent] = await h.waitForMessages('order.refunded.v1', order.id, 1);
    expect(refundedEvent!.envelope).toMatchObject({ causationId: refunded.id, data: { orderId: order.id, total: { amount: 998, currency: 'USD' } } });

    const twice = await h.payment.refunded(order.id);
    await h.waitHandled(twice.id);
    await h.settle();
    expect(h.messages('order.refunded.v1', order.id)).toHaveLength(1);
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(1);
    expect((await h.history(order.id)).map((e) => e.to_status)).toEqual(['AWAITING_PAYMENT', 'AWAITING_PAYMENT', 'PROVISIONING', 'FAILED', 'REFUNDED']);
  });

  it('admin refund of a COMPLETED card order: one payment.refund-payment.v1, still COMPLETED until payment.refunded, then REFUNDED + order.refunded.v1', async () => {
    const order = await provisioningOrder();
    await h.esim.provisioned(order.id, [esimInstall()]);
    await h.waitForStatus(order.id, 'COMPLETED');

    const ask = { orderId: order.id, reason: 'customer complaint', requestedBy: 'admin:7' };
    const pending = await h.call(RefundOrderV1, ask);
    expect(pending).toMatchObject({ status: 'COMPLETED', refund: null, revocation: { status: 'PENDING', forced: false, reason: 'refund by admin:7: customer complaint' } });
    // Asked twice at once or again: one revocation command only, and no money moves before eSIM Go answered.
    await Promise.all([h.call(RefundOrderV1, ask), h.call(RefundOrderV1, { ...ask, reason: 'another reason' })]);
    const [revoke] = await h.waitForMessages('esim.revoke-bundles.v1', order.id, 1);
    expect(revoke!.envelope.data).toEqual({ orderId: order.id, owner: order.owner, force: false });
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(0);

    await h.waitHandled((await h.esim.bundlesRevoked(order.id, 'REVOKED')).id);
    const [refund] = await h.waitForMessages('payment.refund-payment.v1', order.id, 1);
    expect(await h.call(RefundOrderV1, ask)).toMatchObject({
      status: 'COMPLETED',
      refund: { status: 'PENDING', reason: 'refund by admin:7: customer complaint', refundedAt: null },
      revocation: { status: 'REVOKED', decidedAt: expect.any(String) },
    });
    expect(refund!.envelope.data).toEqual({ referenceId: order.id, reason: 'refund by admin:7: customer complaint' });

    const refunded = await h.payment.refunded(order.id);
    await h.waitForStatus(order.id, 'REFUNDED');
    const [event] = await h.waitForMessages('order.refunded.v1', order.id, 1);
    expect(event!.envelope).toMatchObject({ causationId: refunded.id, data: { orderId: order.id, reason: 'refund by admin:7: customer complaint', total: { amount: 998, currency: 'USD' } } });
    expect(await h.call(RefundOrderV1, ask)).toMatchObject({ status: 'REFUNDED', refund: { status: 'SUCCEEDED', refundedAt: expect.any(String) } });
    await h.settle();
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(1);
    expect(h.messages('esim.revoke-bundles.v1', order.id)).toHaveLength(1);
    expect(h.messages('order.refunded.v1', order.id)).toHaveLength(1);
    expect((await h.history(order.id)).map((e) => e.to_status)).toEqual(['AWAITING_PAYMENT', 'AWAITING_PAYMENT', 'PROVISIONING', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'REFUNDED']);
  });

  it('admin refund of a used bundle: refused without force (nothing refunded), refunded when forced; a late answer changes nothing', async () => {
    const order = await provisioningOrder();
    await h.esim.provisioned(order.id, [esimInstall()]);
    await h.waitForStatus(order.id, 'COMPLETED');
    const ask = { orderId: order.id, reason: 'not happy', requestedBy: 'admin:8' };

    await h.call(RefundOrderV1, ask);
    await h.waitForMessages('esim.revoke-bundles.v1', order.id, 1);
    await h.waitHandled((await h.esim.bundlesRevoked(order.id, 'ALREADY_USED')).id);
    expect(await h.call(GetOrderV1, { owner: order.owner, orderId: order.id })).toMatchObject({
      status: 'COMPLETED',
      refund: null,
      revocation: { status: 'ALREADY_USED', forced: false },
    });
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(0);

    const forced = await h.call(RefundOrderV1, { ...ask, force: true });
    expect(forced).toMatchObject({ revocation: { status: 'PENDING', forced: true, reason: 'refund by admin:8: not happy (forced)' } });
    const commands = await h.waitForMessages('esim.revoke-bundles.v1', order.id, 2);
    expect(commands[1]!.envelope.data).toEqual({ orderId: order.id, owner: order.owner, force: true });
    // The answer to the first (unforced) request arrives again: ignored.
    await h.waitHandled((await h.esim.bundlesRevoked(order.id, 'ALREADY_USED')).id);
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(0);
    await h.waitHandled((await h.esim.bundlesRevoked(order.id, 'ALREADY_USED', true)).id);
    await h.waitForMessages('payment.refund-payment.v1', order.id, 1);
    expect(await h.call(GetOrderV1, { owner: order.owner, orderId: order.id })).toMatchObject({
      refund: { status: 'PENDING' },
      revocation: { status: 'ALREADY_USED', forced: true },
    });
  });

  it('a refund of an order that was never charged is ORDER_NOT_REFUNDABLE (409) and of an unknown order ORDER_NOT_FOUND (404); nothing is sent', async () => {
    const unpaid = await h.placeOrder(customer());
    const refused = await h.remoteError(h.call(RefundOrderV1, { orderId: unpaid.id, reason: 'x', requestedBy: 'admin:7' }));
    expect(refused).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE', status: 409 });
    const missing = await h.remoteError(h.call(RefundOrderV1, { orderId: randomUUID(), reason: 'x', requestedBy: 'admin:7' }));
    expect(missing).toMatchObject({ code: 'ORDER_NOT_FOUND', status: 404 });
    await h.settle();
    expect(h.messages('payment.refund-payment.v1', unpaid.id)).toHaveLength(0);
    expect((await h.row(unpaid.id)).status).toBe('AWAITING_PAYMENT');
  });

  it('a paid amount that differs from the total never provisions: FAILED + refund', async () => {
    const order = await h.placeOrder(customer());
    await h.payment.succeeded(order.id, { amount: 1, currency: 'USD' });
    await h.waitForStatus(order.id, 'FAILED');
    await h.waitForMessages('payment.refund-payment.v1', order.id, 1);
    await h.waitForMessages('order.failed.v1', order.id, 1);
    await h.settle();
    expect(h.messages('esim.provision.v1', order.id)).toHaveLength(0);
    expect((await h.row(order.id)).failure_reason).toBe('PAYMENT_AMOUNT_MISMATCH: paid 1 USD, order total 998 USD');
  });

  it('payment.mismatched -> FAILED + refund', async () => {
    const order = await h.placeOrder(customer());
    await h.payment.mismatched(order.id, { amount: 998, currency: 'EUR' });
    await h.waitForStatus(order.id, 'FAILED');
    await h.waitForMessages('payment.refund-payment.v1', order.id, 1);
    await h.waitForMessages('order.failed.v1', order.id, 1);
  });

  it("another owner's order is ORDER_NOT_FOUND, exactly like a missing one", async () => {
    const order = await h.placeOrder(customer());
    expect((await h.call(GetOrderV1, { owner: order.owner, orderId: order.id })).id).toBe(order.id);
    for (const request of [
      { owner: { type: 'customer' as const, id: customer() }, orderId: order.id },
      { owner: { type: 'vendor' as const, id: order.owner.id }, orderId: order.id },
      { owner: order.owner, orderId: randomUUID() },
    ]) {
      const err = await h.remoteError(h.call(GetOrderV1, request));
      expect({ code: err.code, status: err.status }).toEqual({ code: 'ORDER_NOT_FOUND', status: 404 });
    }
  });

  it("lists an owner's orders newest first in cursor pages; admins list everyone's", async () => {
    const owner = customer();
    const placed: OrderView[] = [];
    for (let i = 0; i < 5; i += 1) placed.push(await h.placeOrder(owner));
    const other = await h.placeOrder(customer());

    const seen: OrderView[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.call(ListOrdersV1, { owner: { type: 'customer', id: owner }, limit: 2, ...(cursor ? { cursor } : {}) });
      pages += 1;
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((o) => o.id)).toEqual(
      [...placed].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((o) => o.id),
    );
    expect(new Set(seen.map((o) => o.id)).size).toBe(5);

    const admin = await h.call(ListOrdersV1, { limit: 100 });
    const adminIds = admin.data.map((o) => o.id);
    expect(adminIds).toEqual(expect.arrayContaining([...placed.map((o) => o.id), other.id]));
    const times = admin.data.map((o) => o.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    const err = await h.remoteError(h.call(ListOrdersV1, { owner: { type: 'customer', id: owner }, limit: 2, cursor: 'bm90LWEtY3Vyc29y' }));
    expect({ code: err.code, status: err.status }).toEqual({ code: 'INVALID_CURSOR', status: 400 });
  });

  it('payment unreachable -> 503 PAYMENT_UNAVAILABLE, the order waits; the same requestKey later creates the intent once', async () => {
    const owner = customer();
    const requestKey = `rk-${randomUUID()}`;
    await h.payment.stopServer();
    try {
      const err = await h.remoteError(h.placeOrder(owner, { requestKey }));
      expect({ code: err.code, status: err.status }).toEqual({ code: 'PAYMENT_UNAVAILABLE', status: 503 });
    } finally {
      await h.payment.startServer();
    }
    const { rows } = await h.pg.query(`SELECT id, status, payment_intent_id FROM "${h.schema}".orders WHERE owner_id = $1`, [owner]);
    expect(rows).toEqual([{ id: expect.any(String), status: 'AWAITING_PAYMENT', payment_intent_id: null }]);
    expect(h.payment.createCalls.get(rows[0].id)).toBeUndefined();

    const retried = await h.placeOrder(owner, { requestKey });
    expect(retried.id).toBe(rows[0].id);
    expect(retried.status).toBe('AWAITING_PAYMENT');
    expect(retried.payment?.paymentIntentId).toBe(h.payment.intents.get(retried.id)!.paymentIntentId);
    expect(h.payment.createCalls.get(retried.id)).toBe(1);
    expect(await h.placeOrder(owner, { requestKey })).toEqual(retried);
    expect(h.payment.createCalls.get(retried.id)).toBe(1);
  });

  it('dead-letters an invalid payment event and one about an unknown order, and keeps consuming', async () => {
    const invalid = { id: randomUUID(), type: 'payment.succeeded.v1', occurredAt: new Date().toISOString(), producer: 'payment', correlationId: randomUUID(), data: { purpose: 'B2C_ORDER', amount: 'lots' } };
    await h.payment.republish(PaymentSucceededV1, invalid);
    // Valid, but about an order that does not exist: retrying cannot help.
    const unknown = await h.payment.succeeded(randomUUID(), { amount: 100, currency: 'USD' });

    const conn = await amqplib.connect(h.vhost.url);
    try {
      const ch = await conn.createChannel();
      const dead: Array<{ id: string; reason: unknown }> = [];
      await waitFor(
        async () => {
          const msg = await ch.get('order.payment-events.dlq', { noAck: true });
          if (msg) dead.push({ id: msg.properties.messageId, reason: msg.properties.headers?.['x-dead-letter-reason'] });
          return dead.length >= 2;
        },
        { timeoutMs: 15_000, message: 'the DLQ did not get both messages' },
      );
      expect(dead).toEqual(
        expect.arrayContaining([
          { id: invalid.id, reason: expect.stringContaining('amount') },
          { id: unknown.id, reason: expect.stringContaining('does not exist') },
        ]),
      );
    } finally {
      await conn.close();
    }
    // Still consuming.
    const order = await provisioningOrder();
    expect(order.id).toBeDefined();
  });
});

describe('order: metrics', () => {
  it('reports orders in flight by status and channel, and the age of the oldest, from the database at scrape time', async () => {
    await h.placeOrder(customer());
    await provisioningOrder();
    const counts = async () => {
      const { rows } = await h.pg.query<{ status: string; owner_type: string; n: number }>(
        `SELECT status, owner_type, count(*)::int AS n FROM "${h.schema}".orders WHERE status IN ('AWAITING_PAYMENT', 'PENDING', 'PROVISIONING') GROUP BY 1, 2`,
      );
      return rows;
    };
    const expected = await counts();
    const text = await h.service.metrics.registry.metrics();
    for (const row of expected) {
      const channel = row.owner_type === 'vendor' ? 'B2B' : 'B2C';
      expect(text).toMatch(new RegExp(`ttelgo_orders_in_flight\\{status="${row.status}",channel="${channel}"[^}]*\\} ${row.n}\\n`));
    }
    expect(expected.find((r) => r.status === 'AWAITING_PAYMENT')?.n).toBeGreaterThanOrEqual(1);
    const age = /ttelgo_orders_oldest_in_flight_age_seconds\{status="AWAITING_PAYMENT",channel="B2C"[^}]*\} ([0-9.e+-]+)/.exec(text);
    expect(Number(age?.[1])).toBeGreaterThan(0);
    // No order is PENDING on the card side: reported as 0, not left out.
    expect(text).toMatch(/ttelgo_orders_in_flight\{status="PENDING",channel="B2C"[^}]*\} 0\n/);
  });
});
