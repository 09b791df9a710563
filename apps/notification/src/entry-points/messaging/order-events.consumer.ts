import { OrderCancelledV1, OrderCompletedV1, OrderFailedV1, OrderRefundedV1, type Envelope, type MessageContract } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OrderNotice } from '../../application/order-notice';
import type { RecordOrderNoticeUseCase } from '../../application/record-order-notice.use-case';
import type { EsimContactStore } from '../../application/record-esim-notice.use-case';

export const ORDER_EVENTS_QUEUE = 'notification.order-events';
export const ORDER_EVENTS_HANDLER = 'notification.order-events';

type OrderCompleted = (typeof OrderCompletedV1)['schema']['_output'];
type OrderClosed = (typeof OrderFailedV1)['schema']['_output'];
type OrderEvent = OrderCompleted | OrderClosed;

const contracts = [OrderCompletedV1, OrderFailedV1, OrderRefundedV1, OrderCancelledV1] as ReadonlyArray<MessageContract>;

/** Maps the versioned contracts onto the use case's notice; a v2 of an event adds a case here. */
export function toOrderNotice(envelope: Envelope<OrderEvent>): OrderNotice {
  const source = { sourceMessageId: envelope.id, sourceType: envelope.type, correlationId: envelope.correlationId };
  const data = envelope.data;
  const base = {
    ...source,
    orderId: data.orderId,
    owner: data.owner,
    contactEmail: data.contactEmail,
    bundleName: data.bundleName,
    quantity: data.quantity,
    total: data.total,
    customerReference: data.customerReference ?? null,
    // Absent from events of an order service older than top-ups: NEW.
    orderKind: data.kind ?? 'NEW',
    iccid: data.iccid ?? null,
  };
  switch (envelope.type) {
    case OrderCompletedV1.name: {
      const completed = data as OrderCompleted;
      return { ...base, kind: 'ORDER_COMPLETED', esims: completed.esims, completedAt: completed.completedAt };
    }
    case OrderFailedV1.name:
      return { ...base, kind: 'ORDER_FAILED', reason: (data as OrderClosed).reason, occurredAt: (data as OrderClosed).occurredAt };
    case OrderRefundedV1.name:
      return { ...base, kind: 'ORDER_REFUNDED', reason: (data as OrderClosed).reason, occurredAt: (data as OrderClosed).occurredAt };
    case OrderCancelledV1.name:
      return { ...base, kind: 'ORDER_CANCELLED', reason: (data as OrderClosed).reason, occurredAt: (data as OrderClosed).occurredAt };
    default:
      throw new Error(`unexpected message type ${envelope.type}`);
  }
}

/** order.completed / failed / refunded / cancelled -> one notification (+ its delivery) per order and fact. */
export function startOrderEventsConsumer(
  conn: AmqpConnection,
  opts: {
    useCase: RecordOrderNoticeUseCase;
    inbox: InboxStore;
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: readonly number[];
    /** Remembers where a traveller's eSIM notices go (the address of the completed order that bought the eSIM). */
    contacts?: EsimContactStore;
  },
): Consumer {
  return startConsumer<OrderEvent>(conn, {
    queue: ORDER_EVENTS_QUEUE,
    handlerName: ORDER_EVENTS_HANDLER,
    contracts,
    inbox: opts.inbox,
    handle: async (envelope, tx) => {
      const notice = toOrderNotice(envelope);
      if (opts.contacts && notice.kind === 'ORDER_COMPLETED' && notice.owner.type === 'customer' && notice.contactEmail) {
        for (const esim of notice.esims) {
          await opts.contacts.remember(tx, { iccid: esim.iccid, ownerType: notice.owner.type, ownerId: notice.owner.id, email: notice.contactEmail, orderId: notice.orderId });
        }
      }
      await opts.useCase.execute(tx, notice);
    },
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
  });
}
