import type { DataOf, PaymentFailedV1 } from '@ttelgo/contracts';
import { paymentFailed } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** payment.failed.v1: a declined attempt; the buyer may retry on the same intent, so only the history records it. */
export class OnPaymentFailedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof PaymentFailedV1>, meta: { messageId: string }): Promise<void> {
    if (event.purpose !== 'B2C_ORDER') return;
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.referenceId, (order) => paymentFailed(order, { reason: event.reason }, now), {
      cause: 'payment.failed.v1',
      causationId: meta.messageId,
    });
  }
}
