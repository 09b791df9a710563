/**
 * The order saga's state machine: pure functions from (order, what happened) to either the changed order, its
 * history entry and the messages to emit, or "unchanged" with the reason. A repeated or out-of-order message
 * always lands on "unchanged", so handlers can apply whatever arrives without further checks.
 *
 * B2C:  AWAITING_PAYMENT --payment succeeded--> PROVISIONING --eSIMs provisioned--> COMPLETED
 *                        --payment canceled / unpaid too long--> CANCELLED (a late payment is refunded)
 *                        --amount mismatch--> FAILED (refund)
 *       PROVISIONING --provisioning failed--> FAILED (refund) --payment refunded--> REFUNDED
 * B2B:  PENDING --funds reserved--> PROVISIONING --eSIMs provisioned--> COMPLETED (hold captured)
 *       PENDING --funds rejected--> REJECTED (a hold that still arrives later is released)
 *       PROVISIONING --provisioning failed--> FAILED (hold released)
 *       (a vendor suspended at placement: created REJECTED, no hold asked for; see newOrder)
 *       capture/release confirmed by vendor-billing -> fundsSettledAt (the reconcile job re-sends until then)
 * Admin refund of a COMPLETED order (refundRequested): the status stays COMPLETED while the money goes back,
 *       first the bundles are revoked at eSIM Go (revocation PENDING --esim.bundles-revoked--> REVOKED, ALREADY_USED
 *       or FAILED); the money moves after REVOKED, or after anything when the admin forced it; otherwise the refund
 *       is refused (the order stays COMPLETED, and a forced request may follow),
 *       B2C: payment refunds the card --payment refunded--> REFUNDED
 *       B2B: vendor-billing credits the charge back (only once its capture is confirmed) --charge refunded--> REFUNDED
 * A command that is not allowed in the order's state (a refund of an unpaid order) throws a coded OrderError;
 * a message that arrives in the wrong state is "unchanged".
 */
import { formatMoney, sameMoney, type Money } from './money';
import { orderNotRefundable } from './order.errors';
import { isFundsSettlementUnderWay, isRefundUnderWay, saleChannel, type EsimInstall, type HistoryEntry, type Order, type OrderStatus, type PaymentIntentRef } from './order';

/** Messages a transition asks the application to send (through the outbox, in the same transaction). */
export type OrderEffect =
  | { type: 'ProvisionEsims' }
  | { type: 'RefundPayment'; reason: string }
  | { type: 'CancelPayment'; reason: string }
  | { type: 'OrderCompleted' }
  | { type: 'OrderFailed'; reason: string }
  | { type: 'OrderRefunded'; reason: string }
  | { type: 'ReserveFunds' }
  | { type: 'CaptureFunds' }
  | { type: 'ReleaseFunds'; reason: string }
  | { type: 'RefundOrderCharge'; reason: string }
  | { type: 'RevokeBundles'; force: boolean }
  | { type: 'OrderCancelled'; reason: string };

export type Transition =
  | { changed: true; order: Order; history: HistoryEntry; effects: OrderEffect[] }
  | { changed: false; reason: string };

type Patch = Partial<Omit<Order, 'id' | 'owner' | 'version' | 'updatedAt' | 'createdAt'>>;

export function change(order: Order, now: Date, to: OrderStatus, reason: string, patch: Patch, effects: OrderEffect[]): Transition {
  return {
    changed: true,
    order: { ...order, ...patch, status: to, updatedAt: now, version: order.version + 1 },
    history: { from: order.status, to, reason },
    effects,
  };
}

export const unchanged = (reason: string): Transition => ({ changed: false, reason });
const ignored = (order: Order, what: string): Transition => unchanged(`${what} ignored: order is ${order.status}`);

