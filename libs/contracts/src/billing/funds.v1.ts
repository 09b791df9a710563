import { z } from 'zod';
import { CurrencySchema, MoneySchema } from '../common';
import { defineCommand, defineEvent } from '../define';

/** order -> vendor-billing: hold the price of a B2B order (prepaid wallet or postpaid credit). Idempotent per order. */
export const ReserveFundsV1 = defineCommand(
  'billing.reserve-funds.v1',
  z.object({ orderId: z.uuid(), vendorId: z.uuid(), amount: MoneySchema }),
);
/** order -> vendor-billing: the order completed: turn its hold into ledger postings. Idempotent. */
export const CaptureFundsV1 = defineCommand('billing.capture-funds.v1', z.object({ orderId: z.uuid() }));
/** order -> vendor-billing: the order failed: give the held amount back. Idempotent. */
export const ReleaseFundsV1 = defineCommand('billing.release-funds.v1', z.object({ orderId: z.uuid(), reason: z.string().max(500) }));

/**
 * order -> vendor-billing: give a captured order's charge back (an admin refund of a COMPLETED vendor order):
 * ONE REFUND ledger transaction per order, crediting the wallet (PREPAID) or the receivable (POSTPAID).
 * Idempotent per order; a repeated command answers with billing.order-charge-refunded.v1 again.
 */
export const RefundOrderChargeV1 = defineCommand(
  'billing.refund-order-charge.v1',
  z.object({ orderId: z.uuid(), reason: z.string().max(500) }),
);

export const FundsReservedV1 = defineEvent(
  'billing.funds-reserved.v1',
  z.object({ orderId: z.uuid(), vendorId: z.uuid(), amount: MoneySchema }),
);
export const FundsRejectedV1 = defineEvent(
  'billing.funds-rejected.v1',
  z.object({
    orderId: z.uuid(),
    vendorId: z.uuid(),
    code: z.enum(['INSUFFICIENT_FUNDS', 'CREDIT_LIMIT_EXCEEDED', 'VENDOR_SUSPENDED', 'VENDOR_NOT_FOUND', 'CURRENCY_MISMATCH']),
    reason: z.string(),
  }),
);
export const FundsCapturedV1 = defineEvent(
  'billing.funds-captured.v1',
  z.object({ orderId: z.uuid(), vendorId: z.uuid(), amount: MoneySchema, transactionId: z.uuid() }),
);
export const FundsReleasedV1 = defineEvent('billing.funds-released.v1', z.object({ orderId: z.uuid(), vendorId: z.uuid(), amount: MoneySchema }));

/** The charge of an order was given back to the vendor (one REFUND ledger transaction, at most once per order). */
export const OrderChargeRefundedV1 = defineEvent(
  'billing.order-charge-refunded.v1',
  z.object({ orderId: z.uuid(), vendorId: z.uuid(), amount: MoneySchema, transactionId: z.uuid() }),
);

/** The vendor's available balance crossed below its threshold (once per crossing). */
export const LowBalanceV1 = defineEvent(
  'billing.low-balance.v1',
  z.object({ vendorId: z.uuid(), currency: CurrencySchema, available: z.number().int(), threshold: z.number().int().min(0), occurredAt: z.iso.datetime({ offset: true }) }),
);

/** A vendor's status, limits or markup changed: gateways drop what they cached about it at once. */
export const VendorChangedV1 = defineEvent(
  'billing.vendor-changed.v1',
  z.object({
    vendorId: z.uuid(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    rateLimitPerMinute: z.number().int().min(1),
    markupBps: z.number().int().min(0),
  }),
);

/** A top-up was paid and the wallet credited (exactly once per top-up). */
export const WalletCreditedV1 = defineEvent(
  'billing.wallet-credited.v1',
  z.object({ vendorId: z.uuid(), topupId: z.uuid(), amount: MoneySchema, transactionId: z.uuid() }),
);
