import type { DataOf, OrderChargeRefundedV1 } from '@ttelgo/contracts';
import { orderChargeRefunded } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** billing.order-charge-refunded.v1: a vendor order's admin refund is done: COMPLETED -> REFUNDED + order.refunded.v1. */
export class OnOrderChargeRefundedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof OrderChargeRefundedV1>, meta: { messageId: string }): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.orderId, (order) => orderChargeRefunded(order, { vendorId: event.vendorId, amount: event.amount }, now), {
      cause: 'billing.order-charge-refunded.v1',
      causationId: meta.messageId,
    });
  }
}
