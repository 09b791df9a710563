/**
 * Balances as the vendor sees them. A vendor account stores `balance` on its normal side (wallet: what we owe
 * the vendor; receivable: what the vendor owes us), so the vendor's own balance is `balance` for a wallet and
 * `-balance` for a receivable (negative = owed), as in the billing contracts.
 */
import type { VendorAccountKind } from './ledger.posting';

export type BillingMode = 'PREPAID' | 'POSTPAID';

export interface VendorAccountState {
  kind: VendorAccountKind;
  /** normal-side balance, minor units */
  balance: number;
  reserved: number;
  /** receivable only */
  creditLimit: number | null;
}

export function accountKindFor(mode: BillingMode): VendorAccountKind {
  return mode === 'PREPAID' ? 'wallet' : 'receivable';
}

export function vendorBalance(a: VendorAccountState): number {
  // `0 - x`, not `-x`: an empty receivable is 0, never -0 (which JSON and deep equality treat differently).
  return a.kind === 'wallet' ? a.balance : 0 - a.balance;
}

/** What new orders may use: balance - reserved (+ credit limit for POSTPAID). Never negative by the CHECKs. */
export function availableBalance(a: VendorAccountState): number {
  return vendorBalance(a) - a.reserved + (a.kind === 'receivable' ? (a.creditLimit ?? 0) : 0);
}

/** POSTPAID exposure: what is owed plus what is held. */
export function exposure(a: VendorAccountState): number {
  return a.kind === 'receivable' ? a.balance + a.reserved : 0;
}

export type ShortfallCode = 'INSUFFICIENT_FUNDS' | 'CREDIT_LIMIT_EXCEEDED';

export function shortfallCode(kind: VendorAccountKind): ShortfallCode {
  return kind === 'wallet' ? 'INSUFFICIENT_FUNDS' : 'CREDIT_LIMIT_EXCEEDED';
}

/** Whether a change of the vendor's balance by `vendorDelta` (negative = against the vendor) keeps available >= 0. */
export function canApply(a: VendorAccountState, vendorDelta: number): boolean {
  return vendorDelta >= 0 || availableBalance(a) + vendorDelta >= 0;
}
