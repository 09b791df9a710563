import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { decideAfterFailure, isPermanentSmtpFailure } from '../../../domain/retry-schedule';
import { MailSendError, type AttemptRecord, type DueEmailDelivery, type EmailDeliveryStore, type MailTransport } from './email.ports';

export interface DeliverEmailOptions {
  store: EmailDeliveryStore;
  transport: MailTransport;
  /** Delay before attempt 2, 3, ...; the attempt after the last delay is the last one. */
  retryDelaysMs: readonly number[];
  /** Domain of the Message-IDs we generate (from MAIL_FROM). */
  messageIdDomain: string;
  logger: Logger;
  metrics?: ServiceMetrics;
  now?: () => Date;
}

/** One delivery attempt: claim the next due e-mail, hand it to SMTP, record the outcome. */
export class DeliverEmailUseCase {
  private readonly now: () => Date;

  constructor(private readonly opts: DeliverEmailOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** Returns false when no e-mail was due. */
  deliverNext(): Promise<boolean> {
    return this.opts.store.processNextDue(this.now(), (delivery) => this.attempt(delivery));
  }

  private async attempt(delivery: DueEmailDelivery): Promise<AttemptRecord> {
    const attemptNo = delivery.attempts + 1;
    const log = this.opts.logger.child({ deliveryId: delivery.id, notificationId: delivery.notificationId, attemptNo });
    const startedAt = this.now();
    const stopTimer = this.opts.metrics?.externalCallDuration.startTimer({ provider: 'smtp', operation: 'send' });
    try {
      const result = await this.opts.transport.send({
        messageId: `${delivery.id}@${this.opts.messageIdDomain}`,
        from: delivery.from,
        to: delivery.to,
        subject: delivery.subject,
        html: delivery.html,
        text: delivery.text,
        attachments: delivery.attachments,
      });
      stopTimer?.({ outcome: 'ok' });
      log.info({ providerMessageId: result.messageId }, 'e-mail sent');
      return { outcome: 'SENT', startedAt, finishedAt: this.now(), providerMessageId: result.messageId, smtpResponse: result.response };
    } catch (err) {
      stopTimer?.({ outcome: 'error' });
      const facts = err instanceof MailSendError ? err.facts : {};
      const error = truncate(err instanceof Error ? err.message : String(err));
      const finishedAt = this.now();
      const decision = decideAfterFailure({ attemptNo, delaysMs: this.opts.retryDelaysMs, permanent: isPermanentSmtpFailure(facts), now: finishedAt });
      const smtpResponse = facts.response ?? null;
      if (decision.outcome === 'RETRY') {
        log.warn({ err, nextAttemptAt: decision.nextAttemptAt }, 'e-mail not sent; will retry');
        return { outcome: 'RETRY', startedAt, finishedAt, error, smtpResponse, nextAttemptAt: decision.nextAttemptAt };
      }
      log.error({ err }, 'e-mail not sent; giving up');
      return { outcome: 'FAILED', startedAt, finishedAt, error, smtpResponse };
    }
  }
}

function truncate(text: string, max = 2000): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
