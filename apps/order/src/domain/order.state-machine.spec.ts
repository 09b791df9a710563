import { newOrder, type EsimInstall, type Order, type OrderStatus } from './order';
import { OrderError } from './order.errors';
import {
  bundlesRevoked,
  esimProvisioningFailed,
  esimsProvisioned,
  expireUnpaid,
  fundsRejected,
  fundsReserved,
  fundsSettled,
  orderChargeRefunded,
  paymentCanceled,
  paymentFailed,
  paymentIntentCreated,
  paymentMismatched,
  paymentRefunded,
  paymentSucceeded,
  redriveStuck,
  refundRequested,
  type Transition,
} from './order.state-machine';

const T0 = new Date('2026-11-28T10:00:00.000Z');
const VENDOR = '0b6a5c3e-2f4d-4e8a-9c1b-7d2e3f4a5b6c';
const later = (ms: number): Date => new Date(T0.getTime() + ms);
const INTENT = { paymentIntentId: 'pi_1', clientSecret: 'pi_1_secret', publishableKey: 'pk_test' };
const ESIM: EsimInstall = {
  iccid: '8944000000000000001',
  smdpAddress: 'smdp.example.com',
  matchingId: 'MATCH-1',
  lpa: 'LPA:1$smdp.example.com$MATCH-1',
  appleInstallUrl: 'https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$smdp.example.com$MATCH-1',
  expiresAt: null,
};

function order(overrides: Partial<Order> = {}, ownerType: 'customer' | 'vendor' = 'customer'): Order {
  const { order: o } = newOrder({
    id: '6f1c1f9e-5d0b-4a43-9d52-0a4a1c1d2e3f',
    owner: { type: ownerType, id: 'user-1' },
    contactEmail: 'buyer@example.com',
    requestKey: 'rk-1',
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: 2,
    unitPrice: { amount: 499, currency: 'USD' },
    customerReference: null,
    now: T0,
  });
  return { ...o, payment: INTENT, ...overrides };
}

function changed(t: Transition): Extract<Transition, { changed: true }> {
  if (!t.changed) throw new Error(`expected a change, got unchanged: ${t.reason}`);
  return t;
}

const paid = { paymentIntentId: 'pi_1', amount: { amount: 998, currency: 'USD' } };
const ALL: OrderStatus[] = ['AWAITING_PAYMENT', 'PENDING', 'PROVISIONING', 'COMPLETED', 'REJECTED', 'FAILED', 'CANCELLED', 'REFUNDED'];

describe('new orders and money', () => {
  it('prices the total as unit x quantity in minor units, in the unit currency', () => {
    const o = order();
    expect(o.status).toBe('AWAITING_PAYMENT');
    expect(o.total).toEqual({ amount: 998, currency: 'USD' });
    expect(o.version).toBe(0);
  });

  it('starts vendor (B2B) orders PENDING', () => {
    expect(order({}, 'vendor').status).toBe('PENDING');
  });

  it('refuses a total beyond the largest safe integer and fractional or negative prices', () => {
    const base = { id: 'x', owner: { type: 'customer' as const, id: 'u' }, contactEmail: null, requestKey: 'k', bundleName: 'b', customerReference: null, now: T0 };
    expect(() => newOrder({ ...base, quantity: 50, unitPrice: { amount: Number.MAX_SAFE_INTEGER, currency: 'USD' } })).toThrow(/exceeds/);
    expect(() => newOrder({ ...base, quantity: 1, unitPrice: { amount: 4.99, currency: 'USD' } })).toThrow(/integer/);
    expect(() => newOrder({ ...base, quantity: 1, unitPrice: { amount: -1, currency: 'USD' } })).toThrow(/non-negative/);
    expect(() => newOrder({ ...base, quantity: 0, unitPrice: { amount: 1, currency: 'USD' } })).toThrow(/quantity/);
  });
});

describe('payment intent', () => {
  it('stores the intent on an AWAITING_PAYMENT order without one', () => {
    const t = changed(paymentIntentCreated(order({ payment: null }), INTENT, later(1)));
    expect(t.order.payment).toEqual(INTENT);
    expect(t.order.status).toBe('AWAITING_PAYMENT');
    expect(t.effects).toEqual([]);
    expect(t.order.version).toBe(1);
  });

  it('keeps the first intent when one is already stored', () => {
    expect(paymentIntentCreated(order(), { ...INTENT, paymentIntentId: 'pi_2' }, later(1)).changed).toBe(false);
  });

  it('stores an intent that arrives after expiry and cancels it again', () => {
    const t = changed(paymentIntentCreated(order({ payment: null, status: 'CANCELLED' }), INTENT, later(1)));
    expect(t.order.status).toBe('CANCELLED');
    expect(t.effects).toEqual([{ type: 'CancelPayment', reason: expect.any(String) }]);
  });
});

