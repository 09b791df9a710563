import { z } from 'zod';
import { MoneySchema, OrderStatusSchema, pageOf } from '../common';
import { OrderPaymentSchema, PageQuerySchema } from './orders.http';
import { VendorEventViewSchema, WebhookEventTypeSchema } from '../notification/vendor-events.v1';

/*
 * Public HTTP schemas of the reseller API (`/api/v1/vendor/*`, header X-API-Key). Request bodies are STRICT
 * (z.strictObject): a field the vendor may not write (price, total, status, creditLimit, vendorId ...) is a 400
 * VALIDATION_FAILED naming it, never silently applied or silently dropped (OWASP API3, mass assignment).
 */

const bundleName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'invalid bundle name');

/** Body of `POST /api/v1/vendor/orders`. The price comes from the vendor's markup, never from the request. */
export const VendorPlaceOrderRequestSchema = z.strictObject({
  bundleName,
  quantity: z.number().int().min(1).max(50),
  /** The vendor's own reference (e.g. its customer's order number), stored and returned as given. */
  customerReference: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not allowed').optional(),
});
export type VendorPlaceOrderRequest = z.infer<typeof VendorPlaceOrderRequestSchema>;

/** An eSIM of a vendor order: the ICCID always; the install data once the order is COMPLETED (on the order routes that fetch it). */
export const VendorOrderEsimSchema = z.object({
  iccid: z.string(),
  smdpAddress: z.string().optional(),
  matchingId: z.string().optional(),
  lpa: z.string().optional(),
  appleInstallUrl: z.string().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});

export const VendorOrderResponseSchema = z.object({
  id: z.uuid(),
  status: OrderStatusSchema,
  /** NEW: new eSIMs; TOPUP: one more bundle on the eSIM `iccid`. */
  kind: z.enum(['NEW', 'TOPUP']),
  iccid: z.string().nullable(),
  bundleName: z.string(),
  quantity: z.number().int().min(1),
  unitPrice: MoneySchema,
  total: MoneySchema,
  customerReference: z.string().nullable(),
  esims: z.array(VendorOrderEsimSchema),
  /** Why the order was REJECTED (INSUFFICIENT_FUNDS, CREDIT_LIMIT_EXCEEDED, VENDOR_SUSPENDED) or FAILED. */
  failureReason: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type VendorOrderResponse = z.infer<typeof VendorOrderResponseSchema>;

export const VendorOrderListResponseSchema = pageOf(VendorOrderResponseSchema);
export type VendorOrderListResponse = z.infer<typeof VendorOrderListResponseSchema>;

/** `GET /api/v1/vendor/balance`. Minor units of `currency`. */
export const VendorBalanceResponseSchema = z.object({
  billingMode: z.enum(['PREPAID', 'POSTPAID']),
  currency: z.string(),
  balance: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  creditLimit: z.number().int().nullable(),
});
export type VendorBalanceResponse = z.infer<typeof VendorBalanceResponseSchema>;

export const VendorLedgerEntrySchema = z.object({
  transactionId: z.uuid(),
  kind: z.enum(['TOPUP', 'ORDER_CHARGE', 'ADJUSTMENT', 'PAYMENT', 'REFUND']),
  amount: z.number().int(),
  currency: z.string(),
  balanceAfter: z.number().int(),
  description: z.string(),
  orderId: z.uuid().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export const VendorLedgerResponseSchema = pageOf(VendorLedgerEntrySchema);
export type VendorLedgerResponse = z.infer<typeof VendorLedgerResponseSchema>;

/** `{month}` of the statement routes: a calendar month, UTC, `YYYY-MM`. */
export const StatementMonthParamsSchema = z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected YYYY-MM') });

/**
 * `GET /api/v1/vendor/statements/{month}` and `GET /api/v1/admin/vendors/{id}/statements/{month}`: a POSTPAID
 * vendor's month in "owed" terms (minor units of `currency`): closingBalance = openingBalance + charges − payments −
 * adjustments. Charges are net of refunds; adjustments are positive when in the vendor's favour. `final` is false
 * for the month still running (its figures are as of now).
 */
export const StatementResponseSchema = z.object({
  month: z.string(),
  currency: z.string(),
  openingBalance: z.number().int(),
  charges: z.number().int(),
  payments: z.number().int(),
  adjustments: z.number().int(),
  closingBalance: z.number().int(),
  final: z.boolean(),
});
export type StatementResponse = z.infer<typeof StatementResponseSchema>;

/** Body of `POST /api/v1/vendor/topups`: minor units of the vendor's currency (1.00 to 1,000,000.00). */
export const VendorTopupRequestSchema = z.strictObject({
  amount: z.number().int().min(100).max(1_000_000_00),
});
export type VendorTopupRequest = z.infer<typeof VendorTopupRequestSchema>;

export const VendorTopupResponseSchema = z.object({
  topupId: z.uuid(),
  amount: MoneySchema,
  status: z.enum(['AWAITING_PAYMENT', 'CREDITED', 'FAILED']),
  payment: OrderPaymentSchema,
});
export type VendorTopupResponse = z.infer<typeof VendorTopupResponseSchema>;

/** Body of `PUT /api/v1/vendor/webhook-endpoint`. */
export const VendorWebhookEndpointRequestSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, hostname: z.regexes.hostname }).max(2000),
  /** Issue a new signing secret (the old one stops verifying at once). */
  rotateSecret: z.boolean().optional(),
});
export type VendorWebhookEndpointRequest = z.infer<typeof VendorWebhookEndpointRequestSchema>;

export const VendorWebhookEndpointResponseSchema = z.object({
  url: z.string(),
  /** `whsec_...`: verify `TtelGo-Signature` with it. */
  secret: z.string(),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type VendorWebhookEndpointResponse = z.infer<typeof VendorWebhookEndpointResponseSchema>;

/** `GET /api/v1/vendor/events`: cursor pages, newest first, optionally of one event type. */
export const ListVendorEventsQuerySchema = PageQuerySchema.extend({ type: WebhookEventTypeSchema.optional() });
export type ListVendorEventsQuery = z.infer<typeof ListVendorEventsQuerySchema>;

/** A malformed id is 400 VALIDATION_FAILED; another reseller's event is 404 EVENT_NOT_FOUND. */
export const VendorEventIdParamsSchema = z.strictObject({ id: z.uuid() });

export const VendorEventResponseSchema = VendorEventViewSchema;
export type VendorEventResponse = z.infer<typeof VendorEventResponseSchema>;
export const VendorEventListResponseSchema = pageOf(VendorEventViewSchema);
export type VendorEventListResponse = z.infer<typeof VendorEventListResponseSchema>;

/** Body of `POST /api/v1/vendor/webhook-endpoint/test`. */
export const VendorTestWebhookRequestSchema = z.strictObject({ type: WebhookEventTypeSchema });
export type VendorTestWebhookRequest = z.infer<typeof VendorTestWebhookRequestSchema>;
