import { CatalogueUpdatedV1 } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';

export const CATALOGUE_CACHE_QUEUE = 'gateway.catalogue-cache';

/**
 * Empties the catalogue response cache when esim-provisioning says the catalogue changed.
 * No inbox: invalidation is idempotent. A duplicate or redelivered event empties a cache that is already fresh,
 * which costs one extra RPC per key and nothing else, so there is no state to protect with an inbox row.
 */
export function startCatalogueCacheInvalidation(
  conn: AmqpConnection,
  opts: { cache: { invalidateAll(): void }; logger: Logger; metrics?: ServiceMetrics },
): Consumer {
  return startConsumer(conn, {
    queue: CATALOGUE_CACHE_QUEUE,
    handlerName: 'invalidate-catalogue-cache',
    contracts: [CatalogueUpdatedV1],
    handle: async (envelope) => {
      opts.cache.invalidateAll();
      opts.logger.info(
        { revision: envelope.data.revision, bundleCount: envelope.data.bundleCount, messageId: envelope.id },
        'catalogue changed; response cache invalidated',
      );
    },
    // Every gateway replica holds its own cache, so every replica must see the event: a queue per process.
    broadcast: {},
    // The handler cannot fail, so retry queues would never be used.
    retryDelaysMs: [],
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
}
