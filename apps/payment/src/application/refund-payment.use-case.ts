/**
 * payment.refund-payment.v1: refund a payment in full, idempotent per reference id. Runs in the inbox
 * transaction with the payment row locked, so two refund commands for one payment are serialised and the
 * second finds it REFUNDED. The Stripe refund carries the idempotency key `refund:<referenceId>`: a retry after
 * an unknown outcome gets the same refund. payment.refunded.v1 is emitted once, when the refund is known to have
 * succeeded (at once, or later on charge.refunded).
 */
import type { Logger } from '@ttelgo/observability';
import { notRefundable, paymentNotFound } from '../domain/payment.errors';
import { SETTLED_STATUSES } from '../domain/payment.state-machine';
import type { PaymentProvider } from './payment-provider.port';
import type { PaymentTransitions } from './payment.transitions';
import type { PaymentRepository, Tx } from '../infrastructure/payment.repository';

export type RefundOutcome = 'refunded' | 'refund-pending' | 'already-refunded' | 'already-pending';

export class RefundPaymentUseCase {
  constructor(
    private readonly deps: { payments: PaymentRepository; provider: PaymentProvider; transitions: PaymentTransitions; logger: Logger },
  ) {}

  async execute(cmd: { referenceId: string; reason: string }, tx: Tx): Promise<RefundOutcome> {
    const { payments, provider, transitions } = this.deps;
    let payment = await payments.lockByReference(tx, cmd.referenceId);
    if (!payment) throw paymentNotFound(cmd.referenceId);
    if (payment.status === 'REFUNDED') return 'already-refunded';
    if (payment.status === 'REFUND_PENDING') return 'already-pending';

    if (!SETTLED_STATUSES.includes(payment.status) && payment.paymentIntentId) {
      // We may hold money we have not heard about yet (the success event is still on its way): ask Stripe.
      const pi = await provider.retrievePaymentIntent(payment.paymentIntentId);
      const decision = await transitions.applyPaymentIntent(tx, payment, pi);
      if (decision.kind !== 'none') payment = (await payments.lockByReference(tx, cmd.referenceId))!;
    }
    const intent = payment.settledPaymentIntentId;
    if (!SETTLED_STATUSES.includes(payment.status) || !intent) throw notRefundable(cmd.referenceId, payment.status);

    const refund = await provider.refundPaymentIntent(intent, payment.referenceId, cmd.reason);
    const decision = await transitions.applyRefund(tx, payment, refund, cmd.reason);
    this.deps.logger.info({ referenceId: payment.referenceId, refundId: refund.id, refundStatus: refund.status, decision: decision.kind }, 'refund requested');
    return decision.kind === 'refunded' ? 'refunded' : 'refund-pending';
  }
}
