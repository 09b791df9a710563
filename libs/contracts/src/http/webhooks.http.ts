import { z } from 'zod';

/** The answer to a Stripe webhook delivery, sent only once the event is durably handed to payment. */
export const StripeWebhookAckSchema = z.object({ received: z.literal(true) });
export type StripeWebhookAck = z.infer<typeof StripeWebhookAckSchema>;