describe('payment.succeeded', () => {
  it('AWAITING_PAYMENT -> PROVISIONING and asks for the eSIMs once', () => {
    const t = changed(paymentSucceeded(order(), paid, later(5)));
    expect(t.order.status).toBe('PROVISIONING');
    expect(t.order.paidAt).toEqual(later(5));
    expect(t.history).toEqual({ from: 'AWAITING_PAYMENT', to: 'PROVISIONING', reason: expect.stringContaining('pi_1') });
    expect(t.effects).toEqual([{ type: 'ProvisionEsims' }]);
  });

  it.each([
    ['a smaller amount', { amount: 997, currency: 'USD' }],
    ['a larger amount', { amount: 999, currency: 'USD' }],
    ['another currency', { amount: 998, currency: 'EUR' }],
  ])('with %s: FAILED, refund and order.failed, never provisioning', (_what, amount) => {
    const t = changed(paymentSucceeded(order(), { paymentIntentId: 'pi_1', amount }, later(5)));
    expect(t.order.status).toBe('FAILED');
    expect(t.order.failureReason).toMatch(/^PAYMENT_AMOUNT_MISMATCH/);
    expect(t.order.refundRequestedAt).toEqual(later(5));
    expect(t.effects.map((e) => e.type)).toEqual(['RefundPayment', 'OrderFailed']);
  });

  it('on a CANCELLED order: refund once, the order stays CANCELLED', () => {
    const t = changed(paymentSucceeded(order({ status: 'CANCELLED' }), paid, later(5)));
    expect(t.order.status).toBe('CANCELLED');
    expect(t.effects).toEqual([{ type: 'RefundPayment', reason: expect.stringContaining('cancelled') }]);
    expect(paymentSucceeded(t.order, paid, later(6))).toEqual({ changed: false, reason: expect.stringContaining('already') });
  });

  it.each(['PROVISIONING', 'COMPLETED', 'FAILED', 'REFUNDED', 'PENDING', 'REJECTED'] as const)('is a no-op on %s', (status) => {
    expect(paymentSucceeded(order({ status }), paid, later(5)).changed).toBe(false);
  });

  it('is a no-op for vendor orders', () => {
    expect(paymentSucceeded(order({ status: 'AWAITING_PAYMENT' }, 'vendor'), paid, later(5)).changed).toBe(false);
  });
});

describe('payment.failed / canceled / mismatched', () => {
  it('a declined attempt is history only', () => {
    const t = changed(paymentFailed(order(), { reason: 'card_declined' }, later(1)));
    expect(t.order.status).toBe('AWAITING_PAYMENT');
    expect(t.history).toEqual({ from: 'AWAITING_PAYMENT', to: 'AWAITING_PAYMENT', reason: 'payment attempt failed: card_declined' });
    expect(t.effects).toEqual([]);
  });

  it.each(ALL.filter((s) => s !== 'AWAITING_PAYMENT'))('a late payment.failed on %s changes nothing', (status) => {
    expect(paymentFailed(order({ status }), { reason: 'card_declined' }, later(1)).changed).toBe(false);
  });

  it('a cancelled intent cancels a waiting order without another command', () => {
    const t = changed(paymentCanceled(order(), later(1)));
    expect(t.order.status).toBe('CANCELLED');
    expect(t.effects).toEqual([]);
  });

  it.each(ALL.filter((s) => s !== 'AWAITING_PAYMENT'))('payment.canceled on %s changes nothing', (status) => {
    expect(paymentCanceled(order({ status }), later(1)).changed).toBe(false);
  });

  it('a mismatch fails a waiting order with a refund', () => {
    const t = changed(paymentMismatched(order(), { received: { amount: 1, currency: 'USD' } }, later(1)));
    expect(t.order.status).toBe('FAILED');
    expect(t.effects.map((e) => e.type)).toEqual(['RefundPayment', 'OrderFailed']);
  });

  it('a mismatch on a CANCELLED order refunds once and keeps it CANCELLED', () => {
    const t = changed(paymentMismatched(order({ status: 'CANCELLED' }), { received: { amount: 1, currency: 'USD' } }, later(1)));
    expect(t.order.status).toBe('CANCELLED');
    expect(t.effects.map((e) => e.type)).toEqual(['RefundPayment']);
    expect(paymentMismatched(t.order, { received: { amount: 1, currency: 'USD' } }, later(2)).changed).toBe(false);
  });

  it.each(['PROVISIONING', 'COMPLETED', 'FAILED', 'REFUNDED'] as const)('a mismatch on %s changes nothing', (status) => {
    expect(paymentMismatched(order({ status }), { received: { amount: 1, currency: 'USD' } }, later(1)).changed).toBe(false);
  });
});

