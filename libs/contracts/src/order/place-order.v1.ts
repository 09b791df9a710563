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

/**
 * Gateway -> order: top up an eSIM the owner already has with one more bundle (an order of kind TOPUP, quantity
 * 1). Before anything is stored, esim-provisioning checks that the eSIM is the owner's and that eSIM Go can apply
 * the bundle to it (esim.quote-topup.v1): ESIM_NOT_FOUND (404), BUNDLE_NOT_FOUND (404), BUNDLE_NOT_COMPATIBLE
 * (422). Then it goes on like place-order: B2C AWAITING_PAYMENT with a PaymentIntent, B2B PENDING and a hold.
 * Idempotent per (owner, requestKey), shared with place-order.
 */
export const PlaceTopupV1 = defineRpc(
  'order.place-topup.v1',
  z.object({
    owner: OwnerSchema,
    contactEmail: z.email().optional(),
    iccid: z.string().regex(/^[0-9]{18,22}$/),
    bundleName: z.string().min(1).max(200),
    customerReference: z.string().max(200).optional(),
    requestKey: z.string().min(1).max(255),
  }),
  OrderViewSchema,
);
