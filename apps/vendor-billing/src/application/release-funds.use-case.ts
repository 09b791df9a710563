import { FundsReleasedV1, type DataOf, type ReleaseFundsV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { RawTx } from '../infrastructure/sql';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { HoldNotFoundError, type FinishOutcome } from './capture-funds.use-case';
import type { LowBalanceMonitor } from './low-balance.monitor';
import { PRODUCER, type Clock, type MessageMeta } from './ports';

/** billing.release-funds.v1: HELD -> RELEASED (guarded) and the held amount becomes available again. No ledger entry. */
export class ReleaseFundsUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock; logger: Logger }) {}

  async execute(tx: RawTx, cmd: DataOf<typeof ReleaseFundsV1>, meta: MessageMeta): Promise<FinishOutcome> {
    const { ledger } = this.deps;
    const now = this.deps.clock();
    const hold = await ledger.finishHold(tx, cmd.orderId, 'RELEASED', now);
    if (!hold) {
      const existing = await ledger.findHold(cmd.orderId, tx);
      if (!existing) throw new HoldNotFoundError(cmd.orderId);
      if (existing.status === 'RELEASED') return { outcome: 'duplicate' };
      // The order was charged: giving the money back is a refund (a new transaction), never an undone capture.
      this.deps.logger.warn({ orderId: cmd.orderId, reason: cmd.reason }, 'release-funds after capture: nothing changed');
      return { outcome: 'ignored' };
    }
    const account = await ledger.releaseReserved(tx, hold.accountId, hold.amount, now);
    await enqueue(
      tx,
      FundsReleasedV1,
      { orderId: hold.orderId, vendorId: hold.vendorId, amount: { amount: hold.amount, currency: hold.currency } },
      { producer: PRODUCER, causationId: meta.messageId },
    );
    const vendor = await this.deps.vendors.findById(hold.vendorId, tx);
    if (vendor) await this.deps.lowBalance.afterChange(tx, vendor, account, now, meta.messageId);
    return { outcome: 'done' };
  }
}
