import { z } from 'zod';
import { pageOf } from '../common';
import { defineRpc } from '../define';

/** The webhook event types a reseller can receive: the public names of our webhooks, never renamed. */
export const WEBHOOK_EVENT_TYPES = [
  'order.completed',
  'order.failed',
  'order.refunded',
  'balance.low',
  'esim.usage_threshold',
  'esim.expiring',
  'esim.expired',
] as const;
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);

/** One POST of a webhook (or a refusal to send it), with what the reseller's server answered. */
export const VendorEventAttemptSchema = z.object({
  attemptNo: z.number().int().min(1),
  at: z.iso.datetime({ offset: true }),
  /** SENT (2xx), RETRY (failed, another attempt is scheduled), FAILED (failed, no automatic attempt follows). */
  outcome: z.enum(['SENT', 'RETRY', 'FAILED']),
  url: z.string().nullable(),
  /** HTTP status the endpoint answered; null when no answer came (connection refused, timeout, refused address). */
  httpStatus: z.number().int().nullable(),
  /** The first bytes of the answer's body. */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int().min(0),
});

/** An event sent or due to a reseller: the webhook body exactly as sent, its delivery state and every attempt. */
export const VendorEventViewSchema = z.object({
  id: z.uuid(),
  type: WebhookEventTypeSchema,
  createdAt: z.iso.datetime({ offset: true }),
  /** PENDING (due: being sent or waiting for its next attempt), SENT, FAILED (every attempt failed). */
  status: z.enum(['PENDING', 'SENT', 'FAILED']),
  /** A sample sent with POST /vendor/webhook-endpoint/test. */
  test: z.boolean(),
  /** When the next attempt is due (PENDING only). */
  nextAttemptAt: z.iso.datetime({ offset: true }).nullable(),
  /** The body POSTed: `{ id, type, createdAt, data }`. */
  payload: z.object({ id: z.uuid(), type: WebhookEventTypeSchema, createdAt: z.iso.datetime({ offset: true }), data: z.record(z.string(), z.unknown()) }),
  attempts: z.array(VendorEventAttemptSchema),
});
export type VendorEventView = z.infer<typeof VendorEventViewSchema>;

/** Gateway -> notification: a reseller's events, newest first, cursor pages. */
export const ListVendorEventsV1 = defineRpc(
  'notification.list-vendor-events.v1',
  z.object({
    vendorId: z.uuid(),
    limit: z.number().int().min(1).max(100),
    cursor: z.string().min(1).max(512).optional(),
    type: WebhookEventTypeSchema.optional(),
  }),
  pageOf(VendorEventViewSchema),
);

/** Gateway -> notification: one of a reseller's events; another reseller's is EVENT_NOT_FOUND (404). */
export const GetVendorEventV1 = defineRpc('notification.get-vendor-event.v1', z.object({ vendorId: z.uuid(), eventId: z.uuid() }), VendorEventViewSchema);

/**
 * Gateway -> notification: send one of a reseller's events again, now, signed afresh to its current endpoint.
 * No endpoint: NO_WEBHOOK_ENDPOINT (409).
 */
export const RedeliverVendorEventV1 = defineRpc(
  'notification.redeliver-vendor-event.v1',
  z.object({ vendorId: z.uuid(), eventId: z.uuid() }),
  VendorEventViewSchema,
);

/** Gateway -> notification: queue a signed sample event of `type` to the reseller's endpoint (NO_WEBHOOK_ENDPOINT without one). */
export const SendTestWebhookV1 = defineRpc(
  'notification.send-test-webhook.v1',
  z.object({ vendorId: z.uuid(), type: WebhookEventTypeSchema }),
  VendorEventViewSchema,
);
