import { z } from 'zod';
import { MoneySchema, OrderStatusSchema, OwnerSchema } from '../common';

/** NEW: eSIMs bought with a bundle each; TOPUP: one bundle applied to an eSIM the owner already has. */
export const OrderKindSchema = z.enum(['NEW', 'TOPUP']);
export type OrderKind = z.infer<typeof OrderKindSchema>;

/** An order as the order service shows it to the gateway (RPC replies and events share it). */
export const OrderViewSchema = z.object({
  id: z.uuid(),
  owner: OwnerSchema,
  status: OrderStatusSchema,
  /** Absent from answers of order services older than top-ups: read as NEW. */
  kind: OrderKindSchema.optional(),
  /** TOPUP: the eSIM the bundle is applied to; null for NEW orders. */
  iccid: z.string().nullable().optional(),
  bundleName: z.string().min(1),
  quantity: z.number().int().min(1),
  unitPrice: MoneySchema,
  total: MoneySchema,
  customerReference: z.string().max(200).nullable(),
  esims: z.array(z.object({ iccid: z.string() })),
  failureReason: z.string().nullable(),
  payment: z
    .object({
      paymentIntentId: z.string(),
      clientSecret: z.string(),
      publishableKey: z.string(),
    })
    .nullable(),
  /**
   * A refund of the whole order: PENDING while payment (card) or vendor-billing (wallet/credit) is giving the
   * money back, SUCCEEDED when it confirmed. Absent or null when no refund was asked for.
   */
  refund: z
    .object({
      status: z.enum(['PENDING', 'SUCCEEDED']),
      reason: z.string().nullable(),
      requestedAt: z.iso.datetime({ offset: true }),
      refundedAt: z.iso.datetime({ offset: true }).nullable(),
    })
    .nullable()
    .optional(),
  /**
   * An admin refund takes the order's bundles back from eSIM Go first: PENDING until esim-provisioning answered,
   * then REVOKED, ALREADY_USED (a bundle was used: the refund goes on only when `forced`) or FAILED. Absent or null
   * when no admin refund was asked for (and on orders refunded before revocations existed).
   */
  revocation: z
    .object({
      status: z.enum(['PENDING', 'REVOKED', 'ALREADY_USED', 'FAILED']),
      forced: z.boolean(),
      /** Who asked and why (`refund by admin:<userId>: <reason>`). */
      reason: z.string().nullable(),
      requestedAt: z.iso.datetime({ offset: true }),
      decidedAt: z.iso.datetime({ offset: true }).nullable(),
    })
    .nullable()
    .optional(),
  /** When the reseller cancelled this order itself (self-service); null or absent otherwise. */
  cancelRequestedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type OrderView = z.infer<typeof OrderViewSchema>;
