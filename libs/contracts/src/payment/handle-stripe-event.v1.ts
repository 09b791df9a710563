import { z } from 'zod';
import { defineCommand } from '../define';

/**
 * gateway -> payment: a Stripe webhook event whose signature the gateway verified. The raw JSON is carried
 * as received; payment stores it (deduplicated on the event id) and treats it as a hint.
 */
export const HandleStripeEventV1 = defineCommand(
  'payment.handle-stripe-event.v1',
  z.object({
    eventId: z.string().min(1).max(255),
    eventType: z.string().min(1).max(255),
    payload: z.string().min(2).max(1_000_000),
    receivedAt: z.iso.datetime({ offset: true }),
  }),
);
