import type { DataOf, CancelOrderV1, OrderView } from '@ttelgo/contracts';
import { cancellationRequested } from '../domain/order.cancellation';
import { orderNotFound } from '../domain/order.errors';
import type { OrderTransitions } from './order.transitions';
import { toOrderView } from './order.view';

/**
 * order.cancel-order.v1 (reseller): ask for an unused order's bundles back from eSIM Go, in the order's own
 * transaction (row lock, history, esim.revoke-bundles.v1 in the outbox); the charge follows on esim.bundles-revoked.v1
 * and the order becomes CANCELLED on billing.order-charge-refunded.v1. Another owner's order is ORDER_NOT_FOUND.
 */
export class CancelOrderUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; refundWindowMs: number; now?: () => Date }) {}

  async execute(req: DataOf<typeof CancelOrderV1>, meta: { messageId: string }): Promise<OrderView> {
    const now = this.deps.now?.() ?? new Date();
    let foreign = false;
    const applied = await this.deps.transitions.applyInOwnTransaction(
      req.orderId,
      (order) => {
        if (order.owner.type !== req.owner.type || order.owner.id !== req.owner.id) {
          foreign = true;
          return { changed: false, reason: 'cancellation asked by another owner' };
        }
        return cancellationRequested(order, { requestedBy: `${req.owner.type}:${req.owner.id}`, refundWindowMs: this.deps.refundWindowMs }, now);
      },
      { cause: 'order.cancel-order.v1', causationId: meta.messageId },
    );
    if (!applied.found || foreign) throw orderNotFound(req.orderId);
    return toOrderView(applied.transition.changed ? applied.transition.order : applied.before);
  }
}
