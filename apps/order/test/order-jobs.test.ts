/**
 * Component test of the order jobs: unpaid-order expiry and reconciliation of stuck orders. Timeouts are set to
 * one second and the jobs are run on demand (runJobsNow), so each test controls when a sweep happens.
 */
import { randomUUID } from 'node:crypto';
import { GetOrderV1 } from '@ttelgo/contracts';
import { sleep } from '@ttelgo/testing';
import { esimInstall } from './support/esim.double';
import { OrderHarness } from './support/order.harness';

jest.setTimeout(90_000);

const h = new OrderHarness();
const customer = (): string => `cust-${randomUUID().slice(0, 8)}`;
const TIMEOUT_MS = 1000;
// Long enough that "just re-driven" and "stuck" cannot be confused on a busy machine.
const STUCK_AFTER_MS = 2000;

beforeAll(async () => {
  await h.start({ ORDER_PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS), ORDER_STUCK_AFTER_MS: String(STUCK_AFTER_MS) });
});

afterAll(async () => {
  await h.stop();
});

describe('order jobs', () => {
  it('cancels an order unpaid past the timeout and its intent; a late payment is refunded and the order stays CANCELLED', async () => {
    const order = await h.placeOrder(customer());
    await h.service.runJobsNow();
    expect((await h.row(order.id)).status).toBe('AWAITING_PAYMENT');

    await sleep(TIMEOUT_MS + 100);
    await h.service.runJobsNow();
    expect((await h.row(order.id)).status).toBe('CANCELLED');
    const [cancel] = await h.waitForMessages('payment.cancel-payment.v1', order.id, 1);
    expect(cancel!.envelope.data).toEqual({ referenceId: order.id, reason: 'payment not received in time' });
    expect((await h.call(GetOrderV1, { owner: order.owner, orderId: order.id })).status).toBe('CANCELLED');

    // The buyer paid just before the cancel reached Stripe.
    const late = await h.payment.succeeded(order.id);
    const [refund] = await h.waitForMessages('payment.refund-payment.v1', order.id, 1);
    expect(refund!.envelope).toMatchObject({ causationId: late.id, data: { referenceId: order.id } });
    const again = await h.payment.succeeded(order.id);
    await h.waitHandled(again.id);
    // The cancelled intent's own event arrives too.
    const canceled = await h.payment.canceled(order.id);
    await h.waitHandled(canceled.id);
    const refunded = await h.payment.refunded(order.id);
    await h.waitHandled(refunded.id);
    await h.settle();

    const row = await h.row(order.id);
    expect(row.status).toBe('CANCELLED');
    expect(row.refunded_at).toBeInstanceOf(Date);
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(1);
    expect(h.messages('esim.provision.v1', order.id)).toHaveLength(0);
    expect(h.messages('order.refunded.v1', order.id)).toHaveLength(0);
    expect(h.messages('payment.cancel-payment.v1', order.id)).toHaveLength(1);
    expect((await h.history(order.id)).map((e) => [e.to_status, e.reason])).toEqual([
      ['AWAITING_PAYMENT', 'order placed'],
      ['AWAITING_PAYMENT', expect.stringMatching(/^payment intent pi_/)],
      ['CANCELLED', 'payment not received in time'],
      ['CANCELLED', 'payment arrived after the order was cancelled'],
      ['CANCELLED', 'late payment refunded'],
    ]);
  });

  it('a payment that arrives before the sweep wins: the paid order is not cancelled', async () => {
    const order = await h.placeOrder(customer());
    await sleep(TIMEOUT_MS + 100);
    await h.payment.succeeded(order.id);
    await h.waitForStatus(order.id, 'PROVISIONING');
    await h.service.runJobsNow();
    await h.settle();
    expect((await h.row(order.id)).status).toBe('PROVISIONING');
    expect(h.messages('payment.cancel-payment.v1', order.id)).toHaveLength(0);
  });

  it('re-sends esim.provision.v1 for an order stuck in PROVISIONING, and nothing for one that moves on', async () => {
    const stuck = await h.placeOrder(customer());
    const moving = await h.placeOrder(customer());
    await h.payment.succeeded(stuck.id);
    await h.payment.succeeded(moving.id);
    await h.waitForMessages('esim.provision.v1', stuck.id, 1);
    await h.waitForMessages('esim.provision.v1', moving.id, 1);
    await h.esim.provisioned(moving.id, [esimInstall()]);
    await h.waitForStatus(moving.id, 'COMPLETED');

    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    const provisions = await h.waitForMessages('esim.provision.v1', stuck.id, 2);
    expect(provisions[1]!.envelope.data).toEqual(provisions[0]!.envelope.data);
    expect(provisions[1]!.envelope.id).not.toBe(provisions[0]!.envelope.id);
    expect((await h.row(stuck.id)).status).toBe('PROVISIONING');
    expect((await h.history(stuck.id)).at(-1)).toMatchObject({ from_status: 'PROVISIONING', to_status: 'PROVISIONING', reason: 'reconcile: provisioning re-requested' });

    // Re-driven just now, so an immediate second sweep leaves it alone.
    await h.service.runJobsNow();
    await h.settle();
    expect(h.messages('esim.provision.v1', stuck.id)).toHaveLength(2);
    expect(h.messages('esim.provision.v1', moving.id)).toHaveLength(1);
  });

  it('re-sends the refund of a FAILED order whose refund never came back', async () => {
    const order = await h.placeOrder(customer());
    await h.payment.succeeded(order.id);
    await h.waitForStatus(order.id, 'PROVISIONING');
    await h.esim.provisioningFailed(order.id, 'PROVIDER_ERROR', 'no stock');
    await h.waitForMessages('payment.refund-payment.v1', order.id, 1);

    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    const refunds = await h.waitForMessages('payment.refund-payment.v1', order.id, 2);
    expect(refunds[1]!.envelope.data).toEqual(refunds[0]!.envelope.data);
    expect((await h.row(order.id)).status).toBe('FAILED');
    await h.settle();
    expect(h.messages('order.failed.v1', order.id)).toHaveLength(1);

    await h.payment.refunded(order.id);
    await h.waitForStatus(order.id, 'REFUNDED');
    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    await h.settle();
    expect(h.messages('payment.refund-payment.v1', order.id)).toHaveLength(2);
  });

  it('B2B: re-sends billing.reserve-funds.v1 for a PENDING vendor order billing never answered (same data), and nothing once answered', async () => {
    const vendorId = h.billing.addVendor({ markupBps: 1000 });
    const order = await h.placeVendorOrder(vendorId);
    await h.waitForMessages('billing.reserve-funds.v1', order.id, 1);

    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    const reserves = await h.waitForMessages('billing.reserve-funds.v1', order.id, 2);
    expect(reserves[1]!.envelope.data).toEqual(reserves[0]!.envelope.data);
    expect(reserves[1]!.envelope.id).not.toBe(reserves[0]!.envelope.id);
    expect((await h.history(order.id)).at(-1)).toMatchObject({ from_status: 'PENDING', to_status: 'PENDING', reason: 'reconcile: funds reservation re-requested' });

    const rejected = await h.billing.rejected(order.id, vendorId, 'INSUFFICIENT_FUNDS');
    await h.waitHandled(rejected.id);
    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    await h.settle();
    expect(h.messages('billing.reserve-funds.v1', order.id)).toHaveLength(2);
    expect((await h.row(order.id)).status).toBe('REJECTED');
  });

  it('B2B: re-sends a capture (COMPLETED) and a release (FAILED) vendor-billing never confirmed, until funds-captured / released arrive', async () => {
    const vendorId = h.billing.addVendor();
    const completed = await h.placeVendorOrder(vendorId);
    const failed = await h.placeVendorOrder(vendorId);
    for (const o of [completed, failed]) await h.billing.reserved(o.id, vendorId, o.total);
    await h.waitForStatus(completed.id, 'PROVISIONING');
    await h.waitForStatus(failed.id, 'PROVISIONING');
    await h.esim.provisioned(completed.id, [esimInstall()]);
    await h.esim.provisioningFailed(failed.id, 'PROVIDER_ERROR', 'no stock');
    await h.waitForMessages('billing.capture-funds.v1', completed.id, 1);
    await h.waitForMessages('billing.release-funds.v1', failed.id, 1);

    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    const captures = await h.waitForMessages('billing.capture-funds.v1', completed.id, 2);
    expect(captures[1]!.envelope.data).toEqual({ orderId: completed.id });
    const releases = await h.waitForMessages('billing.release-funds.v1', failed.id, 2);
    expect(releases[1]!.envelope.data).toEqual({ orderId: failed.id, reason: 'PROVIDER_ERROR: no stock' });
    expect((await h.row(completed.id)).status).toBe('COMPLETED');
    expect((await h.row(failed.id)).status).toBe('FAILED');

    const captured = await h.billing.captured(completed.id, vendorId, completed.total);
    const released = await h.billing.released(failed.id, vendorId, failed.total);
    await h.waitHandled(captured.id);
    await h.waitHandled(released.id);
    await sleep(STUCK_AFTER_MS + 100);
    await h.service.runJobsNow();
    await h.settle();
    expect(h.messages('billing.capture-funds.v1', completed.id)).toHaveLength(2);
    expect(h.messages('billing.release-funds.v1', failed.id)).toHaveLength(2);
    expect(h.messages('order.completed.v1', completed.id)).toHaveLength(1);
    expect(h.messages('order.failed.v1', failed.id)).toHaveLength(1);
  });
});
