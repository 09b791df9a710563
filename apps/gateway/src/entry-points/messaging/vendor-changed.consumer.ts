import { VendorChangedV1 } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';

export const VENDOR_CACHE_QUEUE = 'gateway.vendor-cache';

/**
 * Drops what this replica cached about a vendor (status, rate limit, markup) the moment vendor-billing says it
 * changed, so a suspension takes effect at once rather than after VENDOR_CACHE_TTL_MS. Broadcast: every replica
 * holds its own cache, so each reads its own exclusive queue. No inbox: dropping an entry twice is harmless.
 */
export function startVendorCacheInvalidation(
  conn: AmqpConnection,
  opts: { vendors: { invalidate(vendorId: string): void }; logger: Logger; metrics?: ServiceMetrics },
): Consumer {
  return startConsumer(conn, {
    queue: VENDOR_CACHE_QUEUE,
    handlerName: 'invalidate-vendor-cache',
    contracts: [VendorChangedV1],
    handle: async (envelope) => {
      opts.vendors.invalidate(envelope.data.vendorId);
      opts.logger.info({ vendorId: envelope.data.vendorId, status: envelope.data.status, messageId: envelope.id }, 'vendor changed; cached vendor dropped');
    },
    broadcast: {},
    retryDelaysMs: [],
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
}
