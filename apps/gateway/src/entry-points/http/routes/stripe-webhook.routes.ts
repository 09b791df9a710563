import type { RequestHandler } from 'express';
import type { ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { acceptStripeWebhook } from '../../../application/accept-stripe-webhook.use-case';
import type { StripeSignatureVerifier } from '../../../infrastructure/stripe-signature.verifier';
import { auditNote } from '../middleware/audit.middleware';
import { signedWebhookHandlers } from './signed-webhook.route';

export const STRIPE_WEBHOOK_PATH = '/api/v1/webhooks/stripe';

export interface StripeWebhookDeps {
  verifier: StripeSignatureVerifier;
  publisher: Pick<ConfirmPublisher, 'publish'>;
  logger: Logger;
}

/** `POST /api/v1/webhooks/stripe` (Stripe-Signature, 300 s tolerance): see signedWebhookHandlers. */
export function stripeWebhookHandlers(deps: StripeWebhookDeps): RequestHandler[] {
  return signedWebhookHandlers({
    audit: { action: 'stripe.webhook', actor: { type: 'stripe', id: null }, resource: { type: 'stripe_event', id: null } },
    bodyLimit: '1mb',
    signatureHeader: 'stripe-signature',
    accept: (input, _req, res) =>
      acceptStripeWebhook(deps, input, (event) => {
        const note = auditNote(res);
        note.resource = { type: 'stripe_event', id: event.id };
        note.details = { eventType: event.type };
      }),
  });
}
