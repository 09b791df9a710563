/**
 * payment.cancel-payment.v1: cancel an unpaid payment's PaymentIntent (idempotency key `pi-cancel:<referenceId>`).
 * A paid intent cannot be cancelled: Stripe says so and we act on the intent's real state instead (announcing
 * the success, so the owner refunds). payment.canceled.v1 is emitted once: the transition is guarded, and the
 * payment_intent.canceled event that follows finds the payment CANCELED already.
 */
import type { Logger } from '@ttelgo/observability';
import type { PaymentProvider } from './payment-provider.port';
import type { PaymentTransitions } from './payment.transitions';
import type { PaymentRepository, Tx } from '../infrastructure/payment.repository';

export type CancelOutcome = 'canceled' | 'not-found' | 'not-pending' | 'paid-meanwhile' | 'unchanged';

export class CancelPaymentUseCase {
  constructor(
    private readonly deps: { payments: PaymentRepository; provider: PaymentProvider; transitions: PaymentTransitions; logger: Logger },
  ) {}

  async execute(cmd: { referenceId: string; reason: string }, tx: Tx): Promise<CancelOutcome> {
    const { payments, provider, transitions, logger } = this.deps;
    const payment = await payments.lockByReference(tx, cmd.referenceId);
    if (!payment) {
      // Nothing was ever created for it (the intent creation failed before the row existed): nothing to cancel.
      logger.warn({ referenceId: cmd.referenceId }, 'cancel for an unknown payment; nothing to do');
      return 'not-found';
    }
    if (payment.status !== 'PENDING') return 'not-pending';
    if (!payment.paymentIntentId) {
      await transitions.cancelWithoutIntent(tx, payment);
      return 'canceled';
    }
    const pi = await provider.cancelPaymentIntent(payment.paymentIntentId, payment.referenceId);
    const decision = await transitions.applyPaymentIntent(tx, payment, pi);
    logger.info({ referenceId: payment.referenceId, paymentIntentId: pi.id, piStatus: pi.status, decision: decision.kind }, 'cancel requested');
    if (decision.kind === 'canceled') return 'canceled';
    if (decision.kind === 'succeeded' || decision.kind === 'mismatched') return 'paid-meanwhile';
    return 'unchanged';
  }
}
