/**
 * Double-entry postings. A ledger transaction is a set of entries whose debits equal its credits, all positive
 * integer amounts in one currency; buildPosting refuses anything else, so no unbalanced transaction is ever
 * sent to the database (where a deferred trigger checks the same rule again at commit).
 */
import { BillingError } from './billing.errors';

export type Direction = 'debit' | 'credit';
export type AccountKind = 'wallet' | 'receivable' | 'stripe_clearing' | 'bank_clearing' | 'revenue' | 'adjustments';
export type VendorAccountKind = Extract<AccountKind, 'wallet' | 'receivable'>;
export type PlatformAccountKind = Exclude<AccountKind, VendorAccountKind>;
export type TransactionKind = 'TOPUP' | 'ORDER_CHARGE' | 'ADJUSTMENT' | 'PAYMENT' | 'REFUND';

/**
 * wallet: what we owe a PREPAID vendor (liability, credit-normal); receivable: what a POSTPAID vendor owes us
 * (asset, debit-normal); stripe_clearing: card money received through Stripe (asset); bank_clearing: money received
 * by bank transfer (asset; kept apart from card money because each is reconciled against a different outside
 * statement: Stripe's balance and payouts vs the bank account); revenue: sales (credit-normal); adjustments: what
 * admins gave (debit) or took (credit) by hand.
 */
export const NORMAL_SIDE: Readonly<Record<AccountKind, Direction>> = {
  wallet: 'credit',
  receivable: 'debit',
  stripe_clearing: 'debit',
  bank_clearing: 'debit',
  revenue: 'credit',
  adjustments: 'debit',
};

export interface PostingLine {
  accountId: string;
  direction: Direction;
  amount: number;
}

export interface Posting {
  kind: TransactionKind;
  vendorId: string;
  orderId: string | null;
  topupId: string | null;
  idempotencyKey: string;
  description: string;
  currency: string;
  /** The vendor account's line comes first (the repository updates that account first). */
  lines: PostingLine[];
}

export class UnbalancedPostingError extends BillingError {
  constructor(detail: string) {
    super('UNBALANCED_TRANSACTION', 500, `refusing to post: ${detail}`);
    this.name = 'UnbalancedPostingError';
  }
}

export function buildPosting(input: Posting): Posting {
  if (input.lines.length < 2) throw new UnbalancedPostingError('a transaction needs at least two entries');
  if (!/^[A-Z]{3}$/.test(input.currency)) throw new UnbalancedPostingError(`invalid currency ${input.currency}`);
  let debits = 0;
  let credits = 0;
  for (const line of input.lines) {
    if (!Number.isSafeInteger(line.amount) || line.amount <= 0) throw new UnbalancedPostingError(`entry amount ${line.amount} is not a positive integer`);
    if (line.direction === 'debit') debits += line.amount;
    else credits += line.amount;
  }
  if (!Number.isSafeInteger(debits) || !Number.isSafeInteger(credits)) throw new UnbalancedPostingError('totals overflow');
  if (debits !== credits) throw new UnbalancedPostingError(`debits ${debits} != credits ${credits}`);
  return { ...input, lines: input.lines.map((l) => ({ ...l })) };
}

/** What an entry does to the normal-side balance of its account. */
export function balanceEffect(normalSide: Direction, direction: Direction, amount: number): number {
  return normalSide === direction ? amount : -amount;
}

/**
 * The vendor account's line for a change of the vendor's own balance (positive = in the vendor's favour):
 * for a wallet and for a receivable alike, a credit is in the vendor's favour and a debit against it.
 */
export function vendorLine(accountId: string, vendorDelta: number): PostingLine {
  return { accountId, direction: vendorDelta > 0 ? 'credit' : 'debit', amount: Math.abs(vendorDelta) };
}

const opposite = (d: Direction): Direction => (d === 'debit' ? 'credit' : 'debit');

interface Common {
  vendorId: string;
  vendorAccountId: string;
  currency: string;
}

