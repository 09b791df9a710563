/** Card payment intents for top-ups, created by payment over payment.create-payment-intent.v1. */
import { CreatePaymentIntentV1, type Money } from '@ttelgo/contracts';
import type { RpcClient } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import type { PaymentIntent, PaymentIntentsPort } from '../application/ports';
import { paymentUnavailable } from '../domain/billing.errors';

export class PaymentClient implements PaymentIntentsPort {
  constructor(private readonly deps: { rpc: RpcClient; timeoutMs: number; logger: Logger }) {}

  async createTopupIntent(req: { topupId: string; amount: Money; email: string; description: string }): Promise<PaymentIntent> {
    try {
      const intent = await this.deps.rpc.call(
        CreatePaymentIntentV1,
        { purpose: 'VENDOR_TOPUP', referenceId: req.topupId, amount: req.amount, customerEmail: req.email, description: req.description.slice(0, 500) },
        { timeoutMs: this.deps.timeoutMs },
      );
      return { paymentIntentId: intent.paymentIntentId, clientSecret: intent.clientSecret, publishableKey: intent.publishableKey };
    } catch (err) {
      // payment keys the intent on the top-up id: the retry with the same request key cannot create a second one.
      this.deps.logger.warn({ err, topupId: req.topupId }, 'payment.create-payment-intent.v1 failed');
      throw paymentUnavailable(err instanceof Error ? err.name : 'error');
    }
  }
}
