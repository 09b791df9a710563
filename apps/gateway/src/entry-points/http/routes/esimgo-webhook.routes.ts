import type { RequestHandler } from 'express';
import type { ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { acceptEsimGoCallback } from '../../../application/accept-esimgo-callback.use-case';
import type { EsimGoSignatureVerifier } from '../../../infrastructure/esimgo-signature.verifier';
import { auditNote } from '../middleware/audit.middleware';
import { signedWebhookHandlers } from './signed-webhook.route';

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
 * `POST /api/v1/webhooks/esimgo` (X-Signature-SHA256): see signedWebhookHandlers. No JWT or API key: the signature
 * is the authentication.
 */
export function esimGoWebhookHandlers(deps: EsimGoWebhookDeps): RequestHandler[] {
  return signedWebhookHandlers({
    audit: { action: 'esimgo.webhook', actor: { type: 'esimgo', id: null }, resource: { type: 'esim', id: null } },
    bodyLimit: ESIMGO_WEBHOOK_BODY_LIMIT,
    signatureHeader: 'x-signature-sha256',
    accept: (input, _req, res) =>
      acceptEsimGoCallback(deps, input, (alert) => {
        const note = auditNote(res);
        note.resource = { type: 'esim', id: alert.iccid };
        note.details = { alertType: alert.alertType };
      }),
  });
}
