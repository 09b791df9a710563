/**
 * The PaymentProvider on the real `stripe` SDK. Pointed at stripe-sim (host/port/protocol) when the key is the
 * simulator's or STRIPE_API_BASE is set; otherwise at api.stripe.com.
 *
 * Retries: only the SDK's own (connection errors, 409, 5xx, rate limits; `maxNetworkRetries: 2`), and it reuses
 * OUR idempotency key on each attempt. Any error after the request may have reached Stripe is an unknown
 * outcome: we surface it as `unavailable`, the caller repeats the call later with the same key (Stripe replays
 * the first result) or the webhook / a retrieve settles it. "Already refunded" and "cannot be cancelled" are
 * outcomes, not failures.
 */
import Stripe from 'stripe';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { PaymentProviderError, type CreateIntentInput, type PaymentProvider } from '../../application/payment-provider.port';
import type { ChargeSnapshot, PaymentIntentSnapshot, RefundSnapshot } from '../../domain/payment';

/** The API version this SDK build is typed against; the simulator speaks it too. Pinned so payloads never drift. */
export const STRIPE_API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive';

export interface StripeGatewayOptions {
  secretKey: string;
  publishableKey: string;
  /** e.g. http://127.0.0.1:12111; undefined = api.stripe.com */
  apiBase?: string | undefined;
  timeoutMs: number;
  logger: Logger;
  metrics?: ServiceMetrics;
}

export const idempotencyKeys = {
  createIntent: (referenceId: string) => `pi-create:${referenceId}`,
  refund: (referenceId: string) => `refund:${referenceId}`,
  cancel: (referenceId: string) => `pi-cancel:${referenceId}`,
};

const TRANSIENT_TYPES = new Set(['StripeConnectionError', 'StripeAPIError', 'StripeRateLimitError', 'StripeLockTimeoutError']);

interface StripeErrorLike {
  type?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  raw?: { payment_intent?: Stripe.PaymentIntent };
}

function asStripeError(err: unknown): StripeErrorLike | undefined {
  return err instanceof Stripe.errors.StripeError ? (err as unknown as StripeErrorLike) : undefined;
}

function isTransient(e: StripeErrorLike): boolean {
  return TRANSIENT_TYPES.has(e.type ?? '') || (e.statusCode ?? 0) >= 500 || e.statusCode === 409 || e.statusCode === 429;
}

export function toSnapshot(pi: Stripe.PaymentIntent): PaymentIntentSnapshot {
  const error = pi.last_payment_error;
  const chargeRef = error?.charge;
  return {
    id: pi.id,
    status: pi.status,
    amount: pi.amount,
    amountReceived: pi.amount_received,
    currency: pi.currency.toUpperCase(),
    clientSecret: pi.client_secret ?? null,
    metadata: { ...(pi.metadata ?? {}) },
    lastPaymentError: error
      ? {
          chargeId: typeof chargeRef === 'string' ? chargeRef : null,
          code: error.code ?? null,
          declineCode: error.decline_code ?? null,
          message: error.message ?? null,
        }
      : null,
  };
}

function refundSnapshot(r: Stripe.Refund): RefundSnapshot {
  const pi = r.payment_intent;
  return {
    id: r.id,
    paymentIntentId: typeof pi === 'string' ? pi : (pi?.id ?? null),
    amount: r.amount,
    currency: r.currency.toUpperCase(),
    status: r.status ?? 'pending',
  };
}

export class StripeGateway implements PaymentProvider {
  readonly publishableKey: string;
  private readonly stripe: Stripe;
  private readonly logger: Logger;

