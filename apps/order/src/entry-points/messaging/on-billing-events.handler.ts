/** Queue `order.billing-events`: what vendor-billing tells us about the holds and refunds of B2B orders. */
import { FundsCapturedV1, FundsRejectedV1, FundsReleasedV1, FundsReservedV1, OrderChargeRefundedV1 } from '@ttelgo/contracts';
import type { AmqpConnection, Consumer } from '@ttelgo/messaging';
import type { OnFundsRejectedUseCase } from '../../application/on-funds-rejected.use-case';
import type { OnFundsReservedUseCase } from '../../application/on-funds-reserved.use-case';
import type { OnFundsSettledUseCase } from '../../application/on-funds-settled.use-case';
import type { OnOrderChargeRefundedUseCase } from '../../application/on-order-charge-refunded.use-case';
import { orderRoute, startOrderConsumer, type OrderConsumerOptions } from './order-consumer';

export const BILLING_EVENTS_QUEUE = 'order.billing-events';

export interface BillingEventUseCases {
  reserved: OnFundsReservedUseCase;
  rejected: OnFundsRejectedUseCase;
  settled: OnFundsSettledUseCase;
  chargeRefunded: OnOrderChargeRefundedUseCase;
}

export function startBillingEventsConsumer(conn: AmqpConnection, opts: OrderConsumerOptions & { useCases: BillingEventUseCases }): Consumer {
  const { useCases } = opts;
  return startOrderConsumer(
    conn,
    {
      name: BILLING_EVENTS_QUEUE,
      handlerName: 'order.on-billing-events',
      routes: [
        orderRoute(FundsReservedV1, (tx, data, meta) => useCases.reserved.execute(tx, data, meta)),
        orderRoute(FundsRejectedV1, (tx, data, meta) => useCases.rejected.execute(tx, data, meta)),
        orderRoute(FundsCapturedV1, (tx, data, meta) => useCases.settled.execute(tx, data, 'CAPTURE', meta)),
        orderRoute(FundsReleasedV1, (tx, data, meta) => useCases.settled.execute(tx, data, 'RELEASE', meta)),
        orderRoute(OrderChargeRefundedV1, (tx, data, meta) => useCases.chargeRefunded.execute(tx, data, meta)),
      ],
    },
    opts,
  );
}