describe('provisioning results', () => {
  it('esim.provisioned: PROVISIONING -> COMPLETED with the install data and order.completed', () => {
    const t = changed(esimsProvisioned(order({ status: 'PROVISIONING' }), { esims: [ESIM] }, later(9)));
    expect(t.order.status).toBe('COMPLETED');
    expect(t.order.esims).toEqual([ESIM]);
    expect(t.effects).toEqual([{ type: 'OrderCompleted' }]);
  });

  it.each(ALL.filter((s) => s !== 'PROVISIONING'))('esim.provisioned on %s changes nothing', (status) => {
    expect(esimsProvisioned(order({ status }), { esims: [ESIM] }, later(9)).changed).toBe(false);
  });

  it('esim.provisioning-failed (B2C): FAILED, refund requested, refund + order.failed', () => {
    const t = changed(esimProvisioningFailed(order({ status: 'PROVISIONING' }), { code: 'BUNDLE_UNAVAILABLE', reason: 'sold out' }, later(9)));
    expect(t.order.status).toBe('FAILED');
    expect(t.order.failureReason).toBe('BUNDLE_UNAVAILABLE: sold out');
    expect(t.order.refundRequestedAt).toEqual(later(9));
    expect(t.effects.map((e) => e.type)).toEqual(['RefundPayment', 'OrderFailed']);
  });

  it('esim.provisioning-failed (B2B): FAILED, hold released and order.failed, no card refund', () => {
    const t = changed(esimProvisioningFailed(order({ status: 'PROVISIONING' }, 'vendor'), { code: 'X', reason: 'y' }, later(9)));
    expect(t.order.status).toBe('FAILED');
    expect(t.order.failureReason).toBe('X: y');
    expect(t.effects).toEqual([
      { type: 'ReleaseFunds', reason: 'X: y' },
      { type: 'OrderFailed', reason: 'X: y' },
    ]);
    expect(t.order.fundsSettlement).toBe('RELEASE');
    expect(t.order.fundsSettledAt).toBeNull();
    expect(t.order.refundRequestedAt).toBeNull();
  });

  it('esim.provisioned (B2B): COMPLETED, hold captured, order.completed', () => {
    const t = changed(esimsProvisioned(order({ status: 'PROVISIONING' }, 'vendor'), { esims: [ESIM] }, later(9)));
    expect(t.order.status).toBe('COMPLETED');
    expect(t.order.esims).toEqual([ESIM]);
    expect(t.order.fundsSettlement).toBe('CAPTURE');
    expect(t.effects).toEqual([{ type: 'CaptureFunds' }, { type: 'OrderCompleted' }]);
    expect(esimsProvisioned(t.order, { esims: [ESIM] }, later(10)).changed).toBe(false);
  });

  it.each(ALL.filter((s) => s !== 'PROVISIONING'))('esim.provisioning-failed on %s changes nothing', (status) => {
    expect(esimProvisioningFailed(order({ status }), { code: 'X', reason: 'y' }, later(9)).changed).toBe(false);
  });
});

