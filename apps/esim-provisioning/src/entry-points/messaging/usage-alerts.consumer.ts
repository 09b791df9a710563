/**
 * Queue `esim.usage-alerts` <- esim.record-usage.v1 (commands exchange of esim), sent by the gateway's eSIM Go
 * callback ingress. The inbox row and the usage update commit in one transaction; the message id comes from the
 * alert's raw body, so an alert eSIM Go delivered twice is dropped by the inbox.
 *
 *   usage changed concurrently -> TransientError: the retry queue (decided again on the new row)
 *   unknown ICCID, stale or duplicate alert -> acked, logged (see the use case)
 *   invalid data -> the DLQ (the consumer runner)
 */
import { RecordEsimUsageV1, type Envelope } from '@ttelgo/contracts';
import { TransientError, startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { UsageChangedConcurrentlyError, type RecordUsageCommand, type RecordUsageUseCase } from '../../application/record-usage.use-case';
import type { EsimTx } from '../../infrastructure/esims.repository';

export const USAGE_ALERTS_QUEUE = 'esim.usage-alerts';
export const DEFAULT_USAGE_ALERT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

export function startUsageAlertsConsumer(
  conn: AmqpConnection,
  opts: { useCase: RecordUsageUseCase; inbox: InboxStore; logger: Logger; metrics?: ServiceMetrics; retryDelaysMs?: number[] },
): Consumer {
  return startConsumer<RecordUsageCommand>(conn, {
    queue: USAGE_ALERTS_QUEUE,
    handlerName: 'esim.record-usage',
    contracts: [RecordEsimUsageV1],
    inbox: opts.inbox,
    retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_USAGE_ALERT_RETRY_DELAYS_MS,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    handle: async (envelope: Envelope<RecordUsageCommand>, tx) => {
      try {
        await opts.useCase.execute(tx as EsimTx, envelope.data);
      } catch (err) {
        if (err instanceof UsageChangedConcurrentlyError) throw new TransientError(err.message, { cause: err });
        throw err;
      }
    },
  });
}
