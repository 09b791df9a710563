import { WalletCreditedV1, type DataOf, type PaymentSucceededV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { BillingError } from '../domain/billing.errors';
import { topupPosting } from '../domain/ledger.posting';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { BillingTx } from '../infrastructure/sql';
import type { TopupRepository } from '../infrastructure/topup.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import type { LowBalanceMonitor } from './low-balance.monitor';
import { PRODUCER, type Clock, type MessageMeta } from './ports';

export type CreditOutcome = { outcome: 'credited'; transactionId: string } | { outcome: 'duplicate' } | { outcome: 'ignored' };

/**
 * payment.succeeded.v1 with purpose VENDOR_TOPUP: credit the wallet EXACTLY ONCE per top-up. Two guards, either
 * enough on its own: the top-up's AWAITING_PAYMENT -> CREDITED transition (a redelivered or re-sent event finds
 * it CREDITED and changes nothing), and the ledger transaction's unique idempotency key `topup:<id>`.
 */
export class OnPaymentSucceededUseCase {
  constructor(
    private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; topups: TopupRepository; lowBalance: LowBalanceMonitor; clock: Clock; logger: Logger },
  ) {}

  async execute(tx: BillingTx, event: DataOf<typeof PaymentSucceededV1>, meta: MessageMeta): Promise<CreditOutcome> {
    if (event.purpose !== 'VENDOR_TOPUP') return { outcome: 'ignored' };
    const { ledger, topups } = this.deps;
    const now = this.deps.clock();
    const topup = await topups.findById(event.referenceId, tx);
    // A top-up row commits before its PaymentIntent exists, so an unknown one is not ours: an operator looks.
    if (!topup) throw new BillingError('VENDOR_NOT_FOUND', 404, `payment.succeeded for unknown top-up ${event.referenceId}`);
    if (event.amount.amount !== topup.amount || event.amount.currency !== topup.currency) {
      this.deps.logger.error({ topupId: topup.id, paid: event.amount, expected: { amount: topup.amount, currency: topup.currency } }, 'top-up paid amount differs: not credited');
      throw new BillingError('AMOUNT_OUT_OF_RANGE', 422, `top-up ${topup.id} paid ${event.amount.amount} ${event.amount.currency}, expected ${topup.amount} ${topup.currency}`);
    }
    if (!(await topups.markCredited(tx, topup.id, now))) {
      this.deps.logger.info({ topupId: topup.id, status: topup.status }, 'top-up already credited: nothing to do');
      return { outcome: 'duplicate' };
    }
    const vendor = await this.deps.vendors.findById(topup.vendorId, tx);
    const account = await ledger.vendorAccount(topup.vendorId, tx);
    if (!vendor || !account) throw new Error(`vendor ${topup.vendorId} of top-up ${topup.id} has no account`);
    const clearingAccountId = await ledger.platformAccountId('stripe_clearing', topup.currency, tx);
    const result = await ledger.post(tx, topupPosting({ vendorId: vendor.id, vendorAccountId: account.id, clearingAccountId, currency: topup.currency, topupId: topup.id, amount: topup.amount }), { now });
    if (!result) throw new Error(`top-up ${topup.id} posting refused`);
    await enqueue(
      tx,
      WalletCreditedV1,
      { vendorId: vendor.id, topupId: topup.id, amount: { amount: topup.amount, currency: topup.currency }, transactionId: result.transactionId },
      { producer: PRODUCER, causationId: meta.messageId },
    );
    await this.deps.lowBalance.afterChange(tx, vendor, result.vendorAccount, now, meta.messageId);
    return { outcome: 'credited', transactionId: result.transactionId };
  }
}
