/** Queue `order.payment-events`: what payment tells us about card payments (purpose B2C_ORDER). */
import {
  PaymentCanceledV1,
  PaymentFailedV1,
  PaymentMismatchedV1,
  PaymentRefundedV1,
  PaymentSucceededV1,
  type DataOf,
  type Envelope,
} from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OnPaymentCanceledUseCase } from '../../application/on-payment-canceled.use-case';
import type { OnPaymentFailedUseCase } from '../../application/on-payment-failed.use-case';
import type { OnPaymentMismatchedUseCase } from '../../application/on-payment-mismatched.use-case';
import type { OnPaymentRefundedUseCase } from '../../application/on-payment-refunded.use-case';
import type { OnPaymentSucceededUseCase } from '../../application/on-payment-succeeded.use-case';
import type { OrderTx } from '../../infrastructure/order.repository';
import { classifyHandlerError } from './message-errors';

export const PAYMENT_EVENTS_QUEUE = 'order.payment-events';

export interface PaymentEventUseCases {
  succeeded: OnPaymentSucceededUseCase;
  failed: OnPaymentFailedUseCase;
  canceled: OnPaymentCanceledUseCase;
  mismatched: OnPaymentMismatchedUseCase;
  refunded: OnPaymentRefundedUseCase;
}

const CONTRACTS = [PaymentSucceededV1, PaymentFailedV1, PaymentCanceledV1, PaymentMismatchedV1, PaymentRefundedV1];

export function startPaymentEventsConsumer(
  conn: AmqpConnection,
  opts: { useCases: PaymentEventUseCases; inbox: InboxStore; logger: Logger; metrics?: ServiceMetrics; retryDelaysMs?: number[] },
): Consumer {
  const { useCases } = opts;
  return startConsumer<unknown>(conn, {
    queue: PAYMENT_EVENTS_QUEUE,
    handlerName: 'order.on-payment-events',
    contracts: CONTRACTS,
    inbox: opts.inbox,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    handle: async (envelope: Envelope<unknown>, rawTx: unknown) => {
      // The inbox transaction: the handler's effects commit with the inbox row.
      const tx = rawTx as OrderTx;
      const meta = { messageId: envelope.id };
      try {
        // The consumer parsed the data with the contract named by envelope.type, so each cast is exact.
        switch (envelope.type) {
          case PaymentSucceededV1.name:
            return await useCases.succeeded.execute(tx, envelope.data as DataOf<typeof PaymentSucceededV1>, meta);
          case PaymentFailedV1.name:
            return await useCases.failed.execute(tx, envelope.data as DataOf<typeof PaymentFailedV1>, meta);
          case PaymentCanceledV1.name:
            return await useCases.canceled.execute(tx, envelope.data as DataOf<typeof PaymentCanceledV1>, meta);
          case PaymentMismatchedV1.name:
            return await useCases.mismatched.execute(tx, envelope.data as DataOf<typeof PaymentMismatchedV1>, meta);
          case PaymentRefundedV1.name:
            return await useCases.refunded.execute(tx, envelope.data as DataOf<typeof PaymentRefundedV1>, meta);
          default:
            throw new Error(`no handler for ${envelope.type}`);
        }
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
