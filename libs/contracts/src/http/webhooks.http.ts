import { z } from 'zod';

/** The answer to a Stripe webhook delivery, sent only once the event is durably handed to payment. */
export const StripeWebhookAckSchema = z.object({ received: z.literal(true) });
export type StripeWebhookAck = z.infer<typeof StripeWebhookAckSchema>;

/**
 * What `POST /webhooks/esimgo` needs to know first: the alert type. eSIM Go documents FirstUse, Utilisation,
 * FirstAttachment and SMSFailed and may add others; the usage alerts and FirstAttachment are parsed further.
 */
export const EsimGoCallbackHeadSchema = z.object({ alertType: z.string().min(1).max(100) });

/** The alert types that carry usage (bundle quantities): they become esim.record-usage.v1. */
export const ESIMGO_USAGE_ALERT_TYPES = ['FirstUse', 'Utilisation'] as const;

/** eSIM Go's FirstAttachment callback: the eSIM attached to a network for the first time (no bundle). */
export const ESIMGO_ATTACHMENT_ALERT_TYPE = 'FirstAttachment';
export const EsimGoAttachmentAlertSchema = z.object({
  iccid: z.string().regex(/^\d{18,22}$/, 'expected an ICCID of 18-22 digits'),
  alertType: z.literal(ESIMGO_ATTACHMENT_ALERT_TYPE),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});

/**
 * eSIM Go's V3 usage callback (BundleAlert), tolerant: unknown keys are ignored. Quantities are bytes (V3);
 * `id` is the bundle assignment's id, `reference` its assignment reference. eSIM Go's alert carries no time of
 * its own; `timestamp` is read when present (SMSFailed has one, usage alerts may get one).
 */
export const EsimGoBundleAlertSchema = z.object({
  iccid: z.string().regex(/^\d{18,22}$/, 'expected an ICCID of 18-22 digits'),
  alertType: z.string().min(1).max(100),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  bundle: z.object({
    id: z.union([z.string().min(1).max(200), z.number().int().min(0)]).nullish(),
    reference: z.string().min(1).max(200).nullish(),
    name: z.string().min(1).max(200),
    description: z.string().max(1000).nullish(),
    initialQuantity: z.number().min(0).max(1e15),
    remainingQuantity: z.number().min(0).max(1e15),
    startTime: z.iso.datetime({ offset: true }).nullish(),
    endTime: z.iso.datetime({ offset: true }).nullish(),
    unlimited: z.boolean().nullish(),
  }),
});
export type EsimGoBundleAlert = z.infer<typeof EsimGoBundleAlertSchema>;

/** The answer to an eSIM Go callback: the alert was handed over (or, for an alert type we do not use, ignored). */
export const EsimGoWebhookAckSchema = z.object({ received: z.literal(true) });
