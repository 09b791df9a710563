/**
 * POSTPAID monthly statements, per calendar month in UTC. Every figure is in "owed" terms (positive = the vendor
 * owes us), the way an invoice reads:
 *   openingBalance = owed at the first instant of the month (sum of all earlier entries of the receivable)
 *   charges        = order charges of the month (minus refunds of order charges, if any)
 *   payments       = PAYMENT transactions received in the month (settlements of what was owed)
 *   adjustments    = net admin adjustments of the month, positive when in the vendor's favour (reduces what is owed)
 *   closingBalance = openingBalance + charges - payments - adjustments   (= owed at the end of the month)
 * Admin adjustments are never counted as payments: a goodwill credit is not cash received.
 */
import type { TransactionKind } from './ledger.posting';

export interface MonthRange {
  start: Date;
  end: Date;
}

export function monthRange(month: string): MonthRange {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new Error(`invalid month ${month}`);
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

export interface StatementFigures {
  openingBalance: number;
  charges: number;
  payments: number;
  adjustments: number;
  closingBalance: number;
}

/**
 * `owedDeltas` are the month's changes of what is owed (the receivable's normal-side balance), summed per kind of
 * ledger transaction.
 */
export function buildStatement(openingOwed: number, owedDeltas: Partial<Record<TransactionKind, number>>): StatementFigures {
  const d = (k: TransactionKind): number => owedDeltas[k] ?? 0;
  const charges = d('ORDER_CHARGE') + d('REFUND');
  // A TOPUP never reaches a receivable; if one did, it reduces what is owed like a payment.
  const payments = 0 - (d('PAYMENT') + d('TOPUP')); // `0 -`: never -0
  const adjustments = 0 - d('ADJUSTMENT');
  return { openingBalance: openingOwed, charges, payments, adjustments, closingBalance: openingOwed + charges - payments - adjustments };
}
