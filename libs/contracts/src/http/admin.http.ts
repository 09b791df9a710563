import { z } from 'zod';
import { CurrencySchema, OwnerSchema, pageOf } from '../common';
import { OrderResponseSchema } from './orders.http';

/*
 * Public HTTP schemas of the operator API (`/api/v1/admin/*`, JWT with role admin). Bodies are strict: an unknown
 * field is a 400, so a typo never silently leaves a limit unchanged.
 */

/** A markup in percent with at most two decimals (15.25 = 1525 basis points); 0-1000 %. */
const markupPercent = z
  .number()
  .min(0)
  .max(1000)
  .refine((v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'at most two decimals');
const creditLimit = z.number().int().min(0).max(1_000_000_000_00);
const rateLimitPerMinute = z.number().int().min(1).max(100_000);
const lowBalanceThreshold = z.number().int().min(0).max(1_000_000_000_00);

export const VendorStatusHttpSchema = z.enum(['ACTIVE', 'SUSPENDED']);

export const CreateVendorRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  billingMode: z.enum(['PREPAID', 'POSTPAID']),
  currency: CurrencySchema,
  /** POSTPAID only: the most the vendor may owe, minor units. */
  creditLimit: creditLimit.optional(),
  markupPercent: markupPercent.optional(),
  rateLimitPerMinute: rateLimitPerMinute.optional(),
  lowBalanceThreshold: lowBalanceThreshold.optional(),
});
export type CreateVendorRequest = z.infer<typeof CreateVendorRequestSchema>;

