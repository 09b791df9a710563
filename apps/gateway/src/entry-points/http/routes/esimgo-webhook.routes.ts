import express, { type RequestHandler } from 'express';
import type { ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { acceptEsimGoCallback } from '../../../application/accept-esimgo-callback.use-case';
import type { EsimGoSignatureVerifier } from '../../../infrastructure/esimgo-signature.verifier';
import { auditNote } from '../middleware/audit.middleware';

export const ESIMGO_WEBHOOK_PATH = '/api/v1/webhooks/esimgo';
/** A BundleAlert is well under 1 kB; anything near this is not eSIM Go. */
const ESIMGO_WEBHOOK_BODY_LIMIT = '64kb';

export interface EsimGoWebhookDeps {
  /** Undefined when ESIMGO_CALLBACK_SIGNING_KEY is not set: every callback is refused with 503. */
  verifier: EsimGoSignatureVerifier | undefined;
  publisher: Pick<ConfirmPublisher, 'publish'>;
  logger: Logger;
}

/**
 * The handlers of `POST /api/v1/webhooks/esimgo`. The body parser is express.raw for every content type: the
 * signature covers the exact bytes, so this route must be mounted BEFORE the app's JSON parser. No JWT or API
 * key: the signature is the authentication.
 */
export function esimGoWebhookHandlers(deps: EsimGoWebhookDeps): RequestHandler[] {
  return [
    (_req, res, next) => {
      const note = auditNote(res);
      note.action = 'esimgo.webhook';
      note.actor = { type: 'esimgo', id: null };
      note.resource = { type: 'esim', id: null };
      next();
    },
    express.raw({ type: '*/*', limit: ESIMGO_WEBHOOK_BODY_LIMIT }),
    async (req, res) => {
      const note = auditNote(res);
      const signature = req.headers['x-signature-sha256'];
      await acceptEsimGoCallback(
        deps,
        {
          rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
          signature: typeof signature === 'string' ? signature : undefined,
          correlationId: String(res.locals['correlationId'] ?? res.locals['requestId'] ?? 'esimgo-webhook'),
        },
        (alert) => {
          note.resource = { type: 'esim', id: alert.iccid };
          note.details = { alertType: alert.alertType };
        },
      );
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ received: true });
    },
  ];
}