/** Asks for a refund of a payment that arrived on an order that can no longer use it; once per order. */
function refundLatePayment(order: Order, now: Date, reason: string): Transition {
  if (order.refundRequestedAt !== null) return unchanged(`refund already requested for ${order.status} order`);
  return change(order, now, order.status, reason, { refundRequestedAt: now }, [{ type: 'RefundPayment', reason }]);
}

/** payment.create-payment-intent.v1 answered: remember the intent so the buyer can pay (and a retry returns it). */
export function paymentIntentCreated(order: Order, intent: PaymentIntentRef, now: Date): Transition {
  if (order.payment !== null) return unchanged('payment intent already stored');
  if (order.status === 'AWAITING_PAYMENT') {
    return change(order, now, order.status, `payment intent ${intent.paymentIntentId} created`, { payment: intent }, []);
  }
  if (order.status === 'CANCELLED') {
    // The order expired while the intent was being created: the cancel command may have reached payment
    // before the intent existed, so cancel again now that it does.
    const reason = 'order expired before its payment intent was stored';
    return change(order, now, order.status, `payment intent ${intent.paymentIntentId} created after expiry`, { payment: intent }, [
      { type: 'CancelPayment', reason },
    ]);
  }
  return ignored(order, 'payment intent');
}

export function paymentSucceeded(order: Order, payment: { paymentIntentId: string; amount: Money }, now: Date): Transition {
  if (saleChannel(order) !== 'B2C') return unchanged('payment.succeeded ignored: not a card order');
  switch (order.status) {
    case 'AWAITING_PAYMENT': {
      // Payment already compares the amount with the intent; this guards against an intent or event for the
      // wrong amount all the same (defence in depth): never provision what was not paid in full.
      if (!sameMoney(payment.amount, order.total)) {
        const reason = `PAYMENT_AMOUNT_MISMATCH: paid ${formatMoney(payment.amount)}, order total ${formatMoney(order.total)}`;
        return change(order, now, 'FAILED', reason, { failureReason: reason, paidAt: now, refundRequestedAt: now }, [
          { type: 'RefundPayment', reason },
          { type: 'OrderFailed', reason },
        ]);
      }
      return change(order, now, 'PROVISIONING', `payment ${payment.paymentIntentId} succeeded`, { paidAt: now }, [{ type: 'ProvisionEsims' }]);
    }
    case 'CANCELLED':
      return refundLatePayment(order, now, 'payment arrived after the order was cancelled');
    default:
      return ignored(order, 'payment.succeeded');
  }
}

/** A declined attempt: the buyer may try again on the same intent, so only the history records it. */
export function paymentFailed(order: Order, failure: { reason: string }, now: Date): Transition {
  if (order.status !== 'AWAITING_PAYMENT') return ignored(order, 'payment.failed');
  return change(order, now, order.status, `payment attempt failed: ${failure.reason}`, {}, []);
}

/** The intent was cancelled (by our expiry, or at Stripe): nothing can be paid any more. */
export function paymentCanceled(order: Order, now: Date): Transition {
  if (order.status !== 'AWAITING_PAYMENT') return ignored(order, 'payment.canceled');
  const reason = 'payment intent cancelled';
  return change(order, now, 'CANCELLED', reason, { failureReason: reason }, []);
}

/** Payment saw a different amount or currency than the intent's: never provision, refund. */
export function paymentMismatched(order: Order, mismatch: { received: Money }, now: Date): Transition {
  if (saleChannel(order) !== 'B2C') return unchanged('payment.mismatched ignored: not a card order');
  const reason = `PAYMENT_AMOUNT_MISMATCH: paid ${formatMoney(mismatch.received)}, order total ${formatMoney(order.total)}`;
  switch (order.status) {
    case 'AWAITING_PAYMENT':
      return change(order, now, 'FAILED', reason, { failureReason: reason, paidAt: now, refundRequestedAt: now }, [
        { type: 'RefundPayment', reason },
        { type: 'OrderFailed', reason },
      ]);
    case 'CANCELLED':
      return refundLatePayment(order, now, `payment arrived after the order was cancelled; ${reason}`);
    default:
      return ignored(order, 'payment.mismatched');
  }
}

