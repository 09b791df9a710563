import type { VendorView } from '@ttelgo/contracts';
import { vendorNotFound } from '../domain/billing.errors';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toVendorView } from './billing.views';

/** billing.get-vendor.v1 (order reads markupBps and status from it for every B2B order). */
export class GetVendorUseCase {
  constructor(private readonly deps: { vendors: VendorRepository }) {}

  async execute(req: { vendorId: string }): Promise<VendorView> {
    const vendor = await this.deps.vendors.findById(req.vendorId);
    if (!vendor) throw vendorNotFound(req.vendorId);
    return toVendorView(vendor);
  }
}