describe('payment.refunded', () => {
  it('FAILED -> REFUNDED with order.refunded carrying the failure reason', () => {
    const failed = changed(esimProvisioningFailed(order({ status: 'PROVISIONING' }), { code: 'E', reason: 'gone' }, later(1))).order;
    const t = changed(paymentRefunded(failed, later(2)));
    expect(t.order.status).toBe('REFUNDED');
    expect(t.order.refundedAt).toEqual(later(2));
    expect(t.effects).toEqual([{ type: 'OrderRefunded', reason: 'E: gone' }]);
    expect(paymentRefunded(t.order, later(3)).changed).toBe(false);
  });

  it('CANCELLED with a late payment refunded: stays CANCELLED, refund done, once', () => {
    const cancelledPaid = changed(paymentSucceeded(order({ status: 'CANCELLED' }), paid, later(1))).order;
    const t = changed(paymentRefunded(cancelledPaid, later(2)));
    expect(t.order.status).toBe('CANCELLED');
    expect(t.order.refundedAt).toEqual(later(2));
    expect(t.effects).toEqual([]);
    expect(paymentRefunded(t.order, later(3)).changed).toBe(false);
  });

  it('COMPLETED refunded outside the saga -> REFUNDED', () => {
    const t = changed(paymentRefunded(order({ status: 'COMPLETED' }), later(2)));
    expect(t.order.status).toBe('REFUNDED');
    expect(t.effects.map((e) => e.type)).toEqual(['OrderRefunded']);
  });

  it.each(['AWAITING_PAYMENT', 'PROVISIONING', 'REFUNDED', 'CANCELLED', 'PENDING', 'REJECTED'] as const)('on %s (no refund under way) changes nothing', (status) => {
    expect(paymentRefunded(order({ status }), later(2)).changed).toBe(false);
  });
});

describe('expiry job', () => {
  it('cancels an order unpaid for the timeout and cancels its intent', () => {
    const t = changed(expireUnpaid(order(), { now: later(30 * 60_000), timeoutMs: 30 * 60_000 }));
    expect(t.order.status).toBe('CANCELLED');
    expect(t.effects).toEqual([{ type: 'CancelPayment', reason: expect.any(String) }]);
  });

  it('leaves a younger order alone', () => {
    expect(expireUnpaid(order(), { now: later(30 * 60_000 - 1), timeoutMs: 30 * 60_000 }).changed).toBe(false);
  });

  it.each(ALL.filter((s) => s !== 'AWAITING_PAYMENT'))('leaves a %s order alone', (status) => {
    expect(expireUnpaid(order({ status }), { now: later(99 * 60_000), timeoutMs: 1000 }).changed).toBe(false);
  });
});

describe('reconciliation', () => {
  const opts = { now: later(11 * 60_000), stuckAfterMs: 10 * 60_000 };

  it('re-requests provisioning of a stuck PROVISIONING order and restarts its clock', () => {
    const t = changed(redriveStuck(order({ status: 'PROVISIONING' }), opts));
    expect(t.order.status).toBe('PROVISIONING');
    expect(t.order.updatedAt).toEqual(opts.now);
    expect(t.effects).toEqual([{ type: 'ProvisionEsims' }]);
    expect(redriveStuck(t.order, { ...opts, now: later(12 * 60_000) }).changed).toBe(false);
  });

  it('re-requests a refund under way for FAILED and CANCELLED orders', () => {
    for (const status of ['FAILED', 'CANCELLED'] as const) {
      const t = changed(redriveStuck(order({ status, refundRequestedAt: T0 }), opts));
      expect(t.effects.map((e) => e.type)).toEqual(['RefundPayment']);
    }
  });

  it('leaves finished refunds, fresh orders and settled statuses alone', () => {
    expect(redriveStuck(order({ status: 'FAILED', refundRequestedAt: T0, refundedAt: later(1) }), opts).changed).toBe(false);
    expect(redriveStuck(order({ status: 'PROVISIONING', updatedAt: later(10 * 60_000) }), opts).changed).toBe(false);
    for (const status of ['AWAITING_PAYMENT', 'COMPLETED', 'REFUNDED', 'CANCELLED', 'FAILED'] as const) {
      expect(redriveStuck(order({ status }), opts).changed).toBe(false);
    }
  });
});

