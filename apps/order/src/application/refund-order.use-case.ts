import type { DataOf, OrderView, RefundOrderV1 } from '@ttelgo/contracts';
import { orderNotFound } from '../domain/order.errors';
import { refundRequested } from '../domain/order.state-machine';
import type { OrderRepository } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';
import { toOrderView } from './order.view';

/**
 * order.refund-order.v1 (admin): ask for a COMPLETED order's bundles back from eSIM Go, then its money, in the
 * order's own transaction (row lock, history, and esim.revoke-bundles.v1 in the outbox; the money follows on
 * esim.bundles-revoked.v1). Answers the order as it is after the request: revocation PENDING, or the refund as it is.
 */
export class RefundOrderUseCase {
  constructor(private readonly deps: { repository: OrderRepository; transitions: OrderTransitions; now?: () => Date }) {}

  async execute(req: DataOf<typeof RefundOrderV1>, meta: { messageId: string }): Promise<OrderView> {
    const now = this.deps.now?.() ?? new Date();
    const applied = await this.deps.transitions.applyInOwnTransaction(
      req.orderId,
      (order) => refundRequested(order, { reason: req.reason, requestedBy: req.requestedBy, ...(req.force === undefined ? {} : { force: req.force }) }, now),
      { cause: 'order.refund-order.v1', causationId: meta.messageId },
    );
    if (!applied.found) throw orderNotFound(req.orderId);
    return toOrderView(applied.transition.changed ? applied.transition.order : applied.before);
  }
}
