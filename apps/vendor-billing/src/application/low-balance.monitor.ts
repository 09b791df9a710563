import { LowBalanceV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import { availableBalance, type VendorAccountState } from '../domain/balance.rules';
import { lowBalanceTarget } from '../domain/low-balance';
import type { Vendor } from '../domain/vendor.rules';
import type { RawTx } from '../infrastructure/sql';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { PRODUCER } from './ports';

/**
 * Runs after every change of a vendor account's available balance, in the same transaction: flips the vendor's
 * low-balance latch (guarded in SQL against the current row) and emits billing.low-balance.v1 once per crossing.
 */
export class LowBalanceMonitor {
  constructor(private readonly deps: { vendors: VendorRepository }) {}

  async afterChange(tx: RawTx, vendor: Vendor, account: VendorAccountState, now: Date, causationId?: string): Promise<void> {
    // Alerts off and never fired: nothing to flip (the hot path of vendors without a threshold).
    if (vendor.lowBalanceThreshold <= 0 && !vendor.lowBalanceAlerted) return;
    const available = availableBalance(account);
    const target = lowBalanceTarget(vendor.lowBalanceThreshold, available);
    const threshold = await this.deps.vendors.flipLowBalance(tx, vendor.id, target, available, now);
    if (threshold === null || target !== 'alerted') return;
    await enqueue(
      tx,
      LowBalanceV1,
      { vendorId: vendor.id, currency: vendor.currency, available, threshold, occurredAt: now.toISOString() },
      { producer: PRODUCER, ...(causationId ? { causationId } : {}) },
    );
  }
}
