import Stripe from 'stripe';

export interface VerifiedStripeEvent {
  id: string;
  type: string;
}

export class InvalidStripeSignatureError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'InvalidStripeSignatureError';
  }
}

/** Stripe's own default; the ingress always passes it explicitly (verifyHeader with no tolerance skips the check). */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Verifies `Stripe-Signature` (`t=<unix>,v1=<hex>`, HMAC-SHA256 over `${t}.${rawBody}`) with the official SDK.
 * constructEvent is pure computation: the Stripe instance holds no key that is ever used and makes no request.
 */
export class StripeSignatureVerifier {
  private readonly stripe = new Stripe('sk_test_webhook_verification_only');

  constructor(
    private readonly secret: string,
    private readonly toleranceSeconds = STRIPE_SIGNATURE_TOLERANCE_SECONDS,
  ) {}

  verify(rawBody: Buffer, signatureHeader: string | undefined): VerifiedStripeEvent {
    if (!signatureHeader) throw new InvalidStripeSignatureError('no Stripe-Signature header');
    let event: { id?: unknown; type?: unknown };
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signatureHeader, this.secret, this.toleranceSeconds) as unknown as typeof event;
    } catch (err) {
      throw new InvalidStripeSignatureError(err instanceof Error ? err.message : 'signature verification failed', { cause: err });
    }
    // Signed by Stripe, but still checked: the id becomes a message id and a database key downstream.
    if (typeof event.id !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(event.id)) throw new InvalidStripeSignatureError('event has no valid id');
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > 255) throw new InvalidStripeSignatureError('event has no valid type');
    return { id: event.id, type: event.type };
  }
}
