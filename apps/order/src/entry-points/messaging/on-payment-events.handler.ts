/** Queue `order.payment-events`: what payment tells us about card payments (purpose B2C_ORDER). */
import { PaymentCanceledV1, PaymentFailedV1, PaymentMismatchedV1, PaymentRefundedV1, PaymentSucceededV1 } from '@ttelgo/contracts';
import type { AmqpConnection, Consumer } from '@ttelgo/messaging';
import type { OnPaymentCanceledUseCase } from '../../application/on-payment-canceled.use-case';
import type { OnPaymentFailedUseCase } from '../../application/on-payment-failed.use-case';
import type { OnPaymentMismatchedUseCase } from '../../application/on-payment-mismatched.use-case';
import type { OnPaymentRefundedUseCase } from '../../application/on-payment-refunded.use-case';
import type { OnPaymentSucceededUseCase } from '../../application/on-payment-succeeded.use-case';
import { orderRoute, startOrderConsumer, type OrderConsumerOptions } from './order-consumer';

export const PAYMENT_EVENTS_QUEUE = 'order.payment-events';

export interface PaymentEventUseCases {
  succeeded: OnPaymentSucceededUseCase;
  failed: OnPaymentFailedUseCase;
  canceled: OnPaymentCanceledUseCase;
  mismatched: OnPaymentMismatchedUseCase;
  refunded: OnPaymentRefundedUseCase;
}

export function startPaymentEventsConsumer(conn: AmqpConnection, opts: OrderConsumerOptions & { useCases: PaymentEventUseCases }): Consumer {
  const { useCases } = opts;
  return startOrderConsumer(
    conn,
    {
      name: PAYMENT_EVENTS_QUEUE,
      handlerName: 'order.on-payment-events',
      routes: [
        orderRoute(PaymentSucceededV1, (tx, data, meta) => useCases.succeeded.execute(tx, data, meta)),
        orderRoute(PaymentFailedV1, (tx, data, meta) => useCases.failed.execute(tx, data, meta)),
        orderRoute(PaymentCanceledV1, (tx, data, meta) => useCases.canceled.execute(tx, data, meta)),
        orderRoute(PaymentMismatchedV1, (tx, data, meta) => useCases.mismatched.execute(tx, data, meta)),
        orderRoute(PaymentRefundedV1, (tx, data, meta) => useCases.refunded.execute(tx, data, meta)),
      ],
    },
    opts,
  );
}
