import type { DataOf, PaymentRefundedV1 } from '@ttelgo/contracts';
import { paymentRefunded } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** payment.refunded.v1: a FAILED card order is REFUNDED + order.refunded.v1 (the buyer is told). */
export class OnPaymentRefundedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof PaymentRefundedV1>, meta: { messageId: string }): Promise<void> {
    if (event.purpose !== 'B2C_ORDER') return;
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.referenceId, (order) => paymentRefunded(order, now), {
      cause: 'payment.refunded.v1',
      causationId: meta.messageId,
    });
  }
}
