import nodemailer from 'nodemailer';
import { MailSendError, type MailSendResult, type MailTransport, type OutgoingMail } from '../application/channels/email/email.ports';

export interface SmtpTransportOptions {
  /** smtp://[user:pass@]host:port, smtps://... (nodemailer connection URL; query options such as ?ignoreTLS=true allowed). */
  url: string;
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** nodemailer over SMTP, one connection per mail: notification volume is low and a pool would hide a dead server. */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: ReturnType<typeof nodemailer.createTransport>;

  constructor(opts: SmtpTransportOptions) {
    const connectionTimeout = opts.connectionTimeoutMs ?? 10_000;
    this.transporter = nodemailer.createTransport({
      url: opts.url,
      connectionTimeout,
      greetingTimeout: connectionTimeout,
      socketTimeout: opts.socketTimeoutMs ?? 30_000,
      // Attachments are bytes we stored; never let message content make the process read files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(mail: OutgoingMail): Promise<MailSendResult> {
    try {
      const info = await this.transporter.sendMail({
        messageId: `<${mail.messageId}>`,
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          content: a.content,
          ...(a.contentId ? { cid: a.contentId, contentDisposition: 'inline' as const } : {}),
        })),
      });
      return { messageId: stripBrackets(String(info.messageId ?? mail.messageId)), response: typeof info.response === 'string' ? info.response : null };
    } catch (err) {
      const e = err as { message?: string; code?: unknown; responseCode?: unknown; response?: unknown };
      throw new MailSendError(
        e.message ?? String(err),
        {
          code: typeof e.code === 'string' ? e.code : undefined,
          responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
          response: typeof e.response === 'string' ? e.response : undefined,
        },
        { cause: err },
      );
    }
  }

  close(): void {
    this.transporter.close();
  }
}

function stripBrackets(id: string): string {
  return id.replace(/^<|>$/g, '');
}
