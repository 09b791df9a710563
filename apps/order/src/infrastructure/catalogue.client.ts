/** The price of a bundle (retail, or at a vendor's markup), asked from esim-provisioning over esim.get-bundle.v1. */
import { GetBundleV1 } from '@ttelgo/contracts';
import { RpcRemoteError, type RpcClient } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import type { CataloguePort } from '../application/ports';
import type { Money } from '../domain/money';
import { bundleNotFound, catalogueUnavailable } from '../domain/order.errors';

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
}
