import type { ServiceMetrics } from '@ttelgo/observability';

/**
 * How many messages a service's consumers finished with, from its `messagesConsumed` counter, filtered by any of
 * its labels: `type` (the message name), `handler`, `outcome` (ok, duplicate, retry, dead-letter, invalid). A test
 * reads it before acting and waits for it to grow: "the consumer is done with my message", without a pause.
 */
export async function consumedCount(
  metrics: Pick<ServiceMetrics, 'messagesConsumed'>,
  labels: { type?: string; handler?: string; outcome?: string } = {},
): Promise<number> {
  const metric = await metrics.messagesConsumed.get();
  const wanted = Object.entries(labels).filter(([, value]) => value !== undefined);
  return metric.values.filter((v) => wanted.every(([key, value]) => v.labels[key as keyof typeof v.labels] === value)).reduce((sum, v) => sum + v.value, 0);
}