export function paymentRefunded(order: Order, now: Date): Transition {
  if (saleChannel(order) !== 'B2C') return unchanged('payment.refunded ignored: not a card order');
  switch (order.status) {
    case 'FAILED': {
      const reason = order.failureReason ?? 'order failed';
      return change(order, now, 'REFUNDED', 'payment refunded', { refundedAt: now }, [{ type: 'OrderRefunded', reason }]);
    }
    case 'CANCELLED':
      // A late payment of an expired order went back: the order stays CANCELLED, the refund is done.
      if (!isRefundUnderWay(order)) return unchanged('payment.refunded ignored: no refund under way for this CANCELLED order');
      return change(order, now, 'CANCELLED', 'late payment refunded', { refundedAt: now }, []);
    case 'COMPLETED': {
      // Our admin refund (refundRequested) confirmed, or one made outside the saga (at Stripe's dashboard):
      // either way the money is back with the buyer, so say so.
      const reason = order.refundReason ?? 'payment refunded after completion';
      return change(order, now, 'REFUNDED', `payment refunded: ${reason}`, { refundedAt: now }, [{ type: 'OrderRefunded', reason }]);
    }
    default:
      return ignored(order, 'payment.refunded');
  }
}

export function esimsProvisioned(order: Order, result: { esims: EsimInstall[] }, now: Date): Transition {
  if (order.status !== 'PROVISIONING') return ignored(order, 'esim.provisioned');
  if (result.esims.length === 0) return unchanged('esim.provisioned ignored: no eSIMs in it');
  const reason = `${result.esims.length} eSIM(s) provisioned`;
  if (saleChannel(order) === 'B2B') {
    return change(order, now, 'COMPLETED', reason, { esims: result.esims, fundsSettlement: 'CAPTURE' }, [{ type: 'CaptureFunds' }, { type: 'OrderCompleted' }]);
  }
  return change(order, now, 'COMPLETED', reason, { esims: result.esims }, [{ type: 'OrderCompleted' }]);
}

export function esimProvisioningFailed(order: Order, failure: { code: string; reason: string }, now: Date): Transition {
  if (order.status !== 'PROVISIONING') return ignored(order, 'esim.provisioning-failed');
  const reason = `${failure.code}: ${failure.reason}`;
  if (saleChannel(order) === 'B2C') {
    return change(order, now, 'FAILED', `provisioning failed: ${reason}`, { failureReason: reason, refundRequestedAt: now }, [
      { type: 'RefundPayment', reason },
      { type: 'OrderFailed', reason },
    ]);
  }
  // B2B: nothing was charged yet, only held: give the hold back (no card refund).
  return change(order, now, 'FAILED', `provisioning failed: ${reason}`, { failureReason: reason, fundsSettlement: 'RELEASE' }, [
    { type: 'ReleaseFunds', reason },
    { type: 'OrderFailed', reason },
  ]);
}

/** Funds events are about one vendor's order; anything else (a B2C order, another vendor) is not ours to apply. */
function notThisVendorsOrder(order: Order, vendorId: string, what: string): Transition | null {
  if (saleChannel(order) !== 'B2B') return unchanged(`${what} ignored: not a vendor order`);
  if (order.owner.id !== vendorId) return unchanged(`${what} ignored: the order belongs to vendor ${order.owner.id}, not ${vendorId}`);
  return null;
}