describe('B2B: new vendor orders', () => {
  const base = {
    id: '6f1c1f9e-5d0b-4a43-9d52-0a4a1c1d2e3f',
    owner: { type: 'vendor' as const, id: VENDOR },
    contactEmail: null,
    requestKey: 'rk-v',
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: 2,
    unitPrice: { amount: 574, currency: 'USD' },
    customerReference: 'cust-ref-9',
    now: T0,
  };

  it('starts PENDING and asks vendor-billing for a hold of the total', () => {
    const placed = newOrder(base);
    expect(placed.order).toMatchObject({ status: 'PENDING', total: { amount: 1148, currency: 'USD' }, customerReference: 'cust-ref-9', fundsSettlement: null });
    expect(placed.effects).toEqual([{ type: 'ReserveFunds' }]);
    expect(placed.history).toEqual({ from: null, to: 'PENDING', reason: 'order placed' });
  });

  it('a suspended vendor: REJECTED at once with the code, no hold asked for', () => {
    const placed = newOrder({ ...base, rejectedWith: 'VENDOR_SUSPENDED' });
    expect(placed.order).toMatchObject({ status: 'REJECTED', failureReason: 'VENDOR_SUSPENDED' });
    expect(placed.effects).toEqual([]);
    expect(placed.history.to).toBe('REJECTED');
  });

  it('B2C orders ask for nothing at creation (the intent comes from the RPC) and ignore rejectedWith', () => {
    const placed = newOrder({ ...base, owner: { type: 'customer', id: 'c' }, rejectedWith: 'VENDOR_SUSPENDED' });
    expect(placed.order.status).toBe('AWAITING_PAYMENT');
    expect(placed.effects).toEqual([]);
  });
});

describe('B2B: billing funds events', () => {
  const vendorOrder = (overrides: Partial<Order> = {}): Order => order({ owner: { type: 'vendor', id: VENDOR }, payment: null, ...overrides }, 'vendor');
  const held = { vendorId: VENDOR, amount: { amount: 998, currency: 'USD' } };

  it('funds-reserved: PENDING -> PROVISIONING and asks for the eSIMs once', () => {
    const t = changed(fundsReserved(vendorOrder(), held, later(1)));
    expect(t.order.status).toBe('PROVISIONING');
    expect(t.history).toEqual({ from: 'PENDING', to: 'PROVISIONING', reason: 'funds reserved: 998 USD' });
    expect(t.effects).toEqual([{ type: 'ProvisionEsims' }]);
    expect(fundsReserved(t.order, held, later(2)).changed).toBe(false);
  });

  it('funds-reserved for another amount: never provisions, REJECTED and the hold released', () => {
    const t = changed(fundsReserved(vendorOrder(), { ...held, amount: { amount: 1, currency: 'USD' } }, later(1)));
    expect(t.order.status).toBe('REJECTED');
    expect(t.order.failureReason).toMatch(/^FUNDS_AMOUNT_MISMATCH/);
    expect(t.effects.map((e) => e.type)).toEqual(['ReleaseFunds', 'OrderFailed']);
  });

  it('funds-reserved on a REJECTED order: released once, the order stays REJECTED', () => {
    const t = changed(fundsReserved(vendorOrder({ status: 'REJECTED', failureReason: 'INSUFFICIENT_FUNDS' }), held, later(1)));
    expect(t.order.status).toBe('REJECTED');
    expect(t.order.failureReason).toBe('INSUFFICIENT_FUNDS');
    expect(t.order.fundsSettlement).toBe('RELEASE');
    expect(t.effects).toEqual([{ type: 'ReleaseFunds', reason: expect.stringContaining('INSUFFICIENT_FUNDS') }]);
    expect(fundsReserved(t.order, held, later(2)).changed).toBe(false);
  });

  it.each(['PROVISIONING', 'COMPLETED', 'FAILED'] as const)('funds-reserved on %s changes nothing', (status) => {
    expect(fundsReserved(vendorOrder({ status }), held, later(1)).changed).toBe(false);
  });

  it('funds events about a card order or for another vendor change nothing', () => {
    expect(fundsReserved(order({ status: 'PENDING' }), held, later(1)).changed).toBe(false);
    expect(fundsReserved(vendorOrder(), { ...held, vendorId: 'someone-else' }, later(1))).toEqual({ changed: false, reason: expect.stringContaining('belongs to vendor') });
    expect(fundsRejected(vendorOrder(), { vendorId: 'someone-else', code: 'INSUFFICIENT_FUNDS', reason: 'x' }, later(1)).changed).toBe(false);
    expect(fundsSettled(vendorOrder({ status: 'COMPLETED', fundsSettlement: 'CAPTURE' }), { vendorId: 'x', settlement: 'CAPTURE' }, later(1)).changed).toBe(false);
  });

  it.each(['INSUFFICIENT_FUNDS', 'CREDIT_LIMIT_EXCEEDED', 'VENDOR_SUSPENDED'])('funds-rejected %s: PENDING -> REJECTED with the code as failure reason', (code) => {
    const t = changed(fundsRejected(vendorOrder(), { vendorId: VENDOR, code, reason: 'no' }, later(1)));
    expect(t.order.status).toBe('REJECTED');
    expect(t.order.failureReason).toBe(code);
    expect(t.order.fundsSettlement).toBeNull();
    expect(t.effects).toEqual([{ type: 'OrderFailed', reason: `${code}: no` }]);
    expect(fundsRejected(t.order, { vendorId: VENDOR, code, reason: 'no' }, later(2)).changed).toBe(false);
  });

  it.each(['PROVISIONING', 'COMPLETED', 'FAILED', 'REJECTED'] as const)('funds-rejected on %s changes nothing', (status) => {
    expect(fundsRejected(vendorOrder({ status }), { vendorId: VENDOR, code: 'INSUFFICIENT_FUNDS', reason: 'no' }, later(1))).toEqual({
      changed: false,
      reason: `billing.funds-rejected ignored: order is ${status}`,
    });
  });

  it('funds-captured / released confirm what was asked, once, without changing the status', () => {
    const completed = vendorOrder({ status: 'COMPLETED', fundsSettlement: 'CAPTURE' });
    const t = changed(fundsSettled(completed, { vendorId: VENDOR, settlement: 'CAPTURE' }, later(3)));
    expect(t.order.status).toBe('COMPLETED');
    expect(t.order.fundsSettledAt).toEqual(later(3));
    expect(t.effects).toEqual([]);
    expect(fundsSettled(t.order, { vendorId: VENDOR, settlement: 'CAPTURE' }, later(4)).changed).toBe(false);
    // The other kind, or nothing asked: no change.
    expect(fundsSettled(completed, { vendorId: VENDOR, settlement: 'RELEASE' }, later(3)).changed).toBe(false);
    expect(fundsSettled(vendorOrder({ status: 'PROVISIONING' }), { vendorId: VENDOR, settlement: 'CAPTURE' }, later(3)).changed).toBe(false);
    const failed = vendorOrder({ status: 'FAILED', fundsSettlement: 'RELEASE' });
    expect(changed(fundsSettled(failed, { vendorId: VENDOR, settlement: 'RELEASE' }, later(3))).order.fundsSettledAt).toEqual(later(3));
  });

  it('payment events never touch vendor orders', () => {
    expect(paymentMismatched(vendorOrder(), { received: { amount: 1, currency: 'USD' } }, later(1)).changed).toBe(false);
    expect(paymentRefunded(vendorOrder({ status: 'FAILED' }), later(1)).changed).toBe(false);
  });
});

