import type { DataOf, PaymentSucceededV1 } from '@ttelgo/contracts';
import { paymentSucceeded } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/**
 * payment.succeeded.v1 for a card order: AWAITING_PAYMENT -> PROVISIONING + esim.provision.v1 (when the amount is
 * the order's total; otherwise FAILED + refund). On a CANCELLED order the late payment is refunded. Vendor
 * top-ups (VENDOR_TOPUP) are vendor-billing's business and ignored here.
 */
export class OnPaymentSucceededUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof PaymentSucceededV1>, meta: { messageId: string }): Promise<void> {
    if (event.purpose !== 'B2C_ORDER') return;
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(
      tx,
      event.referenceId,
      (order) => paymentSucceeded(order, { paymentIntentId: event.paymentIntentId, amount: event.amount }, now),
      { cause: 'payment.succeeded.v1', causationId: meta.messageId },
    );
  }
}
