import { EsimBundleNoticeV1, type DataOf, type Envelope, type MessageContract } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { EsimNotice, RecordEsimNoticeUseCase } from '../../application/record-esim-notice.use-case';

export const ESIM_EVENTS_QUEUE = 'notification.esim-events';
export const ESIM_EVENTS_HANDLER = 'notification.esim-events';

type BundleNotice = DataOf<typeof EsimBundleNoticeV1>;

const contracts = [EsimBundleNoticeV1] as ReadonlyArray<MessageContract>;

/** Maps the versioned contract onto the use case's notice; a v2 adds a case here. */
export function toEsimNotice(envelope: Envelope<BundleNotice>): EsimNotice {
  return { sourceMessageId: envelope.id, sourceType: envelope.type, correlationId: envelope.correlationId, ...envelope.data };
}

/** esim.bundle-notice.v1 -> an e-mail (traveller) or a webhook (reseller); inbox row and delivery in one transaction. */
export function startEsimEventsConsumer(
  conn: AmqpConnection,
  opts: { useCase: RecordEsimNoticeUseCase; inbox: InboxStore; logger: Logger; metrics?: ServiceMetrics; retryDelaysMs?: readonly number[] },
): Consumer {
  return startConsumer<BundleNotice>(conn, {
    queue: ESIM_EVENTS_QUEUE,
    handlerName: ESIM_EVENTS_HANDLER,
    contracts,
    inbox: opts.inbox,
    handle: async (envelope, tx) => {
      await opts.useCase.execute(tx, toEsimNotice(envelope));
    },
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
  });
}
