import { randomUUID } from 'node:crypto';
import type { CreateVendorV1, DataOf, VendorView } from '@ttelgo/contracts';
import { accountKindFor } from '../domain/balance.rules';
import { requestKeyReused } from '../domain/billing.errors';
import { newVendor, sameOnboarding, type VendorDefaults } from '../domain/vendor.rules';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toVendorView } from './billing.views';
import type { Clock } from './ports';

/**
 * billing.create-vendor.v1: the vendor (ACTIVE) and its one ledger account (a wallet for PREPAID, a receivable
 * for POSTPAID) in one transaction. Idempotent on requestKey: a replay returns the vendor it created; the same key
 * for another vendor is REQUEST_KEY_REUSED.
 */
export class CreateVendorUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository; defaults: VendorDefaults; clock: Clock }) {}

  async execute(req: DataOf<typeof CreateVendorV1>): Promise<VendorView> {
    const { vendors, ledger } = this.deps;
    const replay = async (): Promise<VendorView | undefined> => {
      const existing = await vendors.findByRequestKey(req.requestKey);
      if (!existing) return undefined;
      if (!sameOnboarding(existing, req)) throw requestKeyReused('vendor');
      return toVendorView(existing);
    };
    const earlier = await replay();
    if (earlier) return earlier;

    const vendor = newVendor(req.id ?? randomUUID(), req, this.deps.defaults, this.deps.clock());
    // The platform accounts of this currency exist before the first posting needs them (off the hot paths).
    for (const kind of ['stripe_clearing', 'revenue', 'adjustments'] as const) await ledger.platformAccountId(kind, vendor.currency);
    const created = await ledger.transaction(async (tx) => {
      if (!(await vendors.insertIfAbsent(tx, vendor))) return false;
      await ledger.createVendorAccount(tx, { vendorId: vendor.id, kind: accountKindFor(vendor.billingMode), currency: vendor.currency, creditLimit: vendor.creditLimit, now: vendor.createdAt });
      return true;
    });
    if (created) return toVendorView(vendor);
    const twin = await replay();
    if (!twin) throw new Error('vendor vanished after a conflicting insert');
    return twin;
  }
}
