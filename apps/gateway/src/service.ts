import { Counter } from 'prom-client';
import { listen, startOpsServer, type RunningServer } from '@ttelgo/http';
import { AmqpConnection, RpcClient, type Consumer } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger } from '@ttelgo/observability';
import type { GatewayConfig } from './config';
import type { CachedJson } from './entry-points/http/cached-json';
import { createGatewayHttpApp } from './entry-points/http/http.app';
import { buildOpenApiDocument } from './entry-points/http/openapi/openapi.document';
import { startCatalogueCacheInvalidation } from './entry-points/messaging/catalogue-updated.consumer';
import { ResponseCache } from './infrastructure/response.cache';
import { createServiceCaller } from './rpc/service.caller';

export interface GatewayHandle {
  port: number;
  opsPort: number;
  /** Stops accepting and drains HTTP, then stops the consumer, the RPC client, AMQP and the ops server. */
  close(): Promise<void>;
}

type Closer = { name: string; close: () => Promise<void> };

/**
 * Composes the gateway. In this issue it has no database: the public catalogue is served from esim-provisioning over
 * RPC, through an in-memory response cache that the catalogue-updated event empties.
 */
export async function startGateway(config: GatewayConfig, opts: { logger?: Logger } = {}): Promise<GatewayHandle> {
  const logger = opts.logger ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const metrics = createMetrics('gateway');
  const cacheOutcomes = new Counter({
    name: 'ttelgo_gateway_catalogue_cache_total',
    help: 'Catalogue response cache lookups by outcome (hit, miss, joined = waited for a load already running)',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
  const closers: Closer[] = [];
  const closeAll = async (): Promise<void> => {
    for (const { name, close } of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        logger.error({ err, component: name }, 'gateway: close failed');
      }
    }
  };

  try {
    const conn = new AmqpConnection({ url: config.AMQP_URL, name: 'gateway', logger });

    // The ops port comes first, so probes get answers (not ready) while the broker is still being reached.
    const ops: RunningServer = await startOpsServer({
      port: config.OPS_PORT,
      logger,
      metrics,
      readiness: { rabbitmq: () => conn.isConnected() },
      liveness: { rabbitmq: () => conn.disconnectedForMs() < config.AMQP_MAX_DISCONNECTED_MS },
    });
    closers.push({ name: 'ops server', close: () => ops.close() });

    closers.push({ name: 'amqp', close: () => conn.close() });
    await conn.start();

    const rpc = new RpcClient(conn, { logger, metrics, producer: 'gateway', defaultTimeoutMs: config.RPC_TIMEOUT_MS });
    await rpc.start();
    closers.push({ name: 'rpc client', close: () => rpc.stop() });

    const catalogueCache = new ResponseCache<CachedJson>({
      ttlMs: config.CATALOGUE_CACHE_TTL_MS,
      maxEntries: config.CATALOGUE_CACHE_MAX_ENTRIES,
    });
    const consumer: Consumer = startCatalogueCacheInvalidation(conn, { cache: catalogueCache, logger, metrics });
    closers.push({ name: 'catalogue cache consumer', close: () => consumer.stop() });

    const app = createGatewayHttpApp({
      logger,
      metrics,
      esim: createServiceCaller(rpc, { timeoutMs: config.RPC_TIMEOUT_MS }),
      catalogueCache,
      onCatalogueCacheOutcome: (outcome) => cacheOutcomes.inc({ outcome }),
      openApi: buildOpenApiDocument({ publicBaseUrl: config.PUBLIC_BASE_URL }),
    });
    const http = await listen(app, config.PORT);
    closers.push({ name: 'http server', close: () => http.close() });

    logger.info({ port: http.port, opsPort: ops.port }, 'gateway started');
    let closing: Promise<void> | undefined;
    return {
      port: http.port,
      opsPort: ops.port,
      close: () => (closing ??= closeAll().then(() => logger.info('gateway stopped'))),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
