import { FundsRejectedV1, FundsReservedV1, type DataOf, type ReserveFundsV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { availableBalance, shortfallCode } from '../domain/balance.rules';
import { assertPositiveAmount } from '../domain/money';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { RawTx } from '../infrastructure/sql';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import type { LowBalanceMonitor } from './low-balance.monitor';
import { PRODUCER, type Clock, type MessageMeta } from './ports';

type RejectCode = DataOf<typeof FundsRejectedV1>['code'];
export type ReserveOutcome = { outcome: 'reserved' } | { outcome: 'rejected'; code: RejectCode } | { outcome: 'duplicate' };

/**
 * billing.reserve-funds.v1: hold an order's price on the vendor's wallet (PREPAID) or credit (POSTPAID), in the
 * caller's transaction (the inbox row's). The hold row is inserted first, so a second command for the same order
 * waits for ours and then finds it (a duplicate re-emits nothing); the funds are then taken by ONE conditional
 * UPDATE of the account (LedgerRepository.reserve).
 */
export class ReserveFundsUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock; logger: Logger }) {}

  async execute(tx: RawTx, cmd: DataOf<typeof ReserveFundsV1>, meta: MessageMeta): Promise<ReserveOutcome> {
    const { vendors, ledger } = this.deps;
    const now = this.deps.clock();
    assertPositiveAmount(cmd.amount.amount, 'reserve amount');
    const reject = async (code: RejectCode, reason: string): Promise<ReserveOutcome> => {
      await enqueue(tx, FundsRejectedV1, { orderId: cmd.orderId, vendorId: cmd.vendorId, code, reason }, { producer: PRODUCER, causationId: meta.messageId });
      this.deps.logger.info({ orderId: cmd.orderId, vendorId: cmd.vendorId, code, reason }, 'funds rejected');
      return { outcome: 'rejected', code };
    };

    const vendor = await vendors.findById(cmd.vendorId, tx);
    if (!vendor) return reject('VENDOR_NOT_FOUND', `vendor ${cmd.vendorId} does not exist`);
    if (vendor.currency !== cmd.amount.currency) return reject('CURRENCY_MISMATCH', `the vendor is billed in ${vendor.currency}, not ${cmd.amount.currency}`);
    if (vendor.status !== 'ACTIVE') return reject('VENDOR_SUSPENDED', 'the vendor is suspended');
    const account = await ledger.vendorAccount(vendor.id, tx);
    if (!account) throw new Error(`vendor ${vendor.id} has no account`);

    const fresh = await ledger.insertHold(tx, { orderId: cmd.orderId, vendorId: vendor.id, accountId: account.id, amount: cmd.amount.amount, currency: cmd.amount.currency }, now);
    if (!fresh) {
      this.deps.logger.info({ orderId: cmd.orderId }, 'reserve-funds for an order that already has a hold: nothing to do');
      return { outcome: 'duplicate' };
    }

    const after = await ledger.reserve(tx, account.id, cmd.amount.amount, now);
    if (!after) {
      await ledger.deleteHeldHold(tx, cmd.orderId);
      // Why did the conditional update match nothing? Read again (the vendor may have been suspended meanwhile).
      const current = await vendors.findById(vendor.id, tx);
      if (current?.status !== 'ACTIVE') return reject('VENDOR_SUSPENDED', 'the vendor is suspended');
      const now2 = (await ledger.vendorAccount(vendor.id, tx)) ?? account;
      return reject(shortfallCode(account.kind), `available ${availableBalance(now2)} ${vendor.currency} is less than ${cmd.amount.amount}`);
    }

    await enqueue(tx, FundsReservedV1, { orderId: cmd.orderId, vendorId: vendor.id, amount: cmd.amount }, { producer: PRODUCER, causationId: meta.messageId });
    await this.deps.lowBalance.afterChange(tx, vendor, after, now, meta.messageId);
    return { outcome: 'reserved' };
  }
}
