import type { DataOf, PaymentMismatchedV1 } from '@ttelgo/contracts';
import { paymentMismatched } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** payment.mismatched.v1: paid the wrong amount or currency; never provision: FAILED + refund. */
export class OnPaymentMismatchedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof PaymentMismatchedV1>, meta: { messageId: string }): Promise<void> {
    if (event.purpose !== 'B2C_ORDER') return;
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.referenceId, (order) => paymentMismatched(order, { received: event.received }, now), {
      cause: 'payment.mismatched.v1',
      causationId: meta.messageId,
    });
  }
}
