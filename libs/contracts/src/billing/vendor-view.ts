import { z } from 'zod';
import { CurrencySchema } from '../common';

export const BillingModeSchema = z.enum(['PREPAID', 'POSTPAID']);
export const VendorStatusSchema = z.enum(['ACTIVE', 'SUSPENDED']);

/** A reseller as vendor-billing knows it. Amounts are minor units of `currency`. */
export const VendorViewSchema = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(200),
  email: z.email(),
  billingMode: BillingModeSchema,
  currency: CurrencySchema,
  status: VendorStatusSchema,
  /** POSTPAID only: the most the vendor may owe; null for PREPAID. */
  creditLimit: z.number().int().min(0).nullable(),
  /** The vendor's price is eSIM Go's cost plus this markup (basis points: 1500 = 15 %). */
  markupBps: z.number().int().min(0).max(100_000),
  rateLimitPerMinute: z.number().int().min(1).max(100_000),
  /** A billing.low-balance.v1 event fires when the available balance falls below this. */
  lowBalanceThreshold: z.number().int().min(0),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type VendorView = z.infer<typeof VendorViewSchema>;

export const BalanceViewSchema = z.object({
  vendorId: z.uuid(),
  billingMode: BillingModeSchema,
  currency: CurrencySchema,
  /** PREPAID: wallet balance; POSTPAID: minus what the vendor owes (<= 0). */
  balance: z.number().int(),
  /** Held for orders in flight. */
  reserved: z.number().int().min(0),
  /** What new orders may use: balance - reserved (+ creditLimit for POSTPAID). */
  available: z.number().int(),
  creditLimit: z.number().int().min(0).nullable(),
});
export type BalanceView = z.infer<typeof BalanceViewSchema>;

export const LedgerEntryViewSchema = z.object({
  transactionId: z.uuid(),
  kind: z.enum(['TOPUP', 'ORDER_CHARGE', 'ADJUSTMENT', 'PAYMENT', 'REFUND']),
  /** Signed effect on the vendor's balance: positive credits it, negative debits it. */
  amount: z.number().int(),
  currency: CurrencySchema,
  balanceAfter: z.number().int(),
  description: z.string(),
  orderId: z.uuid().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type LedgerEntryView = z.infer<typeof LedgerEntryViewSchema>;