describe('B2B reconciliation', () => {
  const opts = { now: later(11 * 60_000), stuckAfterMs: 10 * 60_000 };
  const vendorOrder = (overrides: Partial<Order> = {}): Order => order({ owner: { type: 'vendor', id: VENDOR }, payment: null, ...overrides }, 'vendor');

  it('re-sends billing.reserve-funds for a PENDING order billing never answered, and restarts its clock', () => {
    const t = changed(redriveStuck(vendorOrder(), opts));
    expect(t.order.status).toBe('PENDING');
    expect(t.effects).toEqual([{ type: 'ReserveFunds' }]);
    expect(redriveStuck(t.order, { ...opts, now: later(12 * 60_000) }).changed).toBe(false);
  });

  it('re-sends an unconfirmed capture (COMPLETED) or release (FAILED, late hold on REJECTED)', () => {
    expect(changed(redriveStuck(vendorOrder({ status: 'COMPLETED', fundsSettlement: 'CAPTURE' }), opts)).effects).toEqual([{ type: 'CaptureFunds' }]);
    expect(changed(redriveStuck(vendorOrder({ status: 'FAILED', fundsSettlement: 'RELEASE', failureReason: 'E: x' }), opts)).effects).toEqual([
      { type: 'ReleaseFunds', reason: 'E: x' },
    ]);
    expect(changed(redriveStuck(vendorOrder({ status: 'REJECTED', fundsSettlement: 'RELEASE', failureReason: 'INSUFFICIENT_FUNDS' }), opts)).effects).toEqual([
      { type: 'ReleaseFunds', reason: 'INSUFFICIENT_FUNDS' },
    ]);
  });

  it('leaves confirmed settlements, plain rejections and fresh orders alone', () => {
    expect(redriveStuck(vendorOrder({ status: 'COMPLETED', fundsSettlement: 'CAPTURE', fundsSettledAt: later(1) }), opts).changed).toBe(false);
    expect(redriveStuck(vendorOrder({ status: 'REJECTED', failureReason: 'VENDOR_SUSPENDED' }), opts).changed).toBe(false);
    expect(redriveStuck(vendorOrder({ updatedAt: later(10 * 60_000) }), opts).changed).toBe(false);
    // A customer order is never PENDING in practice; if it were, billing is not asked.
    expect(redriveStuck(order({ status: 'PENDING' }), opts).changed).toBe(false);
  });
});

