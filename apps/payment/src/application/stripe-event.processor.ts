/**
 * Processes one stored Stripe event as a HINT: the event only says which object to look at; what we do depends
 * on that object's CURRENT state read back from Stripe and on our stored state. So a duplicate, a stale
 * `payment_failed` arriving after the success, or any reordering changes nothing.
 *
 * Transactions: the Stripe read happens outside any transaction; the state change, its outbox row and the
 * event's PROCESSED mark commit together. When anything fails the event is marked FAILED in a separate
 * transaction (the stored event itself was committed earlier, with the inbox row), for the retry job.
 */
import type { Logger } from '@ttelgo/observability';
import type { PaymentProvider } from './payment-provider.port';
import type { PaymentTransitions } from './payment.transitions';
import type { PaymentRepository } from '../infrastructure/payment.repository';
import type { StripeEventRepository } from '../infrastructure/stripe-event.repository';

export const PAYMENT_INTENT_EVENTS: ReadonlySet<string> = new Set([
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
]);
export const CHARGE_REFUNDED = 'charge.refunded';

export type ProcessOutcome = 'processed' | 'ignored' | 'skipped' | 'failed';

export interface StripeEventProcessorDeps {
  payments: PaymentRepository;
  events: StripeEventRepository;
  provider: PaymentProvider;
  transitions: PaymentTransitions;
  logger: Logger;
  maxAttempts: number;
  /** When a failed event is due again. */
  retryDelayMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class StripeEventProcessor {
  private readonly logger: Logger;

  constructor(private readonly deps: StripeEventProcessorDeps) {
    this.logger = deps.logger.child({ component: 'stripe-event-processor' });
  }

  /** Never throws for a processing failure: the event is left FAILED (or DEAD) with the error instead. */
  async processSafely(eventId: string): Promise<ProcessOutcome> {
    try {
      return await this.process(eventId);
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const status = await this.deps.events.markFailed(eventId, message, this.deps.maxAttempts, new Date(Date.now() + this.deps.retryDelayMs));
      const log = status === 'DEAD' ? this.logger.error.bind(this.logger) : this.logger.warn.bind(this.logger);
      log({ err, eventId, status }, status === 'DEAD' ? 'Stripe event failed too often; giving up' : 'Stripe event processing failed; will retry');
      return 'failed';
    }
  }

  async process(eventId: string): Promise<ProcessOutcome> {
    const event = await this.deps.events.get(eventId);
    if (!event) throw new Error(`stripe event ${eventId} is not stored`);
    if (event.status === 'PROCESSED' || event.status === 'IGNORED') return 'skipped';
    if (!event.objectId) return this.ignore(eventId, 'event has no data.object.id');
    if (PAYMENT_INTENT_EVENTS.has(event.type)) return this.onPaymentIntent(eventId, event.objectId);
    if (event.type === CHARGE_REFUNDED) return this.onChargeRefunded(eventId, event.objectId);
    return this.ignore(eventId, `event type ${event.type} is not handled`);
  }

  private async onPaymentIntent(eventId: string, paymentIntentId: string): Promise<ProcessOutcome> {
    const { provider, payments, events, transitions } = this.deps;
    const pi = await provider.retrievePaymentIntent(paymentIntentId);
    const referenceId = pi.metadata.referenceId;
    const outcome = await payments.transaction(async (tx) => {
      const payment =
        (await payments.lockByPaymentIntent(tx, pi.id)) ??
        (referenceId && UUID.test(referenceId) ? await payments.lockByReference(tx, referenceId) : null);
      if (!payment) return undefined;
      const decision = await transitions.applyPaymentIntent(tx, payment, pi);
      await events.markDone(eventId, 'PROCESSED', decision.kind === 'none' ? `no change: ${decision.reason}` : undefined, tx);
      this.logger.info({ eventId, paymentIntentId: pi.id, piStatus: pi.status, decision: decision.kind, referenceId: payment.referenceId }, 'Stripe event processed');
      return 'processed' as const;
    });
    return outcome ?? this.ignore(eventId, `PaymentIntent ${pi.id} belongs to no payment of ours`);
  }

  private async onChargeRefunded(eventId: string, chargeId: string): Promise<ProcessOutcome> {
    const { provider, payments, events, transitions } = this.deps;
    const charge = await provider.retrieveCharge(chargeId);
    if (!charge.paymentIntentId) return this.ignore(eventId, `charge ${chargeId} has no PaymentIntent`);
    const refund = charge.amountRefunded > 0 ? await provider.latestRefundOfCharge(charge.id) : null;
    const outcome = await payments.transaction(async (tx) => {
      const payment = await payments.lockByPaymentIntent(tx, charge.paymentIntentId!);
      if (!payment) return undefined;
      const decision = await transitions.applyCharge(tx, payment, charge, refund);
      await events.markDone(eventId, 'PROCESSED', decision.kind === 'none' ? `no change: ${decision.reason}` : undefined, tx);
      this.logger.info({ eventId, chargeId, decision: decision.kind, referenceId: payment.referenceId }, 'Stripe event processed');
      return 'processed' as const;
    });
    return outcome ?? this.ignore(eventId, `charge ${chargeId} belongs to no payment of ours`);
  }

  private async ignore(eventId: string, reason: string): Promise<ProcessOutcome> {
    await this.deps.events.markDone(eventId, 'IGNORED', reason);
    this.logger.info({ eventId, reason }, 'Stripe event ignored');
    return 'ignored';
  }
}
