import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { EsimGoBundleAlertSchema, EsimGoWebhookAckSchema, StripeWebhookAckSchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { commonResponseHeaders, problemResponses } from './common.openapi';

/** `POST /webhooks/stripe` and `POST /webhooks/esimgo` (authenticated by the sender's signature, not by a token). */
export function registerWebhooksOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/api/v1/webhooks/stripe',
    operationId: 'receiveStripeWebhook',
    tags: ['Webhooks'],
    summary: 'Stripe event delivery',
    description:
      'Verifies `Stripe-Signature` over the raw body (300 s tolerance) and hands the event to the payment service. 200 only once ' +
      'RabbitMQ confirmed the hand-over; 503 (Stripe retries) when it cannot; 400 `INVALID_SIGNATURE` for a bad, missing or stale signature.',
    request: {
      headers: z.object({ 'Stripe-Signature': z.string().meta({ description: '`t=<unix seconds>,v1=<hex HMAC-SHA256>`' }) }),
      body: { required: true, content: { 'application/json': { schema: z.object({}).passthrough().meta({ description: 'A Stripe event, as Stripe sends it.' }) } } },
    },
    responses: {
      200: { description: 'Accepted and handed over.', headers: commonResponseHeaders, content: { 'application/json': { schema: StripeWebhookAckSchema } } },
      ...problemResponses([400, 413, 500, 503]),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/webhooks/esimgo',
    operationId: 'receiveEsimGoCallback',
    tags: ['Webhooks'],
    summary: 'eSIM Go usage callback (V3 BundleAlert)',
    description:
      'Verifies `X-Signature-SHA256` (HMAC-SHA256 over the raw body with `ESIMGO_CALLBACK_SIGNING_KEY`, base64 or hex) and hands ' +
      'usage alerts (`FirstUse`, `Utilisation`) and the first network attach (`FirstAttachment`: the eSIM\'s `activatedAt`) to esim-provisioning. 200 only once RabbitMQ confirmed the hand-over; 503 + `Retry-After` ' +
      '(eSIM Go retries) when it cannot, or when no signing key is configured (`WEBHOOK_NOT_CONFIGURED`). 400 `INVALID_SIGNATURE` for a ' +
      'missing or wrong signature, 400 `INVALID_PAYLOAD` / `VALIDATION_FAILED` for a body that is not JSON or not a usage alert. Other ' +
      'alert types (`SMSFailed`, new ones) are acknowledged with 200 and ignored. No token: the signature is the authentication.',
    request: {
      headers: z.object({ 'X-Signature-SHA256': z.string().meta({ description: 'HMAC-SHA256 of the raw body, base64 (or hex)' }) }),
      body: { required: true, content: { 'application/json': { schema: EsimGoBundleAlertSchema } } },
    },
    responses: {
      200: { description: 'Handed over (or an alert type that is not used, ignored).', headers: commonResponseHeaders, content: { 'application/json': { schema: EsimGoWebhookAckSchema } } },
      ...problemResponses([400, 413, 500, 503]),
    },
  });
}
