/**
 * Orders by status (docs/architecture.md#observability), read from the database when Prometheus scrapes: how many orders wait in each
 * in-flight status per channel (B2C card orders, B2B vendor orders), and how old the oldest of them is — a
 * growing age is a stuck saga long before the reconciliation job gives up. Every replica reports the same figures
 * (take max, not sum, across replicas).
 */
import { Gauge } from 'prom-client';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OrderRepository } from './order.repository';

const IN_FLIGHT = ['AWAITING_PAYMENT', 'PENDING', 'PROVISIONING'] as const;
const CHANNELS = { customer: 'B2C', vendor: 'B2B' } as const;

export function registerOrderMetrics(metrics: ServiceMetrics, repository: Pick<OrderRepository, 'inFlightSummary'>, logger: Logger, now: () => Date = () => new Date()): void {
  let summary: Promise<Awaited<ReturnType<OrderRepository['inFlightSummary']>> | undefined> | undefined;
  // One query per scrape for both gauges (each collect() asks; the second reuses the first's answer).
  const read = () => {
    summary ??= repository
      .inFlightSummary(now())
      .catch((err: unknown) => {
        logger.warn({ err }, 'orders-by-status metric: query failed; gauges keep their last values');
        return undefined;
      })
      .finally(() => setImmediate(() => (summary = undefined)));
    return summary;
  };
  const fill = (gauge: Gauge<'status' | 'channel'>, pick: (row: { count: number; oldestAgeSeconds: number }) => number, rows: Awaited<ReturnType<typeof read>>) => {
    if (!rows) return;
    for (const status of IN_FLIGHT) for (const channel of Object.values(CHANNELS)) gauge.set({ status, channel }, 0);
    for (const row of rows) gauge.set({ status: row.status, channel: CHANNELS[row.ownerType] }, pick(row));
  };
  new Gauge({
    name: 'ttelgo_orders_in_flight',
    help: 'Orders waiting in AWAITING_PAYMENT, PENDING or PROVISIONING, by status and channel (B2C/B2B)',
    labelNames: ['status', 'channel'] as const,
    registers: [metrics.registry],
    async collect() {
      fill(this, (r) => r.count, await read());
    },
  });
  new Gauge({
    name: 'ttelgo_orders_oldest_in_flight_age_seconds',
    help: 'Age of the oldest order in each in-flight status, by channel (0 when none)',
    labelNames: ['status', 'channel'] as const,
    registers: [metrics.registry],
    async collect() {
      fill(this, (r) => r.oldestAgeSeconds, await read());
    },
  });
}
