/**
 * Queue `esim.usage-alerts` <- esim.record-usage.v1 and esim.record-attachment.v1 (commands exchange of esim), sent
 * by the gateway's eSIM Go callback ingress. The inbox row and the change commit in one transaction; the message id
 * comes from the callback's raw body, so a callback eSIM Go delivered twice is dropped by the inbox.
 *
 *   usage changed concurrently -> TransientError: the retry queue (decided again on the new row)
 *   unknown ICCID, stale or duplicate alert -> acked, logged (see the use cases)
 *   invalid data -> the DLQ (the consumer runner)
 */
import { RecordEsimAttachmentV1, RecordEsimUsageV1 } from '@ttelgo/contracts';
import { TransientError, dispatchByType, route, startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { RecordAttachmentUseCase } from '../../application/record-attachment.use-case';
import { UsageChangedConcurrentlyError, type RecordUsageUseCase } from '../../application/record-usage.use-case';
import type { EsimTx } from '../../infrastructure/esims.repository';

export const USAGE_ALERTS_QUEUE = 'esim.usage-alerts';
export const DEFAULT_USAGE_ALERT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];

export function startUsageAlertsConsumer(
  conn: AmqpConnection,
  opts: {
    useCase: RecordUsageUseCase;
    attachments: RecordAttachmentUseCase;
    inbox: InboxStore;
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: number[];
  },
): Consumer {
  const { contracts, handle } = dispatchByType([
    route(RecordEsimUsageV1, async (data, tx) => {
      try {
        await opts.useCase.execute(tx as EsimTx, data);
      } catch (err) {
        if (err instanceof UsageChangedConcurrentlyError) throw new TransientError(err.message, { cause: err });
        throw err;
      }
    }),
    route(RecordEsimAttachmentV1, (data, tx) => opts.attachments.execute(tx as EsimTx, data)),
  ]);
  return startConsumer(conn, {
    queue: USAGE_ALERTS_QUEUE,
    handlerName: 'esim.record-usage',
    contracts,
    inbox: opts.inbox,
    retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_USAGE_ALERT_RETRY_DELAYS_MS,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    handle,
  });
}