  constructor(private readonly opts: StripeGatewayOptions) {
    this.publishableKey = opts.publishableKey;
    this.logger = opts.logger.child({ provider: 'stripe' });
    const base = opts.apiBase ? new URL(opts.apiBase) : undefined;
    const protocol = base?.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(opts.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 2,
      timeout: opts.timeoutMs,
      telemetry: false,
      typescript: true,
      appInfo: { name: 'ttelgo-payment' },
      ...(base ? { host: base.hostname, port: base.port || (protocol === 'http' ? 80 : 443), protocol } : {}),
    });
  }

  async createPaymentIntent(input: CreateIntentInput): Promise<PaymentIntentSnapshot> {
    const pi = await this.call('create_payment_intent', () =>
      this.stripe.paymentIntents.create(
        {
          amount: input.amount.amount,
          currency: input.amount.currency.toLowerCase(),
          // Cards and other methods that need no redirect: the client confirms in place, no return_url.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          metadata: { purpose: input.purpose, referenceId: input.referenceId },
          ...(input.customerEmail ? { receipt_email: input.customerEmail } : {}),
          ...(input.description ? { description: input.description } : {}),
        },
        { idempotencyKey: idempotencyKeys.createIntent(input.referenceId) },
      ),
    );
    return toSnapshot(pi);
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentSnapshot> {
    return toSnapshot(await this.call('retrieve_payment_intent', () => this.stripe.paymentIntents.retrieve(id)));
  }

  async cancelPaymentIntent(id: string, referenceId: string): Promise<PaymentIntentSnapshot> {
    try {
      const pi = await this.call(
        'cancel_payment_intent',
        () => this.stripe.paymentIntents.cancel(id, { cancellation_reason: 'abandoned' }, { idempotencyKey: idempotencyKeys.cancel(referenceId) }),
        (e) => e.code === 'payment_intent_unexpected_state',
      );
      return toSnapshot(pi);
    } catch (err) {
      // Already succeeded or already canceled: not a failure, the caller acts on the intent's real state.
      if (err instanceof PaymentProviderError && err.providerCode === 'payment_intent_unexpected_state') {
        this.logger.info({ paymentIntentId: id }, 'PaymentIntent cannot be cancelled; reading its state');
        return this.retrievePaymentIntent(id);
      }
      throw err;
    }
  }

  async refundPaymentIntent(id: string, referenceId: string, reason: string): Promise<RefundSnapshot> {
    try {
      const refund = await this.call(
        'create_refund',
        () =>
          this.stripe.refunds.create(
            { payment_intent: id, reason: 'requested_by_customer', metadata: { referenceId, reason: reason.slice(0, 500) } },
            { idempotencyKey: idempotencyKeys.refund(referenceId) },
          ),
        (e) => e.code === 'charge_already_refunded',
      );
      return refundSnapshot(refund);
    } catch (err) {
      if (err instanceof PaymentProviderError && err.providerCode === 'charge_already_refunded') {
        const existing = await this.call('list_refunds', () => this.stripe.refunds.list({ payment_intent: id, limit: 10 }));
        const done = existing.data.find((r) => r.status === 'succeeded') ?? existing.data[0];
        if (done) return refundSnapshot(done);
      }
      throw err;
    }
  }

  async retrieveCharge(id: string): Promise<ChargeSnapshot> {
    const ch = await this.call('retrieve_charge', () => this.stripe.charges.retrieve(id));
    const pi = ch.payment_intent;
    return {
      id: ch.id,
      paymentIntentId: typeof pi === 'string' ? pi : (pi?.id ?? null),
      amount: ch.amount,
      amountRefunded: ch.amount_refunded,
      currency: ch.currency.toUpperCase(),
      refunded: ch.refunded,
    };
  }

  async latestRefundOfCharge(chargeId: string): Promise<RefundSnapshot | null> {
    const list = await this.call('list_refunds', () => this.stripe.refunds.list({ charge: chargeId, limit: 10 }));
    const sorted = [...list.data].sort((a, b) => b.created - a.created);
    const refund = sorted.find((r) => r.status === 'succeeded') ?? sorted[0];
    return refund ? refundSnapshot(refund) : null;
  }

  /**
   * Runs one SDK call with metrics and error classification. `expected` marks Stripe answers the caller turns into
   * outcomes (logged at info, not as failures).
   */
  private async call<T>(operation: string, fn: () => Promise<T>, expected?: (e: StripeErrorLike) => boolean): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await fn();
    } catch (err) {
      const e = asStripeError(err);
      if (!e) {
        outcome = 'error';
        throw new PaymentProviderError('unavailable', `stripe ${operation} failed: ${(err as Error).message}`, undefined, { cause: err });
      }
      if (expected?.(e)) {
        outcome = 'expected';
        throw new PaymentProviderError('rejected', e.message ?? operation, e.code, { cause: err });
      }
      const transient = isTransient(e);
      outcome = transient ? 'unavailable' : 'rejected';
      this.logger.warn({ operation, type: e.type, code: e.code, status: e.statusCode, err: e.message }, 'Stripe call failed');
      throw new PaymentProviderError(transient ? 'unavailable' : 'rejected', `stripe ${operation}: ${e.type ?? 'error'} ${e.code ?? ''} ${e.message ?? ''}`.trim(), e.code, {
        cause: err,
      });
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.opts.metrics?.externalCallDuration.observe({ provider: 'stripe', operation, outcome }, seconds);
    }
  }
}