/** billing.funds-reserved.v1: the price is held, so provisioning may start. */
export function fundsReserved(order: Order, hold: { vendorId: string; amount: Money }, now: Date): Transition {
  const foreign = notThisVendorsOrder(order, hold.vendorId, 'billing.funds-reserved');
  if (foreign) return foreign;
  switch (order.status) {
    case 'PENDING': {
      if (!sameMoney(hold.amount, order.total)) {
        // vendor-billing holds what we asked for; a different amount is a bug somewhere. Never provision what is
        // not held in full (defence in depth): refuse the order and give the hold back.
        const reason = `FUNDS_AMOUNT_MISMATCH: held ${formatMoney(hold.amount)}, order total ${formatMoney(order.total)}`;
        return change(order, now, 'REJECTED', reason, { failureReason: reason, fundsSettlement: 'RELEASE' }, [
          { type: 'ReleaseFunds', reason },
          { type: 'OrderFailed', reason },
        ]);
      }
      return change(order, now, 'PROVISIONING', `funds reserved: ${formatMoney(hold.amount)}`, {}, [{ type: 'ProvisionEsims' }]);
    }
    case 'REJECTED': {
      // A hold that arrives after the order was refused (a re-sent reserve that found funds this time): the
      // order stays REJECTED and the hold goes back, once.
      if (order.fundsSettlement !== null) return unchanged('billing.funds-reserved ignored: the late hold is already being released');
      const reason = `order already ${order.status}${order.failureReason ? ` (${order.failureReason})` : ''}`;
      return change(order, now, 'REJECTED', 'funds reserved after rejection: hold released', { fundsSettlement: 'RELEASE' }, [{ type: 'ReleaseFunds', reason }]);
    }
    default:
      return ignored(order, 'billing.funds-reserved');
  }
}

/** billing.funds-rejected.v1: no hold (no funds, over the credit limit, vendor suspended ...): REJECTED with the code. */
export function fundsRejected(order: Order, rejection: { vendorId: string; code: string; reason: string }, now: Date): Transition {
  const foreign = notThisVendorsOrder(order, rejection.vendorId, 'billing.funds-rejected');
  if (foreign) return foreign;
  if (order.status !== 'PENDING') return ignored(order, 'billing.funds-rejected');
  return change(order, now, 'REJECTED', `funds rejected: ${rejection.code}: ${rejection.reason}`, { failureReason: rejection.code }, [
    { type: 'OrderFailed', reason: `${rejection.code}: ${rejection.reason}` },
  ]);
}

/** billing.funds-captured.v1 / funds-released.v1: the capture or release we asked for is done; stop re-sending it. */
export function fundsSettled(order: Order, settled: { vendorId: string; settlement: 'CAPTURE' | 'RELEASE' }, now: Date): Transition {
  const what = settled.settlement === 'CAPTURE' ? 'billing.funds-captured' : 'billing.funds-released';
  const foreign = notThisVendorsOrder(order, settled.vendorId, what);
  if (foreign) return foreign;
  if (order.fundsSettlement !== settled.settlement) {
    return unchanged(`${what} ignored: ${order.fundsSettlement === null ? 'nothing was asked' : `${order.fundsSettlement} was asked`} for this ${order.status} order`);
  }
  if (order.fundsSettledAt !== null) return unchanged(`${what} ignored: already confirmed`);
  const reason = settled.settlement === 'CAPTURE' ? 'funds captured' : 'funds released';
  return change(order, now, order.status, reason, { fundsSettledAt: now }, []);
}

/**
 * An admin refunds a COMPLETED order in full. The order stays COMPLETED (with the refund under way) until payment
 * (card) or vendor-billing (the vendor's charge) confirms; then it is REFUNDED. Asking again while under way or
 * after it is done changes nothing (the caller shows the refund as it is). Anything else is refused: an order
 * that was never charged (REJECTED, CANCELLED, B2B FAILED), one still in flight, or a vendor order whose capture
 * vendor-billing has not confirmed yet (nothing to give back until then; asking again shortly works).
 */
/** The money of an admin refund: the card (B2C) or the vendor's charge (B2B). */
function moneyBack(order: Order, reason: string): OrderEffect {
  return saleChannel(order) === 'B2C' ? { type: 'RefundPayment', reason } : { type: 'RefundOrderCharge', reason };
}

