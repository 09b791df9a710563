/**
 * A test double of payment over the REAL broker: payment.create-payment-intent.v1 served by an RpcServer that,
 * like the real one (Stripe idempotency key = reference id), returns the same intent for the same reference id;
 * plus a publisher of payment.succeeded.v1.
 */
import { randomUUID } from 'node:crypto';
import { CreatePaymentIntentV1, PaymentSucceededV1, routeFor, type DataOf, type Envelope, type Money } from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { testLogger } from '@ttelgo/testing';

export type IntentRequest = DataOf<typeof CreatePaymentIntentV1>;

export class PaymentDouble {
  readonly requests: IntentRequest[] = [];
  readonly intents = new Map<string, { paymentIntentId: string; amount: Money }>();
  private readonly logger = testLogger('payment-double');
  private readonly conn: AmqpConnection;
  private readonly publisher: ConfirmPublisher;
  private server: RpcServer | undefined;

  constructor(url: string) {
    this.conn = new AmqpConnection({ url, name: 'payment-double', logger: this.logger });
    this.publisher = new ConfirmPublisher(this.conn, { logger: this.logger });
  }

  async start(): Promise<this> {
    await this.conn.start();
    const server = new RpcServer(this.conn, { owner: 'payment', logger: this.logger });
    server.handle(CreatePaymentIntentV1, async (req) => {
      this.requests.push(req);
      let intent = this.intents.get(req.referenceId);
      if (!intent) {
        intent = { paymentIntentId: `pi_${randomUUID().replace(/-/g, '').slice(0, 24)}`, amount: req.amount };
        this.intents.set(req.referenceId, intent);
      }
      return { paymentIntentId: intent.paymentIntentId, clientSecret: `${intent.paymentIntentId}_secret_x`, publishableKey: 'pk_test_double', status: 'requires_payment_method' };
    });
    await server.start();
    this.server = server;
    return this;
  }

  /** payment.succeeded.v1 for a top-up, as payment emits it once Stripe says the intent succeeded. */
  succeeded(topupId: string, amount?: Money): Promise<Envelope<DataOf<typeof PaymentSucceededV1>>> {
    const intent = this.intents.get(topupId);
    return this.publisher.publishMessage(
      PaymentSucceededV1,
      {
        purpose: 'VENDOR_TOPUP',
        referenceId: topupId,
        paymentIntentId: intent?.paymentIntentId ?? 'pi_unknown',
        amount: amount ?? intent!.amount,
        occurredAt: new Date().toISOString(),
      },
      { producer: 'payment', correlationId: randomUUID() },
    );
  }

  /** The same envelope again (a redelivery: same message id). */
  republish(envelope: Envelope): Promise<void> {
    return this.publisher.publish(routeFor(PaymentSucceededV1), envelope);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.conn.close();
  }
}
