import { CancelPaymentV1, RefundPaymentV1, type Envelope } from '@ttelgo/contracts';
import { PermanentError, startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { CancelPaymentUseCase } from '../../application/cancel-payment.use-case';
import type { RefundPaymentUseCase } from '../../application/refund-payment.use-case';
import { onCancelPayment, type CancelPaymentCommand } from './on-cancel-payment.handler';
import { onRefundPayment, type RefundPaymentCommand } from './on-refund-payment.handler';

export const COMMANDS_QUEUE = 'payment.commands';

/**
 * Queue `payment.commands` <- payment.refund-payment.v1 and payment.cancel-payment.v1 (commands exchange of
 * payment). Inbox row and effects in one transaction; Stripe outages are retried with growing delays, long
 * enough to ride out a short incident before a command reaches the DLQ.
 */
export function startPaymentCommandsConsumer(
  conn: AmqpConnection,
  opts: {
    refund: RefundPaymentUseCase;
    cancel: CancelPaymentUseCase;
    inbox: InboxStore;
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: number[];
  },
): Consumer {
  const refund = onRefundPayment(opts.refund);
  const cancel = onCancelPayment(opts.cancel);
  return startConsumer<RefundPaymentCommand | CancelPaymentCommand>(conn, {
    queue: COMMANDS_QUEUE,
    handlerName: 'payment.commands',
    contracts: [RefundPaymentV1, CancelPaymentV1],
    inbox: opts.inbox,
    prefetch: 10,
    retryDelaysMs: opts.retryDelaysMs ?? [2_000, 10_000, 60_000, 300_000],
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    handle: async (envelope: Envelope<RefundPaymentCommand | CancelPaymentCommand>, tx) => {
      if (envelope.type === RefundPaymentV1.name) return refund(envelope, tx);
      if (envelope.type === CancelPaymentV1.name) return cancel(envelope, tx);
      throw new PermanentError(`unexpected command ${envelope.type}`);
    },
  });
}