/**
 * order.refund-order.v1 (admin): a COMPLETED order's bundles are asked back from eSIM Go first (the money moves on
 * esim.bundles-revoked.v1). A request while one is under way, or after the refund, changes nothing; after a refused
 * one (a used bundle, a failed revocation) a new request may ask again, typically with `force`.
 */
export function refundRequested(order: Order, request: { reason: string; requestedBy: string; force?: boolean }, now: Date): Transition {
  if (order.refundRequestedAt !== null) {
    return unchanged(order.refundedAt === null ? 'refund already under way' : `refund already done (order ${order.status})`);
  }
  if (order.revocation?.status === 'PENDING') return unchanged('revocation of the bundles already under way');
  if (order.status !== 'COMPLETED') {
    throw orderNotRefundable(`order ${order.id} is ${order.status}: only a COMPLETED order can be refunded`);
  }
  if (saleChannel(order) === 'B2B' && (order.fundsSettlement !== 'CAPTURE' || order.fundsSettledAt === null)) {
    throw orderNotRefundable(`order ${order.id}: vendor-billing has not confirmed the charge yet; retry in a few seconds`);
  }
  const force = request.force === true;
  const reason = `refund by ${request.requestedBy}: ${request.reason}${force ? ' (forced)' : ''}`;
  return change(
    order,
    now,
    'COMPLETED',
    `${reason} (revocation of the bundles at eSIM Go requested)`,
    // An admin refund ends REFUNDED even after a refused self-service cancellation.
    { refundReason: reason, cancelRequestedAt: null, revocation: { status: 'PENDING', forced: force, requestedAt: now, decidedAt: null } },
    [{ type: 'RevokeBundles', force }],
  );
}

/**
 * esim.bundles-revoked.v1: eSIM Go's answer to the revocation of an admin refund. REVOKED, or anything when forced:
 * the money goes back (payment or vendor-billing). ALREADY_USED or FAILED without force: the refund is refused
 * and nothing moves. Only the answer to the pending request counts (same `forced`).
 */
export function bundlesRevoked(order: Order, result: { outcome: 'REVOKED' | 'ALREADY_USED' | 'FAILED'; forced: boolean; detail: string | null }, now: Date): Transition {
  const pending = order.revocation;
  if (order.status !== 'COMPLETED' || pending?.status !== 'PENDING') return ignored(order, 'esim.bundles-revoked');
  if (pending.forced !== result.forced) return unchanged('esim.bundles-revoked ignored: the answer to another request');
  const revocation = { ...pending, status: result.outcome, decidedAt: now };
  const detail = result.detail ? ` (${result.detail})` : '';
  if (result.outcome === 'REVOKED' || pending.forced) {
    const reason = order.refundReason ?? 'order refunded';
    const what = saleChannel(order) === 'B2C' ? 'card refund requested' : 'charge credited back requested';
    return change(order, now, 'COMPLETED', `bundles ${result.outcome} at eSIM Go${detail}; ${what}`, { revocation, refundRequestedAt: now }, [moneyBack(order, reason)]);
  }
  if (order.cancelRequestedAt !== null) {
    const why = result.outcome === 'ALREADY_USED' ? 'a bundle was already used or has expired' : 'eSIM Go could not revoke the bundles';
    return change(order, now, 'COMPLETED', `cancellation refused: ${why}${detail}`, { revocation }, []);
  }
  const why = result.outcome === 'ALREADY_USED' ? 'a bundle was already used; refund only with force' : 'eSIM Go could not revoke the bundles; refund only with force';
  return change(order, now, 'COMPLETED', `refund refused: ${why}${detail}`, { revocation }, []);
}

