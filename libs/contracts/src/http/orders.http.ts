import { z } from 'zod';
import { MoneySchema, OrderStatusSchema, pageOf } from '../common';

const bundleName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'invalid bundle name');

/** Body of `POST /api/v1/orders` (B2C). The price is computed by the server, never taken from the client. */
export const PlaceOrderRequestSchema = z.strictObject({
  bundleName,
  quantity: z.number().int().min(1).max(10),
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequestSchema>;

/** What the client needs to confirm the card payment with Stripe.js. */
export const OrderPaymentSchema = z.object({
  paymentIntentId: z.string(),
  clientSecret: z.string(),
  publishableKey: z.string(),
});
export type OrderPayment = z.infer<typeof OrderPaymentSchema>;

/** NEW: eSIMs with a bundle each; TOPUP: one more bundle on an eSIM the buyer already has (`iccid`). */
export const PublicOrderKindSchema = z.enum(['NEW', 'TOPUP']);

export const PlacedOrderResponseSchema = z.object({
  id: z.uuid(),
  status: OrderStatusSchema,
  kind: PublicOrderKindSchema,
  /** TOPUP: the eSIM the bundle goes onto; null for NEW. */
  iccid: z.string().nullable(),
  bundleName: z.string(),
  quantity: z.number().int().min(1),
  total: MoneySchema,
  payment: OrderPaymentSchema,
  createdAt: z.iso.datetime({ offset: true }),
});
export type PlacedOrderResponse = z.infer<typeof PlacedOrderResponseSchema>;

export const OrderResponseSchema = z.object({
  id: z.uuid(),
  status: OrderStatusSchema,
  kind: PublicOrderKindSchema,
  /** TOPUP: the eSIM the bundle goes onto; null for NEW. */
  iccid: z.string().nullable(),
  bundleName: z.string(),
  quantity: z.number().int().min(1),
  total: MoneySchema,
  /** Filled once the order is provisioned; the install data is at `GET /esims/{iccid}`. */
  esims: z.array(z.object({ iccid: z.string() })),
  /** Why the order FAILED (or was REFUNDED), in words fit for the buyer. */
  failureReason: z.string().nullable(),
  customerReference: z.string().nullable(),
  /** Only while the order is AWAITING_PAYMENT (e.g. to retry with another card); null otherwise. */
  payment: OrderPaymentSchema.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type OrderResponse = z.infer<typeof OrderResponseSchema>;

export const OrderListResponseSchema = pageOf(OrderResponseSchema);
export type OrderListResponse = z.infer<typeof OrderListResponseSchema>;

/** Query of list routes (orders, eSIMs): strict, so a misspelt parameter is a 400 rather than silently ignored. */
export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).regex(/^[A-Za-z0-9_=-]+$/, 'malformed cursor').optional(),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

export const ListOrdersQuerySchema = PageQuerySchema;
export type ListOrdersQuery = PageQuery;

/** A malformed id is a 400 VALIDATION_FAILED: it says nothing about which orders exist. */
export const OrderIdParamsSchema = z.strictObject({ id: z.uuid() });
