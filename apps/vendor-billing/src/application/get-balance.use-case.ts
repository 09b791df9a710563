import type { BalanceView } from '@ttelgo/contracts';
import { vendorNotFound } from '../domain/billing.errors';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toBalanceView } from './billing.views';

/** billing.get-balance.v1: balance, reserved and available as the vendor sees them. */
export class GetBalanceUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository }) {}

  async execute(req: { vendorId: string }): Promise<BalanceView> {
    const vendor = await this.deps.vendors.findById(req.vendorId);
    const account = vendor ? await this.deps.ledger.vendorAccount(vendor.id) : null;
    if (!vendor || !account) throw vendorNotFound(req.vendorId);
    return toBalanceView(vendor, account);
  }
}
