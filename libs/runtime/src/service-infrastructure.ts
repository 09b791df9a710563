/**
 * The pieces every service's composition root (apps/<service>/src/service.ts) starts the same way, so each
 * service.ts only says what is its own: the broker connection (with the topology it declares on every connect)
 * and the ops server (Postgres, migrations and broker readiness; process-only liveness; /metrics). Both register their
 * closer, so `closers.closeAll()` stops them in reverse order of start.
 */
import { postgresReadiness } from '@ttelgo/db';
import { startOpsServer, type RunningServer } from '@ttelgo/http';
import { AmqpConnection, type DeclareHook } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { Closers } from './closers';

/** The service's RabbitMQ connection, its topology declared on every (re)connect; not started yet. */
export function createBrokerConnection(opts: { url: string; name: string; logger: Logger; closers: Closers; declare?: DeclareHook }): AmqpConnection {
  const conn = new AmqpConnection({ url: opts.url, name: opts.name, logger: opts.logger });
  if (opts.declare) conn.declare(opts.declare);
  opts.closers.add('amqp', () => conn.close());
  return conn;
}

export async function startServiceOps(opts: {
  port: number;
  logger: Logger;
  metrics: ServiceMetrics;
  closers: Closers;
  postgres: Parameters<typeof postgresReadiness>[0];
  conn: AmqpConnection;
  /** Name of the broker check in /health/ready. Default 'broker'. */
  brokerCheck?: string;
}): Promise<RunningServer> {
  const brokerCheck = opts.brokerCheck ?? 'broker';
  const ops = await startOpsServer({
    port: opts.port,
    logger: opts.logger,
    metrics: opts.metrics,
    readiness: { ...postgresReadiness(opts.postgres), [brokerCheck]: () => opts.conn.isConnected() },
    // Liveness is the process only: /health/live answers while the event loop runs. A broker or database outage
    // makes every replica unready (no traffic, no new work) but restarts none: the connection recovers by itself,
    // and restarting every pod of every service at once would only add a thundering herd to the outage.
  });
  opts.closers.add('ops server', () => ops.close());
  return ops;
}
