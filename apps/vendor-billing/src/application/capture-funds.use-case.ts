import { FundsCapturedV1, type DataOf, type CaptureFundsV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { orderChargePosting } from '../domain/ledger.posting';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { RawTx } from '../infrastructure/sql';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import type { LowBalanceMonitor } from './low-balance.monitor';
import { PRODUCER, type Clock, type MessageMeta } from './ports';

export type FinishOutcome = { outcome: 'done'; transactionId?: string } | { outcome: 'duplicate' } | { outcome: 'ignored' };

/** The hold of an order that is not there (yet): retried by the consumer, then dead-lettered. */
export class HoldNotFoundError extends Error {
  constructor(orderId: string) {
    super(`no hold for order ${orderId}`);
    this.name = 'HoldNotFoundError';
  }
}

/**
 * billing.capture-funds.v1: HELD -> CAPTURED (guarded), then ONE ledger transaction ORDER_CHARGE (debit the
 * wallet or receivable, credit revenue) that also gives back the reserved amount, in the inbox transaction.
 */
export class CaptureFundsUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock; logger: Logger }) {}

  async execute(tx: RawTx, cmd: DataOf<typeof CaptureFundsV1>, meta: MessageMeta): Promise<FinishOutcome> {
    const { ledger } = this.deps;
    const now = this.deps.clock();
    const hold = await ledger.finishHold(tx, cmd.orderId, 'CAPTURED', now);
    if (!hold) {
      const existing = await ledger.findHold(cmd.orderId, tx);
      if (!existing) throw new HoldNotFoundError(cmd.orderId);
      if (existing.status === 'CAPTURED') return { outcome: 'duplicate' };
      this.deps.logger.error({ orderId: cmd.orderId, status: existing.status }, 'capture-funds for a released hold: nothing captured');
      return { outcome: 'ignored' };
    }
    const vendor = await this.deps.vendors.findById(hold.vendorId, tx);
    if (!vendor) throw new Error(`vendor ${hold.vendorId} of hold ${hold.orderId} does not exist`);
    const revenueAccountId = await ledger.platformAccountId('revenue', hold.currency, tx);
    const posting = orderChargePosting({ vendorId: vendor.id, vendorAccountId: hold.accountId, revenueAccountId, currency: hold.currency, orderId: hold.orderId, amount: hold.amount });
    const result = await ledger.post(tx, posting, { now, releaseReserved: hold.amount });
    if (!result) throw new Error(`order charge of ${hold.orderId} was refused`);
    await enqueue(
      tx,
      FundsCapturedV1,
      { orderId: hold.orderId, vendorId: vendor.id, amount: { amount: hold.amount, currency: hold.currency }, transactionId: result.transactionId },
      { producer: PRODUCER, causationId: meta.messageId },
    );
    await this.deps.lowBalance.afterChange(tx, vendor, result.vendorAccount, now, meta.messageId);
    return { outcome: 'done', transactionId: result.transactionId };
  }
}
