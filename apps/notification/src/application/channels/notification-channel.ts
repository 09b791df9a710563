import type { ChannelName } from '../../domain/notification';
import type { OrderNotice } from '../order-notice';

/**
 * The seam between deciding to notify (RecordOrderNoticeUseCase) and how a notice leaves the platform. A
 * channel turns a notice into its own delivery row(s) inside the caller's transaction, fully rendered, so its
 * worker can (re)send them later without the event. E-mail is the only channel today; vendor webhooks
 * (issue 4) become a second implementation with its own delivery table and worker.
 */
export interface NotificationChannel {
  readonly name: ChannelName;
  /** `tx` is the consumer's transaction (opaque here); `address` is where the route said to send it. */
  enqueue(tx: unknown, notification: { id: string; notice: OrderNotice; address: string }): Promise<void>;
}