/** Card money in: debit stripe_clearing, credit the wallet. */
export function topupPosting(c: Common & { clearingAccountId: string; topupId: string; amount: number }): Posting {
  return buildPosting({
    kind: 'TOPUP',
    vendorId: c.vendorId,
    orderId: null,
    topupId: c.topupId,
    idempotencyKey: `topup:${c.topupId}`,
    description: `card top-up ${c.topupId}`,
    currency: c.currency,
    lines: [
      { accountId: c.vendorAccountId, direction: 'credit', amount: c.amount },
      { accountId: c.clearingAccountId, direction: 'debit', amount: c.amount },
    ],
  });
}

/** A captured order: debit the wallet (PREPAID) or the receivable (POSTPAID), credit revenue. */
export function orderChargePosting(c: Common & { revenueAccountId: string; orderId: string; amount: number }): Posting {
  return buildPosting({
    kind: 'ORDER_CHARGE',
    vendorId: c.vendorId,
    orderId: c.orderId,
    topupId: null,
    idempotencyKey: `order-charge:${c.orderId}`,
    description: `order ${c.orderId}`,
    currency: c.currency,
    lines: [
      { accountId: c.vendorAccountId, direction: 'debit', amount: c.amount },
      { accountId: c.revenueAccountId, direction: 'credit', amount: c.amount },
    ],
  });
}

/**
 * An admin refund of a captured order: the exact mirror of its ORDER_CHARGE (credit the wallet or the receivable,
 * debit revenue), as a new transaction, never an edit of the charge. One per order (its idempotency key).
 */
export function orderRefundPosting(c: Common & { revenueAccountId: string; orderId: string; amount: number; reason: string }): Posting {
  return buildPosting({
    kind: 'REFUND',
    vendorId: c.vendorId,
    orderId: c.orderId,
    topupId: null,
    idempotencyKey: `order-refund:${c.orderId}`,
    description: `refund of order ${c.orderId}: ${c.reason}`.slice(0, 1000),
    currency: c.currency,
    lines: [
      { accountId: c.vendorAccountId, direction: 'credit', amount: c.amount },
      { accountId: c.revenueAccountId, direction: 'debit', amount: c.amount },
    ],
  });
}

/** An admin correction of the vendor's balance by a signed amount, against the adjustments account. */
export function adjustmentPosting(c: Common & { adjustmentsAccountId: string; requestKey: string; amount: number; reason: string; actor: string }): Posting {
  if (c.amount === 0) throw new UnbalancedPostingError('an adjustment of 0 changes nothing');
  const line = vendorLine(c.vendorAccountId, c.amount);
  return buildPosting({
    kind: 'ADJUSTMENT',
    vendorId: c.vendorId,
    orderId: null,
    topupId: null,
    idempotencyKey: `adjustment:${c.vendorId}:${c.requestKey}`,
    description: `adjustment by ${c.actor}: ${c.reason}`.slice(0, 1000),
    currency: c.currency,
    lines: [line, { accountId: c.adjustmentsAccountId, direction: opposite(line.direction), amount: line.amount }],
  });
}

/**
 * The description of a PAYMENT transaction. The reference is JSON-quoted, so `isPaymentOf` can tell exactly which
 * reference a stored payment was recorded with (a reference cannot end the quotes early).
 */
export function paymentDescription(reference: string, actor: string): string {
  return `payment ${JSON.stringify(reference)} recorded by ${actor}`.slice(0, 1000);
}

/** Whether a stored PAYMENT (its description) carries this reference. */
export function isPaymentOf(description: string, reference: string): boolean {
  return description.startsWith(`payment ${JSON.stringify(reference)} recorded by `);
}

/**
 * A POSTPAID vendor settling what it owes (bank transfer): debit bank_clearing, credit the receivable. More than is
 * owed is allowed: the receivable goes below zero, i.e. credit on account in the vendor's favour.
 * One per (vendor, requestKey).
 */
export function paymentPosting(c: Common & { clearingAccountId: string; requestKey: string; reference: string; actor: string; amount: number }): Posting {
  return buildPosting({
    kind: 'PAYMENT',
    vendorId: c.vendorId,
    orderId: null,
    topupId: null,
    idempotencyKey: `payment:${c.vendorId}:${c.requestKey}`,
    description: paymentDescription(c.reference, c.actor),
    currency: c.currency,
    lines: [
      { accountId: c.vendorAccountId, direction: 'credit', amount: c.amount },
      { accountId: c.clearingAccountId, direction: 'debit', amount: c.amount },
    ],
  });
}
