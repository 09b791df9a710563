/**
 * Component test of the B2B saga, driven the way the other services drive it: vendor orders placed over
 * RPC by a gateway-like client, vendor-billing, esim-provisioning and payment played by doubles over a real
 * RabbitMQ vhost, the service on a real Postgres schema. What order emits is observed on the broker and in its
 * outbox.
 */
import { randomUUID } from 'node:crypto';
import { FundsReservedV1, GetOrderV1, ListOrdersV1, RefundOrderV1, type OrderView } from '@ttelgo/contracts';
import { waitFor } from '@ttelgo/testing';
import { BUNDLE, esimInstall, vendorUnitPrice } from './support/esim.double';
import { OrderHarness } from './support/order.harness';

jest.setTimeout(90_000);

const h = new OrderHarness();
const MARKUP_BPS = 1750;
const UNIT = vendorUnitPrice(MARKUP_BPS); // 400 + 70 = 470: not the retail 499
const vendor = (overrides: Parameters<OrderHarness['billing']['addVendor']>[0] = {}): string => h.billing.addVendor({ markupBps: MARKUP_BPS, ...overrides });

beforeAll(async () => {
  await h.start();
});

afterAll(async () => {
  await h.stop();
});

/** A vendor order whose hold vendor-billing granted: PROVISIONING. */
async function provisioningOrder(vendorId = vendor(), overrides: Parameters<OrderHarness['placeVendorOrder']>[1] = {}): Promise<OrderView> {
  const order = await h.placeVendorOrder(vendorId, overrides);
  await h.billing.reserved(order.id, vendorId, order.total);
  await h.waitForStatus(order.id, 'PROVISIONING');
  return order;
}

