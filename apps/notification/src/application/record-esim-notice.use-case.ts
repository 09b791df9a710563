/**
 * esim.bundle-notice.v1 (a usage threshold crossed, a bundle expiring within 24 hours, expired) -> the owner of the
 * eSIM hears about it once: a traveller by e-mail (to the address of the order that bought the eSIM, remembered
 * from order.completed), a reseller by a signed webhook (esim.usage_threshold, esim.expiring, esim.expired). The
 * notification row (unique per order, kind and bundle/threshold), the delivery and the inbox row commit together.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@ttelgo/observability';
import type { EsimNotificationKind, SkipReason } from '../domain/notification';
import type { EsimWebhookEventType, WebhookEsimNoticeData, WebhookEvent } from '../domain/webhook-event';
import type { EmailDeliveryStore } from './channels/email/email.ports';
import type { WebhookDeliveryStore, WebhookEndpointStore } from './channels/webhook/webhook.ports';
import type { NotificationStore } from './record-order-notice.use-case';
import { renderEsimNotice } from './templates/esim-notice.template';
import type { MailContext } from './templates/email.layout';

export interface EsimNotice {
  sourceMessageId: string;
  sourceType: string;
  correlationId: string;
  iccid: string;
  owner: { type: 'customer' | 'vendor'; id: string };
  orderId: string;
  bundleId: string;
  bundleName: string;
  notice: 'USAGE_THRESHOLD' | 'EXPIRING' | 'EXPIRED';
  threshold: number | null;
  usedBytes: number | null;
  totalBytes: number | null;
  remainingBytes: number | null;
  unlimited: boolean;
  endsAt: string | null;
  occurredAt: string;
}

/** Where a traveller's eSIM notices go: the contact address of the order that bought the eSIM. */
export interface EsimContactStore {
  remember(tx: unknown, contact: { iccid: string; ownerType: string; ownerId: string; email: string; orderId: string }): Promise<void>;
  find(tx: unknown, iccid: string, owner: { type: string; id: string }): Promise<string | undefined>;
}

export type EsimNoticeResult = { status: 'QUEUED'; channel: 'email' | 'webhook' } | { status: 'SKIPPED'; reason: SkipReason } | { status: 'ALREADY_NOTIFIED' };

const KINDS: Record<EsimNotice['notice'], { kind: EsimNotificationKind; webhook: EsimWebhookEventType }> = {
  USAGE_THRESHOLD: { kind: 'ESIM_USAGE_THRESHOLD', webhook: 'esim.usage_threshold' },
  EXPIRING: { kind: 'ESIM_EXPIRING', webhook: 'esim.expiring' },
  EXPIRED: { kind: 'ESIM_EXPIRED', webhook: 'esim.expired' },
};

export class RecordEsimNoticeUseCase {
  constructor(
    private readonly opts: {
      notifications: NotificationStore;
      contacts: EsimContactStore;
      emails: EmailDeliveryStore;
      endpoints: WebhookEndpointStore;
      webhooks: WebhookDeliveryStore;
      from: string;
      mailContext: MailContext;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  async execute(tx: unknown, notice: EsimNotice): Promise<EsimNoticeResult> {
    const { kind, webhook } = KINDS[notice.notice];
    const log = this.opts.logger.child({ iccid: notice.iccid, bundleId: notice.bundleId, notice: notice.notice, threshold: notice.threshold, messageId: notice.sourceMessageId });
    let route: { channel: 'email'; to: string } | { channel: 'webhook'; to: string; url: string } | { channel: null; reason: SkipReason };
    if (notice.owner.type === 'vendor') {
      const endpoint = await this.opts.endpoints.find(tx, notice.owner.id);
      route = endpoint ? { channel: 'webhook', to: notice.owner.id, url: endpoint.url } : { channel: null, reason: 'NO_ENDPOINT' };
    } else {
      const email = await this.opts.contacts.find(tx, notice.iccid, notice.owner);
      route = email ? { channel: 'email', to: email } : { channel: null, reason: 'NO_CONTACT_EMAIL' };
    }
    const id = randomUUID();
    const created = await this.opts.notifications.create(tx, {
      id,
      kind,
      orderId: notice.orderId,
      subjectKey: notice.threshold === null ? notice.bundleId : `${notice.bundleId}:${notice.threshold}`,
      ownerType: notice.owner.type,
      ownerId: notice.owner.id,
      sourceMessageId: notice.sourceMessageId,
      sourceType: notice.sourceType,
      correlationId: notice.correlationId,
      channel: route.channel,
      status: route.channel ? 'QUEUED' : 'SKIPPED',
      skipReason: route.channel ? null : route.reason,
    });
    if (created === 'exists') {
      log.info('bundle notice already handled; nothing to do');
      return { status: 'ALREADY_NOTIFIED' };
    }
    if (route.channel === null) {
      log.info({ reason: route.reason }, 'bundle notice skipped');
      return { status: 'SKIPPED', reason: route.reason };
    }
    if (route.channel === 'email') {
      const rendered = renderEsimNotice(notice, this.opts.mailContext);
      await this.opts.emails.insert(tx, { id: randomUUID(), notificationId: id, to: route.to, from: this.opts.from, ...rendered, attachments: [] });
    } else {
      const deliveryId = randomUUID();
      const data: WebhookEsimNoticeData = {
        iccid: notice.iccid,
        bundleName: notice.bundleName,
        ...(notice.threshold === null ? {} : { threshold: notice.threshold }),
        usedBytes: notice.usedBytes,
        totalBytes: notice.totalBytes,
        remainingBytes: notice.remainingBytes,
        unlimited: notice.unlimited,
        endsAt: notice.endsAt,
        orderId: notice.orderId,
        occurredAt: notice.occurredAt,
      };
      const payload: WebhookEvent<WebhookEsimNoticeData> = { id: deliveryId, type: webhook, createdAt: (this.opts.now?.() ?? new Date()).toISOString(), data };
      await this.opts.webhooks.insert(tx, {
        id: deliveryId,
        vendorId: route.to,
        eventType: webhook,
        eventId: notice.sourceMessageId,
        notificationId: id,
        url: route.url,
        payload,
      });
    }
    log.info({ channel: route.channel, notificationId: id }, 'bundle notice queued');
    return { status: 'QUEUED', channel: route.channel };
  }
}
