/** Card payment intents, created by payment over payment.create-payment-intent.v1. */
import { CreatePaymentIntentV1 } from '@ttelgo/contracts';
import type { RpcClient } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import type { PaymentsPort } from '../application/ports';
import type { Money } from '../domain/money';
import type { PaymentIntentRef } from '../domain/order';
import { paymentUnavailable } from '../domain/order.errors';

export class PaymentClient implements PaymentsPort {
  constructor(private readonly deps: { rpc: RpcClient; timeoutMs: number; logger: Logger }) {}

  async createIntent(req: { orderId: string; amount: Money; customerEmail: string | null; description: string }): Promise<PaymentIntentRef> {
    try {
      const intent = await this.deps.rpc.call(
        CreatePaymentIntentV1,
        {
          purpose: 'B2C_ORDER',
          referenceId: req.orderId,
          amount: req.amount,
          ...(req.customerEmail ? { customerEmail: req.customerEmail } : {}),
          description: req.description.slice(0, 500),
        },
        { timeoutMs: this.deps.timeoutMs },
      );
      return { paymentIntentId: intent.paymentIntentId, clientSecret: intent.clientSecret, publishableKey: intent.publishableKey };
    } catch (err) {
      // Whatever went wrong (timeout, no payment service, Stripe down), the order keeps waiting for its intent:
      // payment keys the intent on the order id, so the retry with the same request key cannot create a second.
      this.deps.logger.warn({ err, orderId: req.orderId }, 'payment.create-payment-intent.v1 failed');
      throw paymentUnavailable(err instanceof Error ? err.name : 'error');
    }
  }
}
