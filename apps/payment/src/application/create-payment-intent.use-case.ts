/**
 * payment.create-payment-intent.v1: one payment per reference id (unique), one PaymentIntent per payment.
 * The intent is created with the idempotency key `pi-create:<referenceId>`, so a retry after a lost answer gets
 * the same intent from Stripe; once stored, a repeated call answers from our database without calling Stripe.
 */
import type { Logger } from '@ttelgo/observability';
import { PaymentError, providerRejected, providerUnavailable, referenceConflict } from '../domain/payment.errors';
import type { Money, PaymentPurpose } from '../domain/payment';
import { PaymentProviderError, type PaymentProvider } from './payment-provider.port';
import type { PaymentRepository } from '../infrastructure/payment.repository';

export interface CreatePaymentIntentRequest {
  purpose: PaymentPurpose;
  referenceId: string;
  amount: Money;
  customerEmail?: string | undefined;
  description?: string | undefined;
}

export interface CreatePaymentIntentResult {
  paymentIntentId: string;
  clientSecret: string;
  publishableKey: string;
  status: string;
}

export class CreatePaymentIntentUseCase {
  constructor(
    private readonly deps: { payments: PaymentRepository; provider: PaymentProvider; logger: Logger },
  ) {}

  async execute(req: CreatePaymentIntentRequest): Promise<CreatePaymentIntentResult> {
    const { payments, provider } = this.deps;
    const currency = req.amount.currency.toUpperCase();
    const payment = await payments.ensure({
      purpose: req.purpose,
      referenceId: req.referenceId,
      amount: req.amount.amount,
      currency,
      customerEmail: req.customerEmail ?? null,
      description: req.description ?? null,
    });
    // The reference id is the idempotency key: the same key with other terms is a caller bug, never a new intent.
    if (payment.amount.amount !== req.amount.amount || payment.amount.currency !== currency || payment.purpose !== req.purpose) {
      throw referenceConflict(
        req.referenceId,
        `stored ${payment.purpose} ${payment.amount.amount} ${payment.amount.currency}, asked ${req.purpose} ${req.amount.amount} ${currency}`,
      );
    }
    if (payment.paymentIntentId && payment.clientSecret) {
      return {
        paymentIntentId: payment.paymentIntentId,
        clientSecret: payment.clientSecret,
        publishableKey: provider.publishableKey,
        status: payment.stripeStatus ?? 'requires_payment_method',
      };
    }

    let pi;
    try {
      pi = await provider.createPaymentIntent({
        purpose: payment.purpose,
        referenceId: payment.referenceId,
        amount: payment.amount,
        customerEmail: payment.customerEmail,
        description: payment.description,
      });
    } catch (err) {
      if (err instanceof PaymentProviderError) {
        if (err.kind === 'unavailable') throw providerUnavailable(err.message);
        if (err.providerCode === 'idempotency_key_in_use' || /idempotency/i.test(err.message)) throw referenceConflict(req.referenceId, err.message);
        throw providerRejected(err.message);
      }
      throw err;
    }
    if (!pi.clientSecret) throw new PaymentError('PAYMENT_PROVIDER_REJECTED', 502, `PaymentIntent ${pi.id} came back without a client secret`);
    await payments.recordIntent(payment.id, pi);
    this.deps.logger.info({ referenceId: payment.referenceId, paymentIntentId: pi.id }, 'PaymentIntent created');
    return { paymentIntentId: pi.id, clientSecret: pi.clientSecret, publishableKey: provider.publishableKey, status: pi.status };
  }
}