/** `PATCH /admin/vendors/{id}`: only the fields given change; at least one. */
export const UpdateVendorRequestSchema = z
  .strictObject({
    status: VendorStatusHttpSchema.optional(),
    creditLimit: creditLimit.optional(),
    markupPercent: markupPercent.optional(),
    rateLimitPerMinute: rateLimitPerMinute.optional(),
    lowBalanceThreshold: lowBalanceThreshold.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field must be given');
export type UpdateVendorRequest = z.infer<typeof UpdateVendorRequestSchema>;

export const AdminVendorResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  billingMode: z.enum(['PREPAID', 'POSTPAID']),
  currency: z.string(),
  status: VendorStatusHttpSchema,
  creditLimit: z.number().int().nullable(),
  markupPercent: z.number(),
  rateLimitPerMinute: z.number().int(),
  lowBalanceThreshold: z.number().int(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type AdminVendorResponse = z.infer<typeof AdminVendorResponseSchema>;
export const AdminVendorListResponseSchema = pageOf(AdminVendorResponseSchema);

export const VendorIdParamsSchema = z.strictObject({ id: z.uuid() });

/** keyIds are lower-case alphanumeric (see the key format `ttk_<keyId>_<secret>`). */
export const ApiKeyParamsSchema = z.strictObject({ id: z.uuid(), keyId: z.string().regex(/^[a-z0-9]{16,40}$/, 'malformed key id') });

export const CreateApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(100).regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not allowed'),
  /** `test`: a sandbox key `ttk_test_<keyId>_<secret>` (simulated providers, a test wallet, data kept apart). Default `live`. */
  mode: z.enum(['live', 'test']).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** The answer to key creation: the only time `key` is ever shown. */
export const CreatedApiKeyResponseSchema = z.object({
  id: z.string(),
  key: z.string().startsWith('ttk_'),
  name: z.string(),
  mode: z.enum(['live', 'test']),
  createdAt: z.iso.datetime({ offset: true }),
});
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponseSchema>;

/** A key as listed: never the secret, nor its hash. */
export const ApiKeyResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  mode: z.enum(['live', 'test']),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().nullable(),
  revokedAt: z.iso.datetime({ offset: true }).nullable(),
  lastUsedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ApiKeyResponse = z.infer<typeof ApiKeyResponseSchema>;
export const ApiKeyListResponseSchema = pageOf(ApiKeyResponseSchema);

/** `POST /admin/vendors/{id}/adjustments`: a signed correction in minor units (never 0), as a new ledger transaction. */
export const AdjustmentRequestSchema = z.strictObject({
  amount: z
    .number()
    .int()
    .min(-1_000_000_000_00)
    .max(1_000_000_000_00)
    .refine((v) => v !== 0, 'amount must not be 0'),
  reason: z.string().trim().min(1).max(500),
});
export type AdjustmentRequest = z.infer<typeof AdjustmentRequestSchema>;

/** The vendor's balance right after an admin's ledger transaction (balance < 0 = owed, POSTPAID). */
const adminBalance = z.object({
  billingMode: z.enum(['PREPAID', 'POSTPAID']),
  currency: z.string(),
  balance: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  creditLimit: z.number().int().nullable(),
});

export const AdjustmentResponseSchema = z.object({
  transactionId: z.uuid(),
  balance: adminBalance,
});

/**
 * `POST /admin/vendors/{id}/payments`: money a POSTPAID vendor paid (bank transfer), in minor units of the vendor's
 * currency, with the bank's reference. Recorded as one PAYMENT ledger transaction; more than is owed becomes credit.
 */
export const RecordPaymentRequestSchema = z.strictObject({
  amount: z.number().int().min(1).max(1_000_000_000_00),
  reference: z.string().trim().min(1).max(100).regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not allowed'),
});
export type RecordPaymentRequest = z.infer<typeof RecordPaymentRequestSchema>;

export const RecordPaymentResponseSchema = z.object({
  transactionId: z.uuid(),
  balance: adminBalance,
});

/**
 * A refund of a whole order: PENDING while the bundles are taken back from eSIM Go and the money goes back (card
 * refund or vendor credit), then SUCCEEDED; REFUSED when a bundle had been used and the refund was not forced.
 */
export const OrderRefundSchema = z.object({
  status: z.enum(['PENDING', 'SUCCEEDED', 'REFUSED']),
  /**
   * What happened at eSIM Go: PENDING (asking), REVOKED (taken back, credited to our balance while unused),
   * ALREADY_USED (used: revoked without a credit when forced, else left alone), FAILED (eSIM Go could not do it);
   * null for refunds made before revocations existed.
   */
  providerRevocation: z.enum(['PENDING', 'REVOKED', 'ALREADY_USED', 'FAILED']).nullable(),
  /** The refund was forced past a used bundle (or a failed revocation). */
  forced: z.boolean(),
  /** Why (and, for an admin refund, who asked: `refund by admin:<userId>: <reason>`). */
  reason: z.string().nullable(),
  requestedAt: z.iso.datetime({ offset: true }),
  refundedAt: z.iso.datetime({ offset: true }).nullable(),
});

/** An order as operators see it: the customer view plus its owner and its refund, if any. */
export const AdminOrderResponseSchema = OrderResponseSchema.extend({ owner: OwnerSchema, refund: OrderRefundSchema.nullable() });
export type AdminOrderResponse = z.infer<typeof AdminOrderResponseSchema>;
export const AdminOrderListResponseSchema = pageOf(AdminOrderResponseSchema);

/**
 * `POST /admin/orders/{id}/refund`: refund a COMPLETED order in full (card orders to the card, vendor orders to
 * the vendor's wallet or receivable), after its bundles are revoked at eSIM Go (refunded to the platform's balance
 * while unused). A used bundle refuses the refund (409 `BUNDLE_ALREADY_USED`) unless `force: true`; a revocation eSIM
 * Go could not make refuses it (409 `PROVIDER_REVOCATION_FAILED`) unless `force: true`. The reason is recorded on the
 * order, in its history and in the audit log (with `force`).
 */
export const RefundOrderRequestSchema = z.strictObject({
  reason: z.string().trim().min(1).max(500),
  /** Refund even though a bundle was already used (or eSIM Go could not revoke it); audited. */
  force: z.boolean().optional(),
});
export type RefundOrderRequest = z.infer<typeof RefundOrderRequestSchema>;

const cursor = z.string().min(1).max(512).regex(/^[A-Za-z0-9_=-]+$/, 'malformed cursor');

/** `GET /admin/audit-log`: newest first; `resource` is `<type>` or `<type>:<id>`. */
export const AuditLogQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: cursor.optional(),
  actorId: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(200).optional(),
  resource: z.string().min(1).max(300).regex(/^[a-z][a-z0-9_-]{0,49}(:[^\s]{1,200})?$/, 'expected <type> or <type>:<id>').optional(),
});
export type AuditLogQuery = z.infer<typeof AuditLogQuerySchema>;

export const AuditLogEntrySchema = z.object({
  id: z.uuid(),
  at: z.iso.datetime({ offset: true }),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  outcome: z.enum(['success', 'failure', 'error']),
  statusCode: z.number().int(),
  method: z.string(),
  path: z.string(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const AuditLogListResponseSchema = pageOf(AuditLogEntrySchema);
export type AuditLogListResponse = z.infer<typeof AuditLogListResponseSchema>;
