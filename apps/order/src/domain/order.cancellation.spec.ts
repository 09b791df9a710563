import { cancellationRequested } from './order.cancellation';
import { OrderError } from './order.errors';
import { newOrder, type Order } from './order';
import { bundlesRevoked, orderChargeRefunded, refundRequested } from './order.state-machine';

const T0 = new Date('2026-12-08T10:00:00.000Z');
const VENDOR = '0b4c3a52-3d2f-4b7e-9f0e-6f2a1d9c8b71';
const WINDOW = 60 * 86_400_000;
const later = (ms: number) => new Date(T0.getTime() + ms);

/** A COMPLETED vendor order whose charge vendor-billing confirmed. */
function completed(overrides: Partial<Order> = {}): Order {
  const { order } = newOrder({
    id: '6f1c1f9e-5d0b-4a43-9d52-0a4a1c1d2e3f',
    owner: { type: 'vendor', id: VENDOR },
    contactEmail: null,
    requestKey: 'rk',
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: 1,
    unitPrice: { amount: 574, currency: 'USD' },
    customerReference: null,
    now: T0,
  });
  return { ...order, status: 'COMPLETED', fundsSettlement: 'CAPTURE', fundsSettledAt: T0, ...overrides };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof OrderError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('self-service cancellation', () => {
  it('asks eSIM Go to revoke (never forced); once revoked the charge goes back; then CANCELLED with order.cancelled', () => {
    const asked = cancellationRequested(completed(), { requestedBy: `vendor:${VENDOR}`, refundWindowMs: WINDOW }, later(1000));
    if (!asked.changed) throw new Error('expected a change');
    expect(asked.order).toMatchObject({ status: 'COMPLETED', cancelRequestedAt: later(1000), revocation: { status: 'PENDING', forced: false } });
    expect(asked.effects).toEqual([{ type: 'RevokeBundles', force: false }]);

    const revoked = bundlesRevoked(asked.order, { outcome: 'REVOKED', forced: false, detail: null }, later(2000));
    if (!revoked.changed) throw new Error('expected a change');
    expect(revoked.effects).toEqual([{ type: 'RefundOrderCharge', reason: `cancelled by vendor:${VENDOR}: unused` }]);

    const done = orderChargeRefunded(revoked.order, { vendorId: VENDOR, amount: { amount: 574, currency: 'USD' } }, later(3000));
    if (!done.changed) throw new Error('expected a change');
    expect(done.order.status).toBe('CANCELLED');
    expect(done.effects).toEqual([{ type: 'OrderCancelled', reason: `cancelled by vendor:${VENDOR}: unused` }]);
    // Repeats change nothing.
    expect(cancellationRequested(done.order, { requestedBy: 'x', refundWindowMs: WINDOW }, later(4000)).changed).toBe(false);
    expect(cancellationRequested(asked.order, { requestedBy: 'x', refundWindowMs: WINDOW }, later(1500)).changed).toBe(false);
  });

  it('a used or expired bundle refuses it for good; an admin refund afterwards still ends REFUNDED', () => {
    const asked = cancellationRequested(completed(), { requestedBy: 'vendor:v', refundWindowMs: WINDOW }, later(1000));
    if (!asked.changed) throw new Error('expected a change');
    const refused = bundlesRevoked(asked.order, { outcome: 'ALREADY_USED', forced: false, detail: null }, later(2000));
    if (!refused.changed) throw new Error('expected a change');
    expect(refused.order.status).toBe('COMPLETED');
    expect(refused.effects).toEqual([]);
    expect(refused.history.reason).toMatch(/^cancellation refused: a bundle was already used or has expired/);
    expect(code(() => cancellationRequested(refused.order, { requestedBy: 'vendor:v', refundWindowMs: WINDOW }, later(3000)))).toMatch(/^NOT_CANCELLABLE: .*already used or has expired/);

    const admin = refundRequested(refused.order, { reason: 'goodwill', requestedBy: 'admin:1', force: true }, later(4000));
    if (!admin.changed) throw new Error('expected a change');
    expect(admin.order.cancelRequestedAt).toBeNull();
  });

  it('refuses what is not a completed, charged vendor order within the refund window', () => {
    const ask = (order: Order, now = later(1000)) => code(() => cancellationRequested(order, { requestedBy: 'vendor:v', refundWindowMs: WINDOW }, now));
    expect(ask(completed({ status: 'PROVISIONING' }))).toMatch(/^NOT_CANCELLABLE: .*is PROVISIONING/);
    expect(ask(completed({ status: 'FAILED' }))).toMatch(/^NOT_CANCELLABLE: .*is FAILED/);
    expect(ask(completed({ fundsSettledAt: null }))).toMatch(/^NOT_CANCELLABLE: .*not confirmed the charge/);
    expect(ask(completed({ owner: { type: 'customer', id: 'c' } }))).toMatch(/^NOT_CANCELLABLE: .*not a reseller order/);
    expect(ask(completed(), later(WINDOW + 1))).toMatch(/^NOT_CANCELLABLE: .*more than 60 days ago: outside eSIM Go's refund window/);
    expect(ask(completed({ refundRequestedAt: T0 }))).toMatch(/^NOT_CANCELLABLE: .*already being refunded/);
  });
});
