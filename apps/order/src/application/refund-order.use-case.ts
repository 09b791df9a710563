import type { DataOf, OrderView, RefundOrderV1 } from '@ttelgo/contracts';
import { orderNotFound } from '../domain/order.errors';
import { refundRequested } from '../domain/order.state-machine';
import type { OrderRepository } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';
import { toOrderView } from './order.view';

/**
 * order.refund-order.v1 (admin): ask for the money of a COMPLETED order back, in the order's own transaction
 * (row lock, history, and payment.refund-payment.v1 or billing.refund-order-charge.v1 in the outbox). Answers the
 * order as it is after the request: refund PENDING, or SUCCEEDED when it was already done.
 */
export class RefundOrderUseCase {
  constructor(private readonly deps: { repository: OrderRepository; transitions: OrderTransitions; now?: () => Date }) {}

  async execute(req: DataOf<typeof RefundOrderV1>, meta: { messageId: string }): Promise<OrderView> {
    const now = this.deps.now?.() ?? new Date();
    const applied = await this.deps.transitions.applyInOwnTransaction(
      req.orderId,
      (order) => refundRequested(order, { reason: req.reason, requestedBy: req.requestedBy }, now),
      { cause: 'order.refund-order.v1', causationId: meta.messageId },
    );
    if (!applied.found) throw orderNotFound(req.orderId);
    return toOrderView(applied.transition.changed ? applied.transition.order : applied.before);
  }
}
