import { LowBalanceV1, type Envelope, type MessageContract } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { RecordBalanceLowUseCase } from '../../application/channels/webhook/record-balance-low.use-case';

export const BILLING_EVENTS_QUEUE = 'notification.billing-events';
export const BILLING_EVENTS_HANDLER = 'notification.billing-events';

type LowBalance = (typeof LowBalanceV1)['schema']['_output'];

const contracts = [LowBalanceV1] as ReadonlyArray<MessageContract>;

/** billing.low-balance.v1 -> a balance.low webhook (inbox row and delivery in one transaction). */
export function startBillingEventsConsumer(
  conn: AmqpConnection,
  opts: { useCase: RecordBalanceLowUseCase; inbox: InboxStore; logger: Logger; metrics?: ServiceMetrics; retryDelaysMs?: readonly number[] },
): Consumer {
  return startConsumer<LowBalance>(conn, {
    queue: BILLING_EVENTS_QUEUE,
    handlerName: BILLING_EVENTS_HANDLER,
    contracts,
    inbox: opts.inbox,
    handle: async (envelope: Envelope<LowBalance>, tx) => {
      const d = envelope.data;
      await opts.useCase.execute(tx, {
        sourceMessageId: envelope.id,
        vendorId: d.vendorId,
        available: { amount: d.available, currency: d.currency },
        threshold: { amount: d.threshold, currency: d.currency },
        occurredAt: d.occurredAt,
      });
    },
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
  });
}
