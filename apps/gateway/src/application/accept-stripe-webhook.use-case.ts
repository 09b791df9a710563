/**
 * Stripe webhook ingress: verify the signature on the raw bytes, then hand the event to payment as a command,
 * published straight through the confirm channel (the one allowed exception to the outbox rule, docs/architecture.md#outbox):
 * Stripe gets 200 only once RabbitMQ confirmed the message AND routed it to a queue (mandatory), and 503 otherwise,
 * so Stripe keeps retrying. The message id is derived from the event id, so a redelivery is a duplicate to
 * payment's inbox.
 */
import { HandleStripeEventV1 } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { nameBasedUuid, STRIPE_EVENT_NAMESPACE } from '../domain/name-based-uuid';
import { InvalidStripeSignatureError, type StripeSignatureVerifier, type VerifiedStripeEvent } from '../infrastructure/stripe-signature.verifier';
import { handOverWebhook } from './webhook-handover';

export { PRODUCER } from './webhook-handover';
const MAX_PAYLOAD_CHARS = 1_000_000;

export const invalidSignature = () =>
  new AppError('INVALID_SIGNATURE', 400, 'The Stripe-Signature header is missing or does not match the payload (or is too old).');

export function stripeEventMessageId(eventId: string): string {
  return nameBasedUuid(STRIPE_EVENT_NAMESPACE, eventId);
}

export async function acceptStripeWebhook(
  deps: { verifier: StripeSignatureVerifier; publisher: Pick<ConfirmPublisher, 'publish'>; logger: Logger },
  input: { rawBody: Buffer | undefined; signature: string | undefined; correlationId: string },
  onVerified: (event: VerifiedStripeEvent) => void = () => undefined,
): Promise<void> {
  if (!input.rawBody || input.rawBody.length === 0) throw invalidSignature();
  let event: VerifiedStripeEvent;
  try {
    event = deps.verifier.verify(input.rawBody, input.signature);
  } catch (err) {
    if (err instanceof InvalidStripeSignatureError) {
      deps.logger.warn({ reason: err.message }, 'stripe webhook refused: invalid signature');
      throw invalidSignature();
    }
    throw err;
  }
  onVerified(event);
  const payload = input.rawBody.toString('utf8');
  if (payload.length > MAX_PAYLOAD_CHARS) throw new AppError('PAYLOAD_TOO_LARGE', 413, 'The webhook payload is too large.');

  await handOverWebhook(
    deps,
    HandleStripeEventV1,
    { eventId: event.id, eventType: event.type, payload, receivedAt: new Date().toISOString() },
    { id: stripeEventMessageId(event.id), correlationId: input.correlationId, what: 'Stripe event', logFields: { eventId: event.id, eventType: event.type } },
  );
}
