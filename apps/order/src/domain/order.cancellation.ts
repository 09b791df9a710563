/**
 * Self-service cancellation of an unused vendor order, with eSIM Go's revoke-with-refund-to-balance rules:
 *
 *   COMPLETED (charge captured, bought within the refund window)
 *     --cancel--> revocation PENDING (esim.revoke-bundles.v1, never forced)
 *     --bundles REVOKED--> charge credited back (billing.refund-order-charge.v1) --charge refunded--> CANCELLED
 *     --ALREADY_USED / FAILED--> stays COMPLETED; the cancellation is refused (bundlesRevoked)
 *
 * eSIM Go refunds an assignment only while it has not started and no data was used, and only within its refund
 * period (typically 60 days from purchase): a bundle outside that window is refused here, before eSIM Go is asked.
 * Asking again while one is under way, or after the order is CANCELLED, changes nothing (idempotent).
 */
import { notCancellable } from './order.errors';
import { saleChannel, type Order } from './order';
import { change, unchanged, type Transition } from './order.state-machine';

const DAY_MS = 86_400_000;

export function cancellationRequested(order: Order, request: { requestedBy: string; refundWindowMs: number }, now: Date): Transition {
  if (order.cancelRequestedAt !== null) {
    if (order.status === 'CANCELLED') return unchanged('order already cancelled');
    if (order.revocation?.status === 'PENDING' || order.refundRequestedAt !== null) return unchanged('cancellation already under way');
    if (order.revocation?.status === 'ALREADY_USED') throw notCancellable(`order ${order.id}: a bundle was already used or has expired at eSIM Go`);
    // FAILED: eSIM Go could not be asked; asking again tries again.
  }
  if (saleChannel(order) !== 'B2B') throw notCancellable(`order ${order.id} is not a reseller order`);
  if (order.status !== 'COMPLETED') throw notCancellable(`order ${order.id} is ${order.status}: only a COMPLETED order can be cancelled`);
  if (order.refundRequestedAt !== null || order.revocation?.status === 'PENDING') throw notCancellable(`order ${order.id} is already being refunded`);
  if (order.fundsSettlement !== 'CAPTURE' || order.fundsSettledAt === null) {
    throw notCancellable(`order ${order.id}: vendor-billing has not confirmed the charge yet; retry in a few seconds`);
  }
  if (now.getTime() - order.createdAt.getTime() > request.refundWindowMs) {
    throw notCancellable(`order ${order.id} was bought more than ${Math.round(request.refundWindowMs / DAY_MS)} days ago: outside eSIM Go's refund window`);
  }
  const reason = `cancelled by ${request.requestedBy}: unused`;
  return change(
    order,
    now,
    'COMPLETED',
    `${reason} (revocation of the bundles at eSIM Go requested)`,
    { refundReason: reason, cancelRequestedAt: now, revocation: { status: 'PENDING', forced: false, requestedAt: now, decidedAt: null } },
    [{ type: 'RevokeBundles', force: false }],
  );
}
