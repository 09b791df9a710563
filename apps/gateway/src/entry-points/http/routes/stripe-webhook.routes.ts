import express, { type RequestHandler } from 'express';
import type { ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { acceptStripeWebhook } from '../../../application/accept-stripe-webhook.use-case';
import type { StripeSignatureVerifier } from '../../../infrastructure/stripe-signature.verifier';
import { auditNote } from '../middleware/audit.middleware';

export const STRIPE_WEBHOOK_PATH = '/api/v1/webhooks/stripe';

export interface StripeWebhookDeps {
  verifier: StripeSignatureVerifier;
  publisher: Pick<ConfirmPublisher, 'publish'>;
  logger: Logger;
}

/**
 * The handlers of `POST /api/v1/webhooks/stripe`. The body parser is express.raw for every content type: the
 * signature covers the exact bytes, so this route must be mounted BEFORE the app's JSON parser.
 */
export function stripeWebhookHandlers(deps: StripeWebhookDeps): RequestHandler[] {
  return [
    (_req, res, next) => {
      const note = auditNote(res);
      note.action = 'stripe.webhook';
      note.actor = { type: 'stripe', id: null };
      note.resource = { type: 'stripe_event', id: null };
      next();
    },
    express.raw({ type: '*/*', limit: '1mb' }),
    async (req, res) => {
      const note = auditNote(res);
      const signature = req.headers['stripe-signature'];
      await acceptStripeWebhook(
        deps,
        {
          rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
          signature: typeof signature === 'string' ? signature : undefined,
          correlationId: String(res.locals['correlationId'] ?? res.locals['requestId'] ?? 'stripe-webhook'),
        },
        (event) => {
          note.resource = { type: 'stripe_event', id: event.id };
          note.details = { eventType: event.type };
        },
      );
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ received: true });
    },
  ];
}
