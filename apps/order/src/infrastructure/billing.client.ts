/** A vendor's status and markup, asked from vendor-billing over billing.get-vendor.v1. */
import { GetVendorV1 } from '@ttelgo/contracts';
import { RpcRemoteError, type RpcClient } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import type { VendorsPort, VendorTerms } from '../application/ports';
import { billingUnavailable, vendorNotFound } from '../domain/order.errors';

export class BillingClient implements VendorsPort {
  constructor(private readonly deps: { rpc: RpcClient; timeoutMs: number; logger: Logger }) {}

  async terms(vendorId: string): Promise<VendorTerms> {
    try {
      const vendor = await this.deps.rpc.call(GetVendorV1, { vendorId }, { timeoutMs: this.deps.timeoutMs });
      return { status: vendor.status, markupBps: vendor.markupBps };
    } catch (err) {
      if (err instanceof RpcRemoteError && err.code === 'VENDOR_NOT_FOUND') throw vendorNotFound(vendorId);
      // Timeouts, no vendor-billing, anything else: nothing was stored, the same request key may be retried.
      this.deps.logger.warn({ err, vendorId }, 'billing.get-vendor.v1 failed');
      throw billingUnavailable(err instanceof Error ? err.name : 'error');
    }
  }
}
