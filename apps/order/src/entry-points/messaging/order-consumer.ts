/**
 * What order's event consumers share: the inbox transaction handed to the use case as an OrderTx, the message id
 * as the history's causation, and the error classification (an unknown order is dead-lettered). Each consumer
 * file only lists its queue and its routes (one use case per message type).
 */
import type { MessageContract } from '@ttelgo/contracts';
import { dispatchByType, route, startConsumer, type AmqpConnection, type Consumer, type InboxStore, type MessageRoute } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OrderTx } from '../../infrastructure/order.repository';
import { classifyHandlerError } from './message-errors';

export interface OrderConsumerOptions {
  inbox: InboxStore;
  logger: Logger;
  metrics?: ServiceMetrics;
  retryDelaysMs?: number[];
}

export function orderRoute<T>(contract: MessageContract<T>, run: (tx: OrderTx, data: T, meta: { messageId: string }) => Promise<unknown>): MessageRoute {
  return route(contract, (data, tx, envelope) => run(tx as OrderTx, data, { messageId: envelope.id }));
}

export function startOrderConsumer(
  conn: AmqpConnection,
  queue: { name: string; handlerName: string; routes: readonly MessageRoute[] },
  opts: OrderConsumerOptions,
): Consumer {
  const { contracts, handle } = dispatchByType(queue.routes);
  return startConsumer<unknown>(conn, {
    queue: queue.name,
    handlerName: queue.handlerName,
    contracts,
    inbox: opts.inbox,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    // Runs in the inbox transaction: the use case's effects commit with the inbox row.
    handle: async (envelope, tx) => {
      try {
        await handle(envelope, tx);
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