describe('order: B2B saga', () => {
  it('places a vendor order PENDING at the vendor price with exactly one billing.reserve-funds.v1; the same requestKey returns the same order', async () => {
    const vendorId = vendor();
    const requestKey = `rk-${randomUUID()}`;
    const first = await h.placeVendorOrder(vendorId, { requestKey, quantity: 3, customerReference: 'shop-order-77' });

    expect(UNIT).toBe(470);
    expect(first).toMatchObject({
      owner: { type: 'vendor', id: vendorId },
      status: 'PENDING',
      bundleName: BUNDLE.name,
      quantity: 3,
      unitPrice: { amount: UNIT, currency: 'USD' },
      total: { amount: 3 * UNIT, currency: 'USD' },
      customerReference: 'shop-order-77',
      payment: null,
      failureReason: null,
      esims: [],
    });
    expect(h.billing.getVendorCalls).toContain(vendorId);
    expect(h.esim.getBundleRequests).toContainEqual({ name: BUNDLE.name, markupBps: MARKUP_BPS });

    const [reserve] = await h.waitForMessages('billing.reserve-funds.v1', first.id, 1);
    expect(reserve!.routingKey).toBe('billing.reserve-funds.v1');
    expect(reserve!.envelope).toMatchObject({ producer: 'order', data: { orderId: first.id, vendorId, amount: { amount: 3 * UNIT, currency: 'USD' } } });
    // A vendor order never goes near the card payment service.
    expect(h.payment.createCalls.get(first.id)).toBeUndefined();

    const again = await h.placeVendorOrder(vendorId, { requestKey, quantity: 3, customerReference: 'shop-order-77' });
    expect(again).toEqual(first);
    const reuse = await h.remoteError(h.placeVendorOrder(vendorId, { requestKey, quantity: 3, customerReference: 'another' }));
    expect({ code: reuse.code, status: reuse.status }).toEqual({ code: 'REQUEST_KEY_REUSED', status: 422 });

    await h.settle();
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".orders WHERE owner_id = $1`, [vendorId]);
    expect(rows[0].n).toBe(1);
    expect(h.messages('billing.reserve-funds.v1', first.id)).toHaveLength(1);
    expect(await h.outboxCount('billing.reserve-funds.v1', first.id)).toBe(1);
    expect(await h.history(first.id)).toEqual([{ from_status: null, to_status: 'PENDING', reason: 'order placed', causation_id: expect.any(String) }]);
    expect((await h.call(GetOrderV1, { owner: first.owner, orderId: first.id })).customerReference).toBe('shop-order-77');
  });

  it('funds-reserved -> PROVISIONING with one esim.provision.v1; a redelivery and a second reservation change nothing', async () => {
    const vendorId = vendor();
    const order = await h.placeVendorOrder(vendorId);
    const duplicatesBefore = await h.consumedCount('duplicate');
    const reserved = await h.billing.reserved(order.id, vendorId, order.total);
    await h.waitForStatus(order.id, 'PROVISIONING');
    const [provision] = await h.waitForMessages('esim.provision.v1', order.id, 1);
    expect(provision!.envelope).toMatchObject({
      causationId: reserved.id,
      correlationId: reserved.correlationId,
      data: { orderId: order.id, owner: { type: 'vendor', id: vendorId }, bundleName: BUNDLE.name, quantity: 2 },
    });
    const row = await h.row(order.id);

    await h.billing.republish(FundsReservedV1, reserved);
    await waitFor(async () => (await h.consumedCount('duplicate')) > duplicatesBefore, { message: 'the redelivery was not seen as a duplicate' });
    const second = await h.billing.reserved(order.id, vendorId, order.total);
    // vendor-billing said yes; a contradicting "no" afterwards is logged and ignored.
    const lateNo = await h.billing.rejected(order.id, vendorId, 'INSUFFICIENT_FUNDS');
    await h.waitHandled(second.id);
    await h.waitHandled(lateNo.id);
    await h.settle();

    expect(h.messages('esim.provision.v1', order.id)).toHaveLength(1);
    const after = await h.row(order.id);
    expect(after.status).toBe('PROVISIONING');
    expect(after.version).toBe(row.version);
    expect(after.failure_reason).toBeNull();
    expect(h.messages('billing.release-funds.v1', order.id)).toHaveLength(0);
    expect((await h.history(order.id)).map((e) => [e.to_status, e.reason])).toEqual([
      ['PENDING', 'order placed'],
      ['PROVISIONING', `funds reserved: ${order.total.amount} USD`],
    ]);
  });

  it('esim.provisioned -> COMPLETED + billing.capture-funds.v1 + order.completed.v1 (owner vendor, customerReference kept); funds-captured settles it', async () => {
    const vendorId = vendor();
    const order = await provisioningOrder(vendorId, { customerReference: 'ref-completed' });
    const esims = [esimInstall(), esimInstall()];
    const provisioned = await h.esim.provisioned(order.id, esims);
    await h.waitForStatus(order.id, 'COMPLETED');

    const [capture] = await h.waitForMessages('billing.capture-funds.v1', order.id, 1);
    expect(capture!.envelope).toMatchObject({ causationId: provisioned.id, data: { orderId: order.id } });
    const [completed] = await h.waitForMessages('order.completed.v1', order.id, 1);
    expect(completed!.envelope.data).toMatchObject({
      orderId: order.id,
      owner: { type: 'vendor', id: vendorId },
      contactEmail: null,
      total: { amount: 2 * UNIT, currency: 'USD' },
      esims,
    });
    const view = await h.call(GetOrderV1, { owner: order.owner, orderId: order.id });
    expect(view).toMatchObject({ status: 'COMPLETED', customerReference: 'ref-completed', esims: esims.map((e) => ({ iccid: e.iccid })) });
    expect((await h.row(order.id)).funds_settled_at).toBeNull();

    const captured = await h.billing.captured(order.id, vendorId, order.total);
    await h.waitHandled(captured.id);
    const settledAt = (await h.row(order.id)).funds_settled_at;
    expect(settledAt).toBeInstanceOf(Date);

    // Duplicates and late news change nothing.
    const again = await h.esim.provisioned(order.id, [esimInstall()]);
    const lateFailure = await h.esim.provisioningFailed(order.id, 'LATE', 'too late');
    const capturedTwice = await h.billing.captured(order.id, vendorId, order.total);
    const lateRelease = await h.billing.released(order.id, vendorId, order.total);
    for (const m of [again, lateFailure, capturedTwice, lateRelease]) await h.waitHandled(m.id);
    await h.settle();
    expect(h.messages('billing.capture-funds.v1', order.id)).toHaveLength(1);
    expect(h.messages('order.completed.v1', order.id)).toHaveLength(1);
    expect(h.messages('billing.release-funds.v1', order.id)).toHaveLength(0);
    expect(h.messages('order.failed.v1', order.id)).toHaveLength(0);
    const row = await h.row(order.id);
    expect(row.status).toBe('COMPLETED');
    expect(row.funds_settled_at).toEqual(settledAt);
  });

  it('admin refund of a COMPLETED vendor order: refused until the capture is confirmed, then one billing.refund-order-charge.v1; charge-refunded -> REFUNDED', async () => {
    const vendorId = vendor();
    const order = await provisioningOrder(vendorId, { customerReference: 'ref-refund' });
    await h.esim.provisioned(order.id, [esimInstall(), esimInstall()]);
    await h.waitForStatus(order.id, 'COMPLETED');
    const ask = { orderId: order.id, reason: 'duplicate purchase', requestedBy: 'admin:9' };

    // Nothing to give back until vendor-billing confirmed the charge.
    expect(await h.remoteError(h.call(RefundOrderV1, ask))).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE', status: 409 });
    await h.waitHandled((await h.billing.captured(order.id, vendorId, order.total)).id);

    const pending = await h.call(RefundOrderV1, ask);
    expect(pending).toMatchObject({ status: 'COMPLETED', revocation: { status: 'PENDING' } });
    await h.call(RefundOrderV1, ask);
    await h.waitForMessages('esim.revoke-bundles.v1', order.id, 1);
    await h.waitHandled((await h.esim.bundlesRevoked(order.id, 'REVOKED')).id);
    const [command] = await h.waitForMessages('billing.refund-order-charge.v1', order.id, 1);
    expect(command!.envelope.data).toEqual({ orderId: order.id, reason: 'refund by admin:9: duplicate purchase' });

    // Another vendor's confirmation changes nothing.
    const foreign = await h.billing.chargeRefunded(order.id, vendor(), order.total);
    await h.waitHandled(foreign.id);
    expect((await h.row(order.id)).status).toBe('COMPLETED');

    const credited = await h.billing.chargeRefunded(order.id, vendorId, order.total);
    await h.waitForStatus(order.id, 'REFUNDED');
    const [event] = await h.waitForMessages('order.refunded.v1', order.id, 1);
    expect(event!.envelope).toMatchObject({
      causationId: credited.id,
      data: { orderId: order.id, owner: { type: 'vendor', id: vendorId }, reason: 'refund by admin:9: duplicate purchase', customerReference: 'ref-refund' },
    });
    await h.waitHandled((await h.billing.chargeRefunded(order.id, vendorId, order.total)).id);
    await h.settle();
    expect(h.messages('billing.refund-order-charge.v1', order.id)).toHaveLength(1);
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(0);
    expect(h.messages('order.refunded.v1', order.id)).toHaveLength(1);
  });

  it('esim.provisioning-failed -> FAILED + billing.release-funds.v1 + order.failed.v1, and no card refund', async () => {
    const vendorId = vendor();
    const order = await provisioningOrder(vendorId);
    const failure = await h.esim.provisioningFailed(order.id, 'BUNDLE_UNAVAILABLE', 'eSIM Go refused the order');
    await h.waitForStatus(order.id, 'FAILED');
    const [release] = await h.waitForMessages('billing.release-funds.v1', order.id, 1);
    expect(release!.envelope).toMatchObject({ causationId: failure.id, data: { orderId: order.id, reason: 'BUNDLE_UNAVAILABLE: eSIM Go refused the order' } });
    const [failed] = await h.waitForMessages('order.failed.v1', order.id, 1);
    expect(failed!.envelope.data).toMatchObject({ orderId: order.id, owner: { type: 'vendor', id: vendorId }, reason: 'BUNDLE_UNAVAILABLE: eSIM Go refused the order' });

    const released = await h.billing.released(order.id, vendorId, order.total);
    await h.waitHandled(released.id);
    const again = await h.esim.provisioningFailed(order.id, 'BUNDLE_UNAVAILABLE', 'again');
    await h.waitHandled(again.id);
    await h.settle();

    const row = await h.row(order.id);
    expect(row).toMatchObject({ status: 'FAILED', failure_reason: 'BUNDLE_UNAVAILABLE: eSIM Go refused the order', refund_requested_at: null });
    expect(row.funds_settled_at).toBeInstanceOf(Date);
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(0);
    expect(await h.outboxCount('payment.refund-payment.v1', order.id)).toBe(0);
    expect(h.messages('billing.release-funds.v1', order.id)).toHaveLength(1);
    expect(h.messages('order.failed.v1', order.id)).toHaveLength(1);
  });

  it.each(['INSUFFICIENT_FUNDS', 'CREDIT_LIMIT_EXCEEDED'] as const)('funds-rejected %s -> REJECTED with that failure reason; a hold that still arrives is released once', async (code) => {
    const vendorId = vendor();
    const order = await h.placeVendorOrder(vendorId);
    const rejected = await h.billing.rejected(order.id, vendorId, code, 'the wallet is too small');
    await h.waitForStatus(order.id, 'REJECTED');
    const view = await h.call(GetOrderV1, { owner: order.owner, orderId: order.id });
    expect(view).toMatchObject({ status: 'REJECTED', failureReason: code });
    const [failed] = await h.waitForMessages('order.failed.v1', order.id, 1);
    expect(failed!.envelope).toMatchObject({ causationId: rejected.id, data: { orderId: order.id, reason: `${code}: the wallet is too small` } });

    const twice = await h.billing.rejected(order.id, vendorId, code);
    const lateHold = await h.billing.reserved(order.id, vendorId, order.total);
    const lateHoldAgain = await h.billing.reserved(order.id, vendorId, order.total);
    for (const m of [twice, lateHold, lateHoldAgain]) await h.waitHandled(m.id);
    await h.settle();

    expect((await h.row(order.id)).status).toBe('REJECTED');
    expect((await h.row(order.id)).failure_reason).toBe(code);
    expect(h.messages('esim.provision.v1', order.id)).toHaveLength(0);
    expect(h.messages('billing.release-funds.v1', order.id)).toHaveLength(1);
    expect(h.messages('order.failed.v1', order.id)).toHaveLength(1);
  });

  it('a suspended vendor: the order is created REJECTED with VENDOR_SUSPENDED and no hold is asked for; the same requestKey answers the same', async () => {
    const vendorId = vendor({ status: 'SUSPENDED' });
    const requestKey = `rk-${randomUUID()}`;
    const order = await h.placeVendorOrder(vendorId, { requestKey, customerReference: 'blocked' });
    expect(order).toMatchObject({ status: 'REJECTED', failureReason: 'VENDOR_SUSPENDED', customerReference: 'blocked', total: { amount: 2 * UNIT, currency: 'USD' } });
    expect(await h.placeVendorOrder(vendorId, { requestKey, customerReference: 'blocked' })).toEqual(order);

    await h.settle();
    expect(await h.outboxCount('billing.reserve-funds.v1', order.id)).toBe(0);
    expect(h.messages('billing.reserve-funds.v1', order.id)).toHaveLength(0);
    expect(h.observed.filter((m) => m.envelope.type === 'billing.reserve-funds.v1' && m.envelope.data.vendorId === vendorId)).toHaveLength(0);
    expect(await h.history(order.id)).toEqual([{ from_status: null, to_status: 'REJECTED', reason: 'order rejected: VENDOR_SUSPENDED', causation_id: expect.any(String) }]);
  });

  it('vendor-billing unreachable -> 503 BILLING_UNAVAILABLE and nothing stored; the same requestKey works once it is back', async () => {
    const vendorId = vendor();
    const requestKey = `rk-${randomUUID()}`;
    await h.billing.stopServer();
    try {
      const err = await h.remoteError(h.placeVendorOrder(vendorId, { requestKey }));
      expect({ code: err.code, status: err.status }).toEqual({ code: 'BILLING_UNAVAILABLE', status: 503 });
    } finally {
      await h.billing.startServer();
    }
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".orders WHERE owner_id = $1`, [vendorId]);
    expect(rows[0].n).toBe(0);

    const order = await h.placeVendorOrder(vendorId, { requestKey });
    expect(order.status).toBe('PENDING');
    await h.waitForMessages('billing.reserve-funds.v1', order.id, 1);
  });

  it('an unknown vendor is VENDOR_NOT_FOUND (404)', async () => {
    const err = await h.remoteError(h.placeVendorOrder(randomUUID()));
    expect({ code: err.code, status: err.status }).toEqual({ code: 'VENDOR_NOT_FOUND', status: 404 });
  });

  it("a vendor cannot read another vendor's or a customer's order (ORDER_NOT_FOUND), and lists only its own", async () => {
    const vendorA = vendor();
    const vendorB = vendor();
    const orderA = await h.placeVendorOrder(vendorA);
    const orderB = await h.placeVendorOrder(vendorB);
    const customerOrder = await h.placeOrder(`cust-${randomUUID().slice(0, 8)}`);

    expect((await h.call(GetOrderV1, { owner: { type: 'vendor', id: vendorA }, orderId: orderA.id })).id).toBe(orderA.id);
    for (const orderId of [orderB.id, customerOrder.id]) {
      const err = await h.remoteError(h.call(GetOrderV1, { owner: { type: 'vendor', id: vendorA }, orderId }));
      expect({ code: err.code, status: err.status }).toEqual({ code: 'ORDER_NOT_FOUND', status: 404 });
    }
    // A customer whose id happens to equal a vendor id is still another owner.
    const err = await h.remoteError(h.call(GetOrderV1, { owner: { type: 'customer', id: vendorA }, orderId: orderA.id }));
    expect(err.code).toBe('ORDER_NOT_FOUND');

    const page = await h.call(ListOrdersV1, { owner: { type: 'vendor', id: vendorA }, limit: 100 });
    expect(page.data.map((o) => o.id)).toEqual([orderA.id]);
    const admin = await h.call(ListOrdersV1, { limit: 100 });
    expect(admin.data.map((o) => o.id)).toEqual(expect.arrayContaining([orderA.id, orderB.id, customerOrder.id]));
  });

  it('funds events for another vendor or about a card order change nothing', async () => {
    const vendorId = vendor();
    const order = await h.placeVendorOrder(vendorId);
    const foreign = await h.billing.reserved(order.id, vendor(), order.total);
    await h.waitHandled(foreign.id);
    const card = await h.placeOrder(`cust-${randomUUID().slice(0, 8)}`);
    const onCard = await h.billing.rejected(card.id, vendorId, 'INSUFFICIENT_FUNDS');
    await h.waitHandled(onCard.id);
    await h.settle();
    expect((await h.row(order.id)).status).toBe('PENDING');
    expect((await h.row(card.id)).status).toBe('AWAITING_PAYMENT');
    expect(h.messages('esim.provision.v1', order.id)).toHaveLength(0);
  });
});
