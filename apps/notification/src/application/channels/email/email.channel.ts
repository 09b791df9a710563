import { randomUUID } from 'node:crypto';
import { renderOrderCompleted } from '../../templates/order-completed.template';
import { renderOrderFailed } from '../../templates/order-failed.template';
import { renderOrderRefunded } from '../../templates/order-refunded.template';
import { renderTopupCompleted } from '../../templates/topup-completed.template';
import type { MailContext, RenderedEmail } from '../../templates/email.layout';
import type { OrderNotice } from '../../order-notice';
import type { NotificationChannel } from '../notification-channel';
import type { EmailAttachmentDraft, EmailDeliveryStore, QrRenderer } from './email.ports';

export interface EmailChannelOptions {
  store: EmailDeliveryStore;
  qr: QrRenderer;
  from: string;
  mailContext: MailContext;
}

/**
 * Renders the mail completely when the notice arrives (subject, html, text and the QR PNGs) and stores it as a
 * PENDING delivery. The delivery worker only ever sends stored bytes, so a retry days later is the same mail.
 */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;

  constructor(private readonly opts: EmailChannelOptions) {}

  async enqueue(tx: unknown, notification: { id: string; notice: OrderNotice; address: string }): Promise<void> {
    const { notice } = notification;
    const { rendered, attachments } = await this.render(notice);
    await this.opts.store.insert(tx, {
      id: randomUUID(),
      notificationId: notification.id,
      to: notification.address,
      from: this.opts.from,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      attachments,
    });
  }

  private async render(notice: OrderNotice): Promise<{ rendered: RenderedEmail; attachments: EmailAttachmentDraft[] }> {
    const ctx = this.opts.mailContext;
    const common = { orderId: notice.orderId, bundleName: notice.bundleName, quantity: notice.quantity, total: notice.total };
    switch (notice.kind) {
      case 'ORDER_COMPLETED': {
        if (notice.orderKind === 'TOPUP' && notice.iccid) {
          return { rendered: renderTopupCompleted({ orderId: notice.orderId, bundleName: notice.bundleName, total: notice.total, iccid: notice.iccid }, ctx), attachments: [] };
        }
        const attachments: EmailAttachmentDraft[] = [];
        const esims = [];
        for (const [index, esim] of notice.esims.entries()) {
          // Content-IDs only need to be unique within the message; the ICCID makes them readable in a mail dump.
          const qrContentId = `qr-${index + 1}-${esim.iccid}@ttelgo`;
          attachments.push({
            filename: `esim-${esim.iccid}.png`,
            contentType: 'image/png',
            contentId: qrContentId,
            content: await this.opts.qr.png(esim.lpa),
          });
          esims.push({ ...esim, qrContentId });
        }
        return { rendered: renderOrderCompleted({ ...common, esims }, ctx), attachments };
      }
      case 'ORDER_FAILED':
        return { rendered: renderOrderFailed(common, ctx), attachments: [] };
      case 'ORDER_REFUNDED':
      case 'ORDER_CANCELLED':
        return { rendered: renderOrderRefunded(common, ctx), attachments: [] };
    }
  }
}
