/**
 * The provisioning alerts' figures: whether provisioning is paused (eSIM Go refused our credentials), and how many
 * unfinished provider orders are past the provisioning deadline (read from the database when Prometheus scrapes;
 * every replica reports the same figure, take max across replicas).
 */
import { Gauge } from 'prom-client';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { ProvisioningRepository } from './provisioning.repository';

export function registerProvisioningMetrics(
  metrics: ServiceMetrics,
  deps: { repository: Pick<ProvisioningRepository, 'countUnfinishedSince'>; deadlineMs: number; logger: Logger; now?: () => Date },
): { setPaused(paused: boolean): void } {
  const now = deps.now ?? (() => new Date());
  const paused = new Gauge({
    name: 'ttelgo_provisioning_paused',
    help: '1 while provisioning is paused because eSIM Go refused our credentials or configuration',
    registers: [metrics.registry],
  });
  paused.set(0);
  new Gauge({
    name: 'ttelgo_provider_orders_past_deadline',
    help: 'Unfinished provider orders recorded longer ago than the provisioning deadline',
    registers: [metrics.registry],
    async collect() {
      try {
        this.set(await deps.repository.countUnfinishedSince(new Date(now().getTime() - deps.deadlineMs)));
      } catch (err) {
        deps.logger.warn({ err }, 'provider-orders-past-deadline metric: query failed; the gauge keeps its last value');
      }
    },
  });
  return { setPaused: (p) => paused.set(p ? 1 : 0) };
}
