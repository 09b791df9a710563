import { randomUUID } from 'node:crypto';
import type { Logger } from '@ttelgo/observability';
import { routeOrderNotice, type ChannelName, type NotificationKind, type SkipReason } from '../domain/notification';
import type { NotificationChannel } from './channels/notification-channel';
import type { OrderNotice } from './order-notice';

export interface NotificationRow {
  id: string;
  kind: NotificationKind;
  /** Null for account e-mails. */
  orderId: string | null;
  /** What within the order it is about, for facts that happen more than once per order (a bundle's notices). */
  subjectKey?: string;
  ownerType: 'customer' | 'vendor';
  ownerId: string;
  sourceMessageId: string;
  sourceType: string;
  correlationId: string;
  channel: ChannelName | null;
  status: 'QUEUED' | 'SKIPPED';
  skipReason: SkipReason | null;
}

export interface NotificationStore {
  /** Inserts the row unless one exists for (orderId, kind, subjectKey); 'exists' means this fact was already handled. */
  create(tx: unknown, row: NotificationRow): Promise<'created' | 'exists'>;
}

export type RecordResult = { status: 'QUEUED'; notificationId: string; channel: ChannelName } | { status: 'SKIPPED'; reason: SkipReason } | { status: 'ALREADY_NOTIFIED' };

/**
 * An order event arrived: decide who hears about it and how, and record the notification together with the
 * channel's delivery row in the consumer's transaction (the inbox row commits with them).
 */
export class RecordOrderNoticeUseCase {
  private readonly channels: ReadonlyMap<ChannelName, NotificationChannel>;

  constructor(
    private readonly opts: { store: NotificationStore; channels: NotificationChannel[]; logger: Logger },
  ) {
    this.channels = new Map(opts.channels.map((c) => [c.name, c]));
  }

  async execute(tx: unknown, notice: OrderNotice): Promise<RecordResult> {
    let route = routeOrderNotice(notice.owner, notice.contactEmail);
    const channel = route.channel ? this.channels.get(route.channel) : undefined;
    if (route.channel && !channel) throw new Error(`no ${route.channel} channel is configured`);
    if (route.channel && channel?.unavailableReason) {
      const reason = await channel.unavailableReason(tx, route.to);
      if (reason) route = { channel: null, skipReason: reason };
    }
    const row: NotificationRow = {
      id: randomUUID(),
      kind: notice.kind,
      orderId: notice.orderId,
      ownerType: notice.owner.type,
      ownerId: notice.owner.id,
      sourceMessageId: notice.sourceMessageId,
      sourceType: notice.sourceType,
      correlationId: notice.correlationId,
      channel: route.channel,
      status: route.channel ? 'QUEUED' : 'SKIPPED',
      skipReason: route.channel ? null : route.skipReason,
    };
    const log = this.opts.logger.child({ orderId: notice.orderId, kind: notice.kind, messageId: notice.sourceMessageId });
    // The inbox already drops redeliveries of one message; this catches a second event for the same fact.
    if ((await this.opts.store.create(tx, row)) === 'exists') {
      log.info('order already notified for this fact; nothing to do');
      return { status: 'ALREADY_NOTIFIED' };
    }
    if (!route.channel) {
      log.info({ reason: route.skipReason }, 'notification skipped');
      return { status: 'SKIPPED', reason: route.skipReason };
    }
    if (!channel) throw new Error(`no ${route.channel} channel is configured`);
    await channel.enqueue(tx, { id: row.id, notice, address: route.to });
    log.info({ channel: route.channel, notificationId: row.id }, 'notification queued');
    return { status: 'QUEUED', notificationId: row.id, channel: route.channel };
  }
}
