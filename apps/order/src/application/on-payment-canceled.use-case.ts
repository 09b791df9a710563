import type { DataOf, PaymentCanceledV1 } from '@ttelgo/contracts';
import { paymentCanceled } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** payment.canceled.v1: the intent can no longer be paid, so an order still waiting for it is CANCELLED. */
export class OnPaymentCanceledUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof PaymentCanceledV1>, meta: { messageId: string }): Promise<void> {
    if (event.purpose !== 'B2C_ORDER') return;
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.referenceId, (order) => paymentCanceled(order, now), {
      cause: 'payment.canceled.v1',
      causationId: meta.messageId,
    });
  }
}
