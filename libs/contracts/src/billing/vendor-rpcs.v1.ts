import { z } from 'zod';
import { CurrencySchema, pageOf } from '../common';
import { defineRpc } from '../define';
import { BalanceViewSchema, BillingModeSchema, LedgerEntryViewSchema, VendorStatusSchema, VendorViewSchema } from './vendor-view';

/** Admin -> vendor-billing: onboard a reseller (ACTIVE). */
export const CreateVendorV1 = defineRpc(
  'billing.create-vendor.v1',
  z.object({
    /** The id to create the vendor with (the sandbox cell's copy of a live vendor keeps its id); new when absent. */
    id: z.uuid().optional(),
    name: z.string().min(1).max(200),
    email: z.email(),
    billingMode: BillingModeSchema,
    currency: CurrencySchema,
    creditLimit: z.number().int().min(0).max(1_000_000_000_00).optional(),
    markupBps: z.number().int().min(0).max(100_000).optional(),
    rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
    lowBalanceThreshold: z.number().int().min(0).optional(),
    requestKey: z.string().min(1).max(255),
  }),
  VendorViewSchema,
);

export const GetVendorV1 = defineRpc('billing.get-vendor.v1', z.object({ vendorId: z.uuid() }), VendorViewSchema);

export const ListVendorsV1 = defineRpc(
  'billing.list-vendors.v1',
  z.object({ limit: z.number().int().min(1).max(100), cursor: z.string().min(1).max(512).optional() }),
  pageOf(VendorViewSchema),
);

/** Admin -> vendor-billing: status and limits. Only the fields given change. */
export const UpdateVendorV1 = defineRpc(
  'billing.update-vendor.v1',
  z.object({
    vendorId: z.uuid(),
    status: VendorStatusSchema.optional(),
    creditLimit: z.number().int().min(0).max(1_000_000_000_00).optional(),
    markupBps: z.number().int().min(0).max(100_000).optional(),
    rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
    lowBalanceThreshold: z.number().int().min(0).optional(),
  }),
  VendorViewSchema,
);

export const GetBalanceV1 = defineRpc('billing.get-balance.v1', z.object({ vendorId: z.uuid() }), BalanceViewSchema);

export const ListLedgerV1 = defineRpc(
  'billing.list-ledger.v1',
  z.object({ vendorId: z.uuid(), limit: z.number().int().min(1).max(100), cursor: z.string().min(1).max(512).optional() }),
  pageOf(LedgerEntryViewSchema),
);

/** Admin -> vendor-billing: a correction, as a new ledger transaction (never an edit). Signed amount. */
export const AdjustBalanceV1 = defineRpc(
  'billing.adjust-balance.v1',
  z.object({
    vendorId: z.uuid(),
    amount: z.number().int().min(-1_000_000_000_00).max(1_000_000_000_00).refine((v) => v !== 0, 'amount must not be 0'),
    reason: z.string().min(1).max(500),
    actor: z.string().min(1).max(200),
    requestKey: z.string().min(1).max(255),
  }),
  z.object({ transactionId: z.uuid(), balance: BalanceViewSchema }),
);

/**
 * Admin -> vendor-billing: record money a POSTPAID vendor paid us (bank transfer, remittance) as ONE PAYMENT ledger
 * transaction (credit the receivable, debit bank_clearing). Idempotent on (vendor, requestKey). `currency`, when
 * given, must be the vendor's. PREPAID vendors top up by card instead (PAYMENT_NOT_APPLICABLE).
 */
export const RecordPaymentV1 = defineRpc(
  'billing.record-payment.v1',
  z.object({
    vendorId: z.uuid(),
    amount: z.number().int().min(1).max(1_000_000_000_00),
    currency: CurrencySchema.optional(),
    /** The bank transfer / remittance reference, as on the bank statement. */
    reference: z.string().min(1).max(100),
    actor: z.string().min(1).max(200),
    requestKey: z.string().min(1).max(255),
  }),
  z.object({ transactionId: z.uuid(), balance: BalanceViewSchema }),
);

/** Vendor -> vendor-billing: start a wallet top-up paid by card; the wallet is credited on payment success. */
export const CreateTopupV1 = defineRpc(
  'billing.create-topup.v1',
  z.object({ vendorId: z.uuid(), amount: z.number().int().min(100).max(1_000_000_00), requestKey: z.string().min(1).max(255) }),
  z.object({
    topupId: z.uuid(),
    amount: z.object({ amount: z.number().int(), currency: CurrencySchema }),
    status: z.enum(['AWAITING_PAYMENT', 'CREDITED', 'FAILED']),
    payment: z.object({ paymentIntentId: z.string(), clientSecret: z.string(), publishableKey: z.string() }),
  }),
);

/** A POSTPAID vendor's monthly statement. */
export const GetStatementV1 = defineRpc(
  'billing.get-statement.v1',
  z.object({ vendorId: z.uuid(), month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }),
  z.object({
    vendorId: z.uuid(),
    month: z.string(),
    currency: CurrencySchema,
    openingBalance: z.number().int(),
    charges: z.number().int(),
    payments: z.number().int(),
    adjustments: z.number().int(),
    closingBalance: z.number().int(),
  }),
);
