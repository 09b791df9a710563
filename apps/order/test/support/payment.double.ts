/**
 * A test double of payment over the REAL broker: payment.create-payment-intent.v1 served by an RpcServer that,
 * like the real one (Stripe idempotency key = order id), returns the same intent for the same reference id; plus
 * a publisher for the payment events. The server can be stopped and started again to play "payment is down".
 */
import { randomUUID } from 'node:crypto';
import {
  CreatePaymentIntentV1,
  PaymentCanceledV1,
  PaymentFailedV1,
  PaymentMismatchedV1,
  PaymentRefundedV1,
  PaymentSucceededV1,
  routeFor,
  type Envelope,
  type MessageContract,
  type Money,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { testLogger } from '@ttelgo/testing';

export interface DoubleIntent {
  paymentIntentId: string;
  amount: Money;
  customerEmail: string | undefined;
}

const PUBLISHABLE_KEY = 'pk_test_double';

export class PaymentDouble {
  /** Every create call, by reference id (order id). */
  readonly createCalls = new Map<string, number>();
  readonly intents = new Map<string, DoubleIntent>();
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
    await this.startServer();
    return this;
  }

  async startServer(): Promise<void> {
    const server = new RpcServer(this.conn, { owner: 'payment', logger: this.logger });
    server.handle(CreatePaymentIntentV1, async (req) => {
      this.createCalls.set(req.referenceId, (this.createCalls.get(req.referenceId) ?? 0) + 1);
      let intent = this.intents.get(req.referenceId);
      if (!intent) {
        intent = { paymentIntentId: `pi_${randomUUID().replace(/-/g, '').slice(0, 24)}`, amount: req.amount, customerEmail: req.customerEmail };
        this.intents.set(req.referenceId, intent);
      }
      return { paymentIntentId: intent.paymentIntentId, clientSecret: `${intent.paymentIntentId}_secret_x`, publishableKey: PUBLISHABLE_KEY, status: 'requires_payment_method' };
    });
    await server.start();
    this.server = server;
  }

  async stopServer(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  private base(orderId: string, amount?: Money) {
    const intent = this.intents.get(orderId);
    if (!intent && !amount) throw new Error(`no intent for ${orderId}`);
    return {
      purpose: 'B2C_ORDER' as const,
      referenceId: orderId,
      paymentIntentId: intent?.paymentIntentId ?? 'pi_unknown',
      amount: amount ?? intent!.amount,
      occurredAt: new Date().toISOString(),
    };
  }

  private send<T>(contract: MessageContract<T>, data: T): Promise<Envelope<T>> {
    return this.publisher.publishMessage(contract, data, { producer: 'payment', correlationId: randomUUID() });
  }

  succeeded(orderId: string, amount?: Money): Promise<Envelope> {
    return this.send(PaymentSucceededV1, this.base(orderId, amount));
  }

  failed(orderId: string, reason = 'card_declined'): Promise<Envelope> {
    return this.send(PaymentFailedV1, { ...this.base(orderId), reason });
  }

  canceled(orderId: string): Promise<Envelope> {
    return this.send(PaymentCanceledV1, this.base(orderId));
  }

  mismatched(orderId: string, received: Money): Promise<Envelope> {
    return this.send(PaymentMismatchedV1, { ...this.base(orderId), received });
  }

  refunded(orderId: string): Promise<Envelope> {
    return this.send(PaymentRefundedV1, { ...this.base(orderId), refundId: `re_${randomUUID().slice(0, 8)}` });
  }

  /** Publishes an envelope as it is (a redelivery of the same message, or a malformed one). */
  republish(contract: MessageContract, envelope: Envelope | Record<string, unknown>): Promise<void> {
    return this.publisher.publish(routeFor(contract), envelope as Envelope);
  }

  async stop(): Promise<void> {
    await this.stopServer();
    await this.conn.close();
  }
}
