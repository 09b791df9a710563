import { VendorChangedV1, type DataOf, type UpdateVendorV1, type VendorView } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import { vendorNotFound } from '../domain/billing.errors';
import { applyVendorChanges, vendorChanged } from '../domain/vendor.rules';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toVendorView } from './billing.views';
import type { LowBalanceMonitor } from './low-balance.monitor';
import { PRODUCER, type Clock } from './ports';

/**
 * billing.update-vendor.v1 (admin): status, credit limit, markup, rate limit, low-balance threshold; only the
 * fields given change. When status, a limit or the markup changes, billing.vendor-changed.v1 goes out through the
 * outbox in the same transaction, so gateways drop their cached copy. A credit limit cannot go below what the
 * vendor already owes plus holds (CREDIT_LIMIT_BELOW_EXPOSURE): the account's CHECK would refuse it anyway.
 */
export class UpdateVendorUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; lowBalance: LowBalanceMonitor; clock: Clock }) {}

  async execute(req: DataOf<typeof UpdateVendorV1>): Promise<VendorView> {
    const { vendors, ledger } = this.deps;
    return ledger.transaction(async (tx) => {
      const now = this.deps.clock();
      // Lock order as everywhere: the account first, then the vendor row.
      let account = await ledger.vendorAccount(req.vendorId, tx, { lock: true });
      const before = account ? await vendors.lock(tx, req.vendorId) : null;
      if (!account || !before) throw vendorNotFound(req.vendorId);
      const after = applyVendorChanges(before, req, account, now);
      await vendors.save(tx, after);
      if (after.creditLimit !== null && after.creditLimit !== before.creditLimit) account = await ledger.setCreditLimit(tx, account.id, after.creditLimit, now);
      if (vendorChanged(before, after)) {
        await enqueue(tx, VendorChangedV1, { vendorId: after.id, status: after.status, rateLimitPerMinute: after.rateLimitPerMinute, markupBps: after.markupBps }, { producer: PRODUCER });
      }
      if (after.lowBalanceThreshold !== before.lowBalanceThreshold || after.creditLimit !== before.creditLimit) {
        await this.deps.lowBalance.afterChange(tx, after, account, now);
      }
      return toVendorView(after);
    });
  }
}
