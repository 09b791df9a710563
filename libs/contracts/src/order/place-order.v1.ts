import { z } from 'zod';
import { OwnerSchema } from '../common';
import { defineRpc } from '../define';
import { OrderViewSchema } from './order-view';

/**
 * Gateway -> order: place an order. B2C orders start AWAITING_PAYMENT with a Stripe PaymentIntent; B2B orders
 * start PENDING and go to vendor-billing for a hold. `requestKey` makes the call idempotent per owner.
 */
export const PlaceOrderV1 = defineRpc(
  'order.place-order.v1',
  z.object({
    owner: OwnerSchema,
    contactEmail: z.email().optional(),
    bundleName: z.string().min(1).max(200),
    quantity: z.number().int().min(1).max(50),
    customerReference: z.string().max(200).optional(),
    requestKey: z.string().min(1).max(255),
  }),
  OrderViewSchema,
);
