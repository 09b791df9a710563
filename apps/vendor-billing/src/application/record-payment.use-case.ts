import type { BalanceView, DataOf, RecordPaymentV1 } from '@ttelgo/contracts';
import { currencyMismatch, paymentNotApplicable, requestKeyReused, vendorNotFound } from '../domain/billing.errors';
import { isPaymentOf, paymentPosting } from '../domain/ledger.posting';
import { assertPositiveAmount } from '../domain/money';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toBalanceView } from './billing.views';
import type { LowBalanceMonitor } from './low-balance.monitor';
import type { Clock } from './ports';

/**
 * billing.record-payment.v1: an admin records money a POSTPAID vendor paid by bank transfer, as ONE PAYMENT ledger
 * transaction (credit the receivable, debit bank_clearing). Idempotent on (vendor, requestKey) the way adjustments
 * are: the key is the transaction's idempotency key and an advisory lock on it makes a concurrent twin wait, then
 * find ours. Unlike adjustments, the same key with another amount or reference is REQUEST_KEY_REUSED rather than
 * the first transaction: answering "recorded" for a payment that was not is worse than a refusal.
 *
 * A payment larger than what is owed is recorded as it is (the receivable goes below zero: credit on account). The
 * money has arrived at the bank; refusing it would make the ledger disagree with the bank statement. A payment
 * only ever raises the available balance, so it is never guarded; a suspended vendor may still pay.
 */
export class RecordPaymentUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock }) {}

  async execute(req: DataOf<typeof RecordPaymentV1>): Promise<{ transactionId: string; balance: BalanceView }> {
    const { ledger, vendors } = this.deps;
    assertPositiveAmount(req.amount);
    const vendor = await vendors.findById(req.vendorId);
    if (!vendor) throw vendorNotFound(req.vendorId);
    if (vendor.billingMode !== 'POSTPAID') throw paymentNotApplicable();
    if (req.currency !== undefined && req.currency !== vendor.currency) throw currencyMismatch(req.currency, vendor.currency);
    const clearingAccountId = await ledger.platformAccountId('bank_clearing', vendor.currency);
    const idempotencyKey = `payment:${vendor.id}:${req.requestKey}`;
    return ledger.transaction(async (tx) => {
      const now = this.deps.clock();
      await ledger.lockIdempotencyKey(tx, idempotencyKey);
      const account = await ledger.vendorAccount(vendor.id, tx);
      if (!account) throw new Error(`vendor ${vendor.id} has no account`);
      const existing = await ledger.findTransactionByKey(idempotencyKey, account.id, tx);
      if (existing) {
        if (existing.amount !== req.amount || !isPaymentOf(existing.description, req.reference)) throw requestKeyReused('payment');
        return { transactionId: existing.id, balance: toBalanceView(vendor, account) };
      }
      const posting = paymentPosting({
        vendorId: vendor.id,
        vendorAccountId: account.id,
        clearingAccountId,
        currency: vendor.currency,
        requestKey: req.requestKey,
        reference: req.reference,
        actor: req.actor,
        amount: req.amount,
      });
      // A credit to the vendor: never refused by the guard, so post() always returns a result here.
      const result = await ledger.post(tx, posting, { now });
      if (!result) throw new Error(`payment ${idempotencyKey} was not posted`);
      // The available balance grew: this may re-arm the low-balance latch (no event is emitted for a rise).
      await this.deps.lowBalance.afterChange(tx, vendor, result.vendorAccount, now);
      return { transactionId: result.transactionId, balance: toBalanceView(vendor, result.vendorAccount) };
    });
  }
}
