import { CatalogueUpdatedV1, VendorChangedV1 } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';

export const VENDOR_CACHE_QUEUE = 'order.vendor-cache';
export const CATALOGUE_CACHE_QUEUE = 'order.catalogue-cache';

/**
 * Drops place-order's cached vendor terms and bundle prices the moment vendor-billing or esim-provisioning says
 * they changed. Broadcast: every replica holds its own cache, so each reads its own exclusive queue. No inbox and
 * no retries: dropping an entry twice is harmless, and the TTL bounds staleness if an event is lost.
 */
export function startPricingCacheInvalidation(
  conn: AmqpConnection,
  opts: {
    vendors: { invalidate(vendorId: string): void };
    catalogue: { invalidateAll(): void };
    logger: Logger;
    metrics?: ServiceMetrics;
  },
): Consumer[] {
  const common = { broadcast: {}, retryDelaysMs: [], logger: opts.logger, ...(opts.metrics ? { metrics: opts.metrics } : {}) };
  return [
    startConsumer(conn, {
      ...common,
      queue: VENDOR_CACHE_QUEUE,
      handlerName: 'invalidate-vendor-terms',
      contracts: [VendorChangedV1],
      handle: async (envelope) => {
        opts.vendors.invalidate(envelope.data.vendorId);
        opts.logger.info({ vendorId: envelope.data.vendorId, status: envelope.data.status, messageId: envelope.id }, 'vendor changed; cached terms dropped');
      },
    }),
    startConsumer(conn, {
      ...common,
      queue: CATALOGUE_CACHE_QUEUE,
      handlerName: 'invalidate-bundle-prices',
      contracts: [CatalogueUpdatedV1],
      handle: async (envelope) => {
        opts.catalogue.invalidateAll();
        opts.logger.info({ revision: envelope.data.revision, messageId: envelope.id }, 'catalogue changed; cached bundle prices dropped');
      },
    }),
  ];
}