/** billing.order-charge-refunded.v1: the vendor has its money back: COMPLETED (refund under way) -> REFUNDED. */
export function orderChargeRefunded(order: Order, refund: { vendorId: string; amount: Money }, now: Date): Transition {
  const foreign = notThisVendorsOrder(order, refund.vendorId, 'billing.order-charge-refunded');
  if (foreign) return foreign;
  if (order.status !== 'COMPLETED' || !isRefundUnderWay(order)) return ignored(order, 'billing.order-charge-refunded');
  const reason = order.refundReason ?? 'order refunded';
  if (order.cancelRequestedAt !== null) {
    // The reseller's own cancellation of an unused order: it ends CANCELLED, and the reseller hears order.cancelled.
    return change(order, now, 'CANCELLED', `cancelled: charge of ${formatMoney(refund.amount)} credited back to the vendor`, { refundedAt: now }, [
      { type: 'OrderCancelled', reason },
    ]);
  }
  return change(order, now, 'REFUNDED', `charge of ${formatMoney(refund.amount)} credited back to the vendor`, { refundedAt: now }, [
    { type: 'OrderRefunded', reason },
  ]);
}

/** The expiry job: an order unpaid for `timeoutMs` is CANCELLED and its intent cancelled at Stripe. */
export function expireUnpaid(order: Order, opts: { now: Date; timeoutMs: number }): Transition {
  if (order.status !== 'AWAITING_PAYMENT') return ignored(order, 'expiry');
  if (opts.now.getTime() - order.createdAt.getTime() < opts.timeoutMs) return unchanged('not expired yet');
  const reason = 'payment not received in time';
  return change(order, opts.now, 'CANCELLED', reason, { failureReason: reason }, [{ type: 'CancelPayment', reason }]);
}

/**
 * The reconciliation job: a step whose answer never came is asked again. Every receiver is idempotent per
 * order (esim-provisioning never buys twice for one order, payment refunds once per reference, vendor-billing
 * holds, captures and releases once per order), so re-sending is safe. updatedAt moves, so the next re-drive
 * waits another `stuckAfterMs`.
 */
export function redriveStuck(order: Order, opts: { now: Date; stuckAfterMs: number }): Transition {
  if (opts.now.getTime() - order.updatedAt.getTime() < opts.stuckAfterMs) return unchanged('not stuck yet');
  if (order.status === 'PROVISIONING') {
    return change(order, opts.now, order.status, 'reconcile: provisioning re-requested', {}, [{ type: 'ProvisionEsims' }]);
  }
  if (order.status === 'PENDING' && saleChannel(order) === 'B2B') {
    return change(order, opts.now, order.status, 'reconcile: funds reservation re-requested', {}, [{ type: 'ReserveFunds' }]);
  }
  if (saleChannel(order) === 'B2B' && isFundsSettlementUnderWay(order)) {
    if (order.fundsSettlement === 'CAPTURE') {
      return change(order, opts.now, order.status, 'reconcile: funds capture re-requested', {}, [{ type: 'CaptureFunds' }]);
    }
    const reason = order.failureReason ?? `order ${order.status}`;
    return change(order, opts.now, order.status, 'reconcile: funds release re-requested', {}, [{ type: 'ReleaseFunds', reason }]);
  }
  if ((order.status === 'FAILED' || order.status === 'CANCELLED') && saleChannel(order) === 'B2C' && isRefundUnderWay(order)) {
    const reason = order.status === 'CANCELLED' ? 'payment arrived after the order was cancelled' : (order.failureReason ?? 'order failed');
    return change(order, opts.now, order.status, 'reconcile: refund re-requested', {}, [{ type: 'RefundPayment', reason }]);
  }
  if (order.status === 'COMPLETED' && isRefundUnderWay(order)) {
    const reason = order.refundReason ?? 'order refunded';
    return change(order, opts.now, order.status, 'reconcile: refund re-requested', {}, [moneyBack(order, reason)]);
  }
  if (order.status === 'COMPLETED' && order.revocation?.status === 'PENDING') {
    return change(order, opts.now, order.status, 'reconcile: revocation of the bundles re-requested', {}, [{ type: 'RevokeBundles', force: order.revocation.forced }]);
  }
  return ignored(order, 'reconcile');
}