describe('admin refunds of COMPLETED orders', () => {
  const vendorOrder = (overrides: Partial<Order> = {}): Order => order({ owner: { type: 'vendor', id: VENDOR }, payment: null, ...overrides }, 'vendor');
  const captured = { status: 'COMPLETED' as const, fundsSettlement: 'CAPTURE' as const, fundsSettledAt: later(1) };
  const ask = { reason: 'customer complaint', requestedBy: 'admin:42' };
  const refused = (fn: () => unknown): OrderError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof OrderError) return err;
      throw err;
    }
    throw new Error('expected the refund to be refused');
  };

  /** refundRequested, then eSIM Go's answer: REVOKED. */
  const revokedThenRefunded = (o: Order, at: number): Transition => {
    const asked = changed(refundRequested(o, ask, later(at)));
    return bundlesRevoked(asked.order, { outcome: 'REVOKED', forced: false, detail: null }, later(at + 1));
  };

  it('card order: the bundles are revoked first (nothing moves yet), then payment is asked once; payment.refunded makes it REFUNDED', () => {
    const asked = changed(refundRequested(order({ status: 'COMPLETED' }), ask, later(5)));
    expect(asked.order).toMatchObject({ status: 'COMPLETED', refundRequestedAt: null, refundReason: 'refund by admin:42: customer complaint' });
    expect(asked.order.revocation).toEqual({ status: 'PENDING', forced: false, requestedAt: later(5), decidedAt: null });
    expect(asked.effects).toEqual([{ type: 'RevokeBundles', force: false }]);
    expect(refundRequested(asked.order, ask, later(5))).toEqual({ changed: false, reason: 'revocation of the bundles already under way' });

    const t = changed(bundlesRevoked(asked.order, { outcome: 'REVOKED', forced: false, detail: null }, later(6)));
    expect(t.order).toMatchObject({ status: 'COMPLETED', refundRequestedAt: later(6), refundedAt: null, revocation: { status: 'REVOKED', decidedAt: later(6) } });
    expect(t.effects).toEqual([{ type: 'RefundPayment', reason: 'refund by admin:42: customer complaint' }]);
    expect(refundRequested(t.order, ask, later(6))).toEqual({ changed: false, reason: 'refund already under way' });
    expect(bundlesRevoked(t.order, { outcome: 'REVOKED', forced: false, detail: null }, later(6)).changed).toBe(false);

    const done = changed(paymentRefunded(t.order, later(7)));
    expect(done.order).toMatchObject({ status: 'REFUNDED', refundedAt: later(7) });
    expect(done.effects).toEqual([{ type: 'OrderRefunded', reason: 'refund by admin:42: customer complaint' }]);
    expect(refundRequested(done.order, ask, later(8)).changed).toBe(false);
  });

  it('a used bundle (or a failed revocation) refuses the refund unless forced; a forced request refunds whatever eSIM Go answers', () => {
    for (const outcome of ['ALREADY_USED', 'FAILED'] as const) {
      const asked = changed(refundRequested(order({ status: 'COMPLETED' }), ask, later(5)));
      const refusedRefund = changed(bundlesRevoked(asked.order, { outcome, forced: false, detail: 'used' }, later(6)));
      expect(refusedRefund.order).toMatchObject({ status: 'COMPLETED', refundRequestedAt: null, revocation: { status: outcome, forced: false } });
      expect(refusedRefund.effects).toEqual([]);
      expect(refusedRefund.history.reason).toMatch(/refund refused/);

      const forced = changed(refundRequested(refusedRefund.order, { ...ask, force: true }, later(7)));
      expect(forced.order.revocation).toMatchObject({ status: 'PENDING', forced: true });
      expect(forced.order.refundReason).toBe('refund by admin:42: customer complaint (forced)');
      expect(forced.effects).toEqual([{ type: 'RevokeBundles', force: true }]);
      // A late answer to the unforced request is not this one.
      expect(bundlesRevoked(forced.order, { outcome, forced: false, detail: null }, later(8)).changed).toBe(false);
      const refunded = changed(bundlesRevoked(forced.order, { outcome, forced: true, detail: null }, later(8)));
      expect(refunded.order).toMatchObject({ refundRequestedAt: later(8), revocation: { status: outcome, forced: true } });
      expect(refunded.effects).toEqual([{ type: 'RefundPayment', reason: 'refund by admin:42: customer complaint (forced)' }]);
    }
  });

  it('vendor order: asks vendor-billing to credit the captured charge back; its confirmation makes it REFUNDED once', () => {
    const t = changed(revokedThenRefunded(vendorOrder(captured), 5));
    expect(t.order).toMatchObject({ status: 'COMPLETED', refundRequestedAt: later(6) });
    expect(t.effects).toEqual([{ type: 'RefundOrderCharge', reason: 'refund by admin:42: customer complaint' }]);
    // payment events never touch vendor orders
    expect(paymentRefunded(t.order, later(6)).changed).toBe(false);

    const credited = { vendorId: VENDOR, amount: { amount: 998, currency: 'USD' } };
    expect(orderChargeRefunded(t.order, { ...credited, vendorId: 'another-vendor' }, later(6)).changed).toBe(false);
    const done = changed(orderChargeRefunded(t.order, credited, later(7)));
    expect(done.order).toMatchObject({ status: 'REFUNDED', refundedAt: later(7) });
    expect(done.effects).toEqual([{ type: 'OrderRefunded', reason: 'refund by admin:42: customer complaint' }]);
    expect(orderChargeRefunded(done.order, credited, later(8)).changed).toBe(false);
    // A charge refund nobody asked for (the order is COMPLETED with no refund under way) changes nothing.
    expect(orderChargeRefunded(vendorOrder(captured), credited, later(8)).changed).toBe(false);
  });

  it('a vendor order whose capture vendor-billing has not confirmed yet is refused (retry shortly), nothing asked', () => {
    const err = refused(() => refundRequested(vendorOrder({ status: 'COMPLETED', fundsSettlement: 'CAPTURE', fundsSettledAt: null }), ask, later(5)));
    expect(err).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE', status: 409 });
    expect(err.message).toMatch(/not confirmed the charge yet/);
  });

  it.each(['AWAITING_PAYMENT', 'PENDING', 'PROVISIONING', 'REJECTED', 'CANCELLED', 'FAILED'] as const)('a %s order (never charged or not finished) is refused', (status) => {
    expect(refused(() => refundRequested(order({ status }), ask, later(5)))).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE', status: 409 });
    expect(refused(() => refundRequested(vendorOrder({ status }), ask, later(5)))).toMatchObject({ code: 'ORDER_NOT_REFUNDABLE', status: 409 });
  });

  it('a FAILED card order already being refunded by the saga answers "under way" instead of refusing', () => {
    expect(refundRequested(order({ status: 'FAILED', refundRequestedAt: T0 }), ask, later(5))).toEqual({ changed: false, reason: 'refund already under way' });
  });

  it('reconciliation re-sends a revocation or a refund still under way to the right service', () => {
    const opts = { now: later(11 * 60_000), stuckAfterMs: 10 * 60_000 };
    const revoking = changed(refundRequested(order({ status: 'COMPLETED' }), { ...ask, force: true }, T0)).order;
    expect(changed(redriveStuck(revoking, opts)).effects).toEqual([{ type: 'RevokeBundles', force: true }]);
    const card = changed(bundlesRevoked(changed(refundRequested(order({ status: 'COMPLETED' }), ask, T0)).order, { outcome: 'REVOKED', forced: false, detail: null }, T0)).order;
    expect(changed(redriveStuck(card, opts)).effects).toEqual([{ type: 'RefundPayment', reason: 'refund by admin:42: customer complaint' }]);
    const vendor = changed(revokedThenRefunded(vendorOrder(captured), 0)).order;
    expect(changed(redriveStuck(vendor, opts)).effects).toEqual([{ type: 'RefundOrderCharge', reason: 'refund by admin:42: customer complaint' }]);
    expect(redriveStuck({ ...vendor, refundedAt: later(2), status: 'REFUNDED' }, opts).changed).toBe(false);
  });
});
