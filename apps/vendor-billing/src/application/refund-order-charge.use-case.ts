import { OrderChargeRefundedV1, type DataOf, type RefundOrderChargeV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { BillingError } from '../domain/billing.errors';
import { orderRefundPosting } from '../domain/ledger.posting';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { RawTx } from '../infrastructure/sql';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { HoldNotFoundError } from './capture-funds.use-case';
import type { LowBalanceMonitor } from './low-balance.monitor';
import { PRODUCER, type Clock, type MessageMeta } from './ports';

export type RefundOutcome = { outcome: 'done' | 'duplicate'; transactionId: string };

/** The order's hold is still HELD: its capture has not been applied yet (retried by the consumer). */
export class ChargeNotCapturedError extends Error {
  constructor(orderId: string) {
    super(`the charge of order ${orderId} is not captured yet`);
    this.name = 'ChargeNotCapturedError';
  }
}

/**
 * billing.refund-order-charge.v1 (an admin refund of a COMPLETED vendor order): ONE REFUND transaction per order
 * that mirrors the captured charge (credit the wallet or receivable, debit revenue), then
 * billing.order-charge-refunded.v1. Serialised per order by an advisory lock on the posting's idempotency key,
 * so a re-sent command finds the refund and announces it again instead of posting twice. A hold that was
 * released (never charged) is refused for good (dead-lettered): there is nothing to give back.
 */
export class RefundOrderChargeUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock; logger: Logger }) {}

  async execute(tx: RawTx, cmd: DataOf<typeof RefundOrderChargeV1>, meta: MessageMeta): Promise<RefundOutcome> {
    const { ledger } = this.deps;
    const now = this.deps.clock();
    const hold = await ledger.findHold(cmd.orderId, tx);
    if (!hold) throw new HoldNotFoundError(cmd.orderId);
    if (hold.status === 'HELD') throw new ChargeNotCapturedError(cmd.orderId);
    if (hold.status === 'RELEASED') {
      throw new BillingError('ORDER_NOT_CHARGED', 409, `order ${cmd.orderId} was never charged (its hold was released): nothing to refund`);
    }
    const vendor = await this.deps.vendors.findById(hold.vendorId, tx);
    if (!vendor) throw new Error(`vendor ${hold.vendorId} of hold ${hold.orderId} does not exist`);
    const revenueAccountId = await ledger.platformAccountId('revenue', hold.currency, tx);
    const posting = orderRefundPosting({
      vendorId: vendor.id,
      vendorAccountId: hold.accountId,
      revenueAccountId,
      currency: hold.currency,
      orderId: hold.orderId,
      amount: hold.amount,
      reason: cmd.reason,
    });
    const announce = (transactionId: string) =>
      enqueue(
        tx,
        OrderChargeRefundedV1,
        { orderId: hold.orderId, vendorId: vendor.id, amount: { amount: hold.amount, currency: hold.currency }, transactionId },
        { producer: PRODUCER, causationId: meta.messageId },
      );

    await ledger.lockIdempotencyKey(tx, posting.idempotencyKey);
    const existing = await ledger.findTransactionIdByKey(posting.idempotencyKey, tx);
    if (existing) {
      // Re-sent by the order's reconciliation (our first answer may still be on its way): say it again.
      await announce(existing);
      return { outcome: 'duplicate', transactionId: existing };
    }
    const result = await ledger.post(tx, posting, { now });
    if (!result) throw new Error(`refund of ${hold.orderId} was refused`);
    await announce(result.transactionId);
    this.deps.logger.info({ orderId: hold.orderId, vendorId: vendor.id, amount: hold.amount, currency: hold.currency, transactionId: result.transactionId }, 'order charge refunded');
    await this.deps.lowBalance.afterChange(tx, vendor, result.vendorAccount, now, meta.messageId);
    return { outcome: 'done', transactionId: result.transactionId };
  }
}
