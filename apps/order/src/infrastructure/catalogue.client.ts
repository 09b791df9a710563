/**
 * The price of a bundle (retail, or at a vendor's markup), asked from esim-provisioning over esim.get-bundle.v1; and
 * of a top-up over esim.quote-topup.v1, which also checks that the eSIM is the owner's and that eSIM Go can apply it.
 */
import { GetBundleV1, QuoteTopupV1 } from '@ttelgo/contracts';
import { RpcRemoteError, type RpcClient } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import type { CataloguePort } from '../application/ports';
import type { Money } from '../domain/money';
import type { Owner } from '../domain/order';
import { bundleNotCompatible, bundleNotFound, catalogueUnavailable, esimNotFound, providerUnavailable } from '../domain/order.errors';

export class CatalogueClient implements CataloguePort {
  constructor(private readonly deps: { rpc: RpcClient; timeoutMs: number; logger: Logger }) {}

  async unitPrice(bundleName: string, markupBps?: number): Promise<Money> {
    try {
      const request = { name: bundleName, ...(markupBps === undefined ? {} : { markupBps }) };
      const { bundle } = await this.deps.rpc.call(GetBundleV1, request, { timeoutMs: this.deps.timeoutMs });
      return bundle.price;
    } catch (err) {
      if (err instanceof RpcRemoteError && err.code === 'BUNDLE_NOT_FOUND') throw bundleNotFound(bundleName);
      // Timeouts, a broker or catalogue that is away, anything else: the caller may retry with the same key.
      this.deps.logger.warn({ err, bundleName }, 'esim.get-bundle.v1 failed');
      throw catalogueUnavailable(err instanceof Error ? err.name : 'error');
    }
  }

  async topupPrice(req: { owner: Owner; iccid: string; bundleName: string; markupBps?: number }): Promise<Money> {
    try {
      const { bundle } = await this.deps.rpc.call(
        QuoteTopupV1,
        { owner: req.owner, iccid: req.iccid, bundleName: req.bundleName, ...(req.markupBps === undefined ? {} : { markupBps: req.markupBps }) },
        { timeoutMs: this.deps.timeoutMs },
      );
      return bundle.price;
    } catch (err) {
      if (err instanceof RpcRemoteError) {
        if (err.code === 'ESIM_NOT_FOUND') throw esimNotFound(req.iccid);
        if (err.code === 'BUNDLE_NOT_FOUND') throw bundleNotFound(req.bundleName);
        if (err.code === 'BUNDLE_NOT_COMPATIBLE') throw bundleNotCompatible(err.message);
        if (err.code === 'PROVIDER_UNAVAILABLE') throw providerUnavailable(err.message);
      }
      this.deps.logger.warn({ err, iccid: req.iccid, bundleName: req.bundleName }, 'esim.quote-topup.v1 failed');
      throw catalogueUnavailable(err instanceof Error ? err.name : 'error');
    }
  }
}
