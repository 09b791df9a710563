import type { AdjustBalanceV1, BalanceView, DataOf } from '@ttelgo/contracts';
import { creditLimitExceeded, insufficientFunds, vendorNotFound } from '../domain/billing.errors';
import { adjustmentPosting } from '../domain/ledger.posting';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toBalanceView } from './billing.views';
import type { LowBalanceMonitor } from './low-balance.monitor';
import type { Clock } from './ports';

/**
 * billing.adjust-balance.v1: an admin correction as a NEW ledger transaction (ADJUSTMENT, vendor account vs the
 * adjustments account). Idempotent on (vendor, requestKey): the key is the transaction's idempotency key, and
 * an advisory lock on it makes a concurrent twin wait and then find ours. A debit may not take the available
 * balance below zero (PREPAID: below what is held -> INSUFFICIENT_FUNDS; POSTPAID: over the limit ->
 * CREDIT_LIMIT_EXCEEDED), checked in the same conditional UPDATE that applies it.
 */
export class AdjustBalanceUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock }) {}

  async execute(req: DataOf<typeof AdjustBalanceV1>): Promise<{ transactionId: string; balance: BalanceView }> {
    const { ledger, vendors } = this.deps;
    const vendor = await vendors.findById(req.vendorId);
    if (!vendor) throw vendorNotFound(req.vendorId);
    const adjustmentsAccountId = await ledger.platformAccountId('adjustments', vendor.currency);
    const idempotencyKey = `adjustment:${vendor.id}:${req.requestKey}`;
    return ledger.transaction(async (tx) => {
      const now = this.deps.clock();
      await ledger.lockIdempotencyKey(tx, idempotencyKey);
      const existing = await ledger.findTransactionIdByKey(idempotencyKey, tx);
      const account = await ledger.vendorAccount(vendor.id, tx);
      if (!account) throw new Error(`vendor ${vendor.id} has no account`);
      if (existing) return { transactionId: existing, balance: toBalanceView(vendor, account) };
      const posting = adjustmentPosting({
        vendorId: vendor.id,
        vendorAccountId: account.id,
        adjustmentsAccountId,
        currency: vendor.currency,
        requestKey: req.requestKey,
        amount: req.amount,
        reason: req.reason,
        actor: req.actor,
      });
      const result = await ledger.post(tx, posting, { now, guard: true });
      if (!result) {
        throw account.kind === 'wallet'
          ? insufficientFunds(`an adjustment of ${req.amount} would take the wallet below what is held`)
          : creditLimitExceeded(`an adjustment of ${req.amount} would take the vendor over its credit limit`);
      }
      await this.deps.lowBalance.afterChange(tx, vendor, result.vendorAccount, now);
      return { transactionId: result.transactionId, balance: toBalanceView(vendor, result.vendorAccount) };
    });
  }
}
