/** Queue `order.billing-events`: what vendor-billing tells us about the holds and refunds of B2B orders. */
import { FundsCapturedV1, FundsRejectedV1, FundsReleasedV1, FundsReservedV1, OrderChargeRefundedV1, type DataOf, type Envelope } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OnFundsRejectedUseCase } from '../../application/on-funds-rejected.use-case';
import type { OnFundsReservedUseCase } from '../../application/on-funds-reserved.use-case';
import type { OnFundsSettledUseCase } from '../../application/on-funds-settled.use-case';
import type { OnOrderChargeRefundedUseCase } from '../../application/on-order-charge-refunded.use-case';
import type { OrderTx } from '../../infrastructure/order.repository';
import { classifyHandlerError } from './message-errors';

export const BILLING_EVENTS_QUEUE = 'order.billing-events';

export interface BillingEventUseCases {
  reserved: OnFundsReservedUseCase;
  rejected: OnFundsRejectedUseCase;
  settled: OnFundsSettledUseCase;
  chargeRefunded: OnOrderChargeRefundedUseCase;
}

const CONTRACTS = [FundsReservedV1, FundsRejectedV1, FundsCapturedV1, FundsReleasedV1, OrderChargeRefundedV1];

export function startBillingEventsConsumer(
  conn: AmqpConnection,
  opts: { useCases: BillingEventUseCases; inbox: InboxStore; logger: Logger; metrics?: ServiceMetrics; retryDelaysMs?: number[] },
): Consumer {
  const { useCases } = opts;
  return startConsumer<unknown>(conn, {
    queue: BILLING_EVENTS_QUEUE,
    handlerName: 'order.on-billing-events',
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
          case FundsReservedV1.name:
            return await useCases.reserved.execute(tx, envelope.data as DataOf<typeof FundsReservedV1>, meta);
          case FundsRejectedV1.name:
            return await useCases.rejected.execute(tx, envelope.data as DataOf<typeof FundsRejectedV1>, meta);
          case FundsCapturedV1.name:
            return await useCases.settled.execute(tx, envelope.data as DataOf<typeof FundsCapturedV1>, 'CAPTURE', meta);
          case FundsReleasedV1.name:
            return await useCases.settled.execute(tx, envelope.data as DataOf<typeof FundsReleasedV1>, 'RELEASE', meta);
          case OrderChargeRefundedV1.name:
            return await useCases.chargeRefunded.execute(tx, envelope.data as DataOf<typeof OrderChargeRefundedV1>, meta);
          default:
            throw new Error(`no handler for ${envelope.type}`);
        }
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
