import type { ChannelName, SkipReason } from '../../domain/notification';
import type { OrderNotice } from '../order-notice';

/**
 * The seam between deciding to notify (RecordOrderNoticeUseCase) and how a notice leaves the platform. A
 * channel turns a notice into its own delivery row(s) inside the caller's transaction, fully rendered, so its
 * worker can (re)send them later without the event. Two implementations: e-mail (customers) and vendor
 * webhooks, each with its own delivery table and worker.
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  /**
   * Asked before the notification row is written: a reason when this address cannot be served (a vendor
   * without a webhook endpoint), so the notification is recorded as skipped instead of queued.
   */
  unavailableReason?(tx: unknown, address: string): Promise<SkipReason | null>;
  /** `tx` is the consumer's transaction (opaque here); `address` is where the route said to send it. */
  enqueue(tx: unknown, notification: { id: string; notice: OrderNotice; address: string }): Promise<void>;
}
