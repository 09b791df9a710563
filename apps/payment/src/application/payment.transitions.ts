/**
 * Applies what Stripe reports to a locked payment: asks the domain what changes, writes the change and the
 * outgoing event (outbox) in the caller's transaction. Shared by the event processor and the command use cases,
 * so a state reached through a webhook or through our own call is announced exactly once.
 */
import {
  PaymentCanceledV1,
  PaymentFailedV1,
  PaymentMismatchedV1,
  PaymentRefundedV1,
  PaymentSucceededV1,
} from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { ChargeSnapshot, Payment, PaymentIntentSnapshot, RefundSnapshot } from '../domain/payment';
import {
  assertTransition,
  decideOnCharge,
  decideOnPaymentIntent,
  decideOnRefund,
  type PaymentIntentDecision,
  type RefundDecision,
} from '../domain/payment.state-machine';
import type { PaymentRepository, Tx } from '../infrastructure/payment.repository';

export interface TransitionDeps {
  payments: PaymentRepository;
  producer: string;
  logger: Logger;
}

export class PaymentTransitions {
  constructor(private readonly deps: TransitionDeps) {}

  private base<I extends string | null>(payment: Payment, paymentIntentId: I) {
    return {
      purpose: payment.purpose,
      referenceId: payment.referenceId,
      paymentIntentId,
      amount: payment.amount,
      occurredAt: new Date().toISOString(),
    };
  }

  async applyPaymentIntent(tx: Tx, payment: Payment, pi: PaymentIntentSnapshot): Promise<PaymentIntentDecision> {
    const decision = decideOnPaymentIntent(payment, pi);
    const { payments, producer } = this.deps;
    const now = new Date();
    const ours = payment.paymentIntentId === null || payment.paymentIntentId === pi.id;
    // A foreign intent's status is not our intent's status. An intent carrying our metadata while we stored none
    // is the one our create call made before its answer was lost: adopt it.
    const stripeStatus = ours ? { stripeStatus: pi.status, ...(payment.paymentIntentId === null ? { paymentIntentId: pi.id } : {}) } : {};
    switch (decision.kind) {
      case 'none':
        if (ours && (payment.stripeStatus !== pi.status || payment.paymentIntentId === null)) await payments.update(tx, payment.id, stripeStatus);
        break;
      case 'succeeded':
        assertTransition(payment.status, 'SUCCEEDED');
        await payments.update(tx, payment.id, {
          ...stripeStatus,
          status: 'SUCCEEDED',
          settledPaymentIntentId: pi.id,
          receivedAmount: decision.received.amount,
          receivedCurrency: decision.received.currency,
          failureReason: null,
          settledAt: now,
        });
        await enqueue(tx, PaymentSucceededV1, this.base(payment, pi.id), { producer });
        break;
      case 'mismatched':
        assertTransition(payment.status, 'MISMATCHED');
        await payments.update(tx, payment.id, {
          ...stripeStatus,
          status: 'MISMATCHED',
          settledPaymentIntentId: pi.id,
          receivedAmount: decision.received.amount,
          receivedCurrency: decision.received.currency,
          failureReason: decision.reason,
          settledAt: now,
        });
        await enqueue(tx, PaymentMismatchedV1, { ...this.base(payment, pi.id), received: decision.received }, { producer });
        this.deps.logger.error({ referenceId: payment.referenceId, paymentIntentId: pi.id, reason: decision.reason }, 'payment amount mismatch');
        break;
      case 'failed':
        await payments.update(tx, payment.id, { ...stripeStatus, lastFailedChargeId: decision.chargeId, failureReason: decision.reason });
        await enqueue(tx, PaymentFailedV1, { ...this.base(payment, pi.id), reason: decision.reason }, { producer });
        break;
      case 'canceled':
        assertTransition(payment.status, 'CANCELED');
        await payments.update(tx, payment.id, { ...stripeStatus, status: 'CANCELED', canceledAt: now });
        await enqueue(tx, PaymentCanceledV1, this.base(payment, pi.id), { producer });
        break;
    }
    return decision;
  }

  /** A payment canceled before Stripe ever gave us an intent. */
  async cancelWithoutIntent(tx: Tx, payment: Payment): Promise<void> {
    assertTransition(payment.status, 'CANCELED');
    await this.deps.payments.update(tx, payment.id, { status: 'CANCELED', canceledAt: new Date() });
    await enqueue(tx, PaymentCanceledV1, this.base(payment, null), { producer: this.deps.producer });
  }

  async applyRefund(tx: Tx, payment: Payment, refund: RefundSnapshot, reason: string): Promise<RefundDecision> {
    await this.deps.payments.upsertRefund(tx, payment, refund, reason);
    const decision = decideOnRefund(payment, refund);
    await this.applyRefundDecision(tx, payment, decision);
    return decision;
  }

  async applyCharge(tx: Tx, payment: Payment, charge: ChargeSnapshot, refund: RefundSnapshot | null): Promise<RefundDecision> {
    if (refund) await this.deps.payments.upsertRefund(tx, payment, refund, 'charge.refunded');
    const decision = decideOnCharge(payment, charge, refund?.status === 'succeeded' ? refund.id : null);
    await this.applyRefundDecision(tx, payment, decision);
    return decision;
  }

  private async applyRefundDecision(tx: Tx, payment: Payment, decision: RefundDecision): Promise<void> {
    const intent = payment.settledPaymentIntentId ?? payment.paymentIntentId ?? '';
    if (decision.kind === 'refund-pending') {
      assertTransition(payment.status, 'REFUND_PENDING');
      await this.deps.payments.update(tx, payment.id, { status: 'REFUND_PENDING' });
    } else if (decision.kind === 'refunded') {
      assertTransition(payment.status, 'REFUNDED');
      await this.deps.payments.update(tx, payment.id, { status: 'REFUNDED', refundedAt: new Date() });
      await enqueue(tx, PaymentRefundedV1, { ...this.base(payment, intent), refundId: decision.refundId }, { producer: this.deps.producer });
    }
  }
}
