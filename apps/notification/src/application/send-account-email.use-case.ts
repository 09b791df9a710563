/**
 * notification.send-account-email.v1: a mail about the account itself (a password reset link, the notice that the
 * password changed) -> one notification row (id = the caller's requestId, so a retried call queues nothing more)
 * and its e-mail delivery, in one transaction; the e-mail delivery job sends it with the usual retries.
 */
import type { Logger } from '@ttelgo/observability';
import type { DataOf, SendAccountEmailV1 } from '@ttelgo/contracts';
import type { EmailDeliveryStore } from './channels/email/email.ports';
import type { NotificationStore } from './record-order-notice.use-case';
import { renderPasswordChanged, renderPasswordReset } from './templates/account.template';
import type { MailContext } from './templates/email.layout';

export type SendAccountEmailRequest = DataOf<typeof SendAccountEmailV1>;

export class SendAccountEmailUseCase {
  constructor(
    private readonly opts: {
      transaction: <T>(work: (tx: unknown) => Promise<T>) => Promise<T>;
      notifications: NotificationStore;
      emails: EmailDeliveryStore;
      from: string;
      mailContext: MailContext;
      logger: Logger;
      newId: () => string;
    },
  ) {}

  async execute(req: SendAccountEmailRequest, correlationId: string): Promise<{ status: 'QUEUED' | 'ALREADY_QUEUED' }> {
    const mail = req.kind === 'PASSWORD_RESET' ? renderPasswordReset({ token: req.resetToken, expiresAt: new Date(req.expiresAt) }, this.opts.mailContext) : renderPasswordChanged();
    const status = await this.opts.transaction(async (tx) => {
      const created = await this.opts.notifications.create(tx, {
        id: req.requestId,
        kind: req.kind === 'PASSWORD_RESET' ? 'ACCOUNT_PASSWORD_RESET' : 'ACCOUNT_PASSWORD_CHANGED',
        orderId: null,
        ownerType: 'customer',
        ownerId: req.userId,
        sourceMessageId: req.requestId,
        sourceType: 'notification.send-account-email.v1',
        correlationId,
        channel: 'email',
        status: 'QUEUED',
        skipReason: null,
      });
      if (created === 'exists') return 'ALREADY_QUEUED' as const;
      await this.opts.emails.insert(tx, { id: this.opts.newId(), notificationId: req.requestId, to: req.to, from: this.opts.from, ...mail, attachments: [] });
      return 'QUEUED' as const;
    });
    this.opts.logger.info({ userId: req.userId, kind: req.kind, status }, 'account e-mail');
    return { status };
  }
}
