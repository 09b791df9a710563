import { randomUUID } from 'node:crypto';
import type { SkipReason } from '../../../domain/notification';
import { webhookEsims, type WebhookEvent, type WebhookOrderData } from '../../../domain/webhook-event';
import type { OrderNotice } from '../../order-notice';
import type { NotificationChannel } from '../notification-channel';
import type { WebhookDeliveryStore, WebhookEndpointStore } from './webhook.ports';

/**
 * Vendor orders: the notice becomes a PENDING webhook delivery with its payload fixed now, in the consumer's
 * transaction. `address` is the vendor id; a vendor without an endpoint is recorded as skipped NO_ENDPOINT.
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook' as const;

  constructor(private readonly opts: { endpoints: WebhookEndpointStore; deliveries: WebhookDeliveryStore; now?: () => Date }) {}

  async unavailableReason(tx: unknown, vendorId: string): Promise<SkipReason | null> {
    return (await this.opts.endpoints.find(tx, vendorId)) ? null : 'NO_ENDPOINT';
  }

  async enqueue(tx: unknown, notification: { id: string; notice: OrderNotice; address: string }): Promise<void> {
    const { notice } = notification;
    const endpoint = await this.opts.endpoints.find(tx, notification.address);
    if (!endpoint) throw new Error(`vendor ${notification.address} has no webhook endpoint`);
    const id = randomUUID();
    const createdAt = (this.opts.now?.() ?? new Date()).toISOString();
    const order: Omit<WebhookOrderData, 'status'> = {
      id: notice.orderId,
      bundleName: notice.bundleName,
      quantity: notice.quantity,
      total: notice.total,
      ...(notice.customerReference ? { customerReference: notice.customerReference } : {}),
      kind: notice.orderKind,
      iccid: notice.iccid,
    };
    let payload: WebhookEvent;
    switch (notice.kind) {
      case 'ORDER_COMPLETED':
        payload = { id, type: 'order.completed', createdAt, data: { ...order, status: 'COMPLETED', esims: webhookEsims(notice.esims), completedAt: notice.completedAt } };
        break;
      case 'ORDER_FAILED':
        payload = { id, type: 'order.failed', createdAt, data: { ...order, status: 'FAILED', failureReason: notice.reason, failedAt: notice.occurredAt } };
        break;
      case 'ORDER_REFUNDED':
        // An admin refunded a completed vendor order: the wallet or receivable was credited back.
        payload = { id, type: 'order.refunded', createdAt, data: { ...order, status: 'REFUNDED', refundReason: notice.reason, refundedAt: notice.occurredAt } };
        break;
      case 'ORDER_CANCELLED':
        // The reseller cancelled an unused order: its bundles were revoked and its charge given back.
        payload = { id, type: 'order.cancelled', createdAt, data: { ...order, status: 'CANCELLED', cancelReason: notice.reason, cancelledAt: notice.occurredAt } };
        break;
    }
    await this.opts.deliveries.insert(tx, {
      id,
      vendorId: notification.address,
      eventType: payload.type,
      eventId: notice.sourceMessageId,
      notificationId: notification.id,
      url: endpoint.url,
      payload,
    });
  }
}
