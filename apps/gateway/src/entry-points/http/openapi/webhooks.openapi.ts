import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { StripeWebhookAckSchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { commonResponseHeaders, problemResponses } from './common.openapi';

/** `POST /webhooks/stripe` (Stripe only; authenticated by its signature, not by a token). */
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
}
