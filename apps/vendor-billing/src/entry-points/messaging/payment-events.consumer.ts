/** Queue `billing.payment-events` <- payment.succeeded.v1 (purpose VENDOR_TOPUP; B2C payments are ignored). */
import { PaymentSucceededV1, type DataOf, type Envelope } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OnPaymentSucceededUseCase } from '../../application/on-payment-succeeded.use-case';
import type { BillingTx } from '../../infrastructure/sql';
import { classifyHandlerError } from './message-errors';

export const PAYMENT_EVENTS_QUEUE = 'billing.payment-events';

export function startPaymentEventsConsumer(
  conn: AmqpConnection,
  opts: { succeeded: OnPaymentSucceededUseCase; inbox: InboxStore; logger: Logger; metrics?: ServiceMetrics; retryDelaysMs?: number[] },
): Consumer {
  return startConsumer<DataOf<typeof PaymentSucceededV1>>(conn, {
    queue: PAYMENT_EVENTS_QUEUE,
    handlerName: 'billing.on-payment-succeeded',
    contracts: [PaymentSucceededV1],
    inbox: opts.inbox,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    handle: async (envelope: Envelope<DataOf<typeof PaymentSucceededV1>>, tx: unknown) => {
      try {
        await opts.succeeded.execute(tx as BillingTx, envelope.data, { messageId: envelope.id });
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
