/** Ports of the e-mail channel; the adapters live in infrastructure/. */

export interface EmailAttachmentDraft {
  filename: string;
  contentType: string;
  /** Set for inline parts referenced from the HTML as cid:<contentId>. */
  contentId: string | null;
  content: Buffer;
}

export interface EmailDeliveryDraft {
  id: string;
  notificationId: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachmentDraft[];
}

/** A delivery claimed for one attempt: nobody else can work on it until the attempt is recorded. */
export interface DueEmailDelivery extends EmailDeliveryDraft {
  /** Attempts made before this one. */
  attempts: number;
}

export type AttemptRecord =
  | { outcome: 'SENT'; startedAt: Date; finishedAt: Date; providerMessageId: string; smtpResponse: string | null }
  | { outcome: 'RETRY'; startedAt: Date; finishedAt: Date; error: string; smtpResponse: string | null; nextAttemptAt: Date }
  | { outcome: 'FAILED'; startedAt: Date; finishedAt: Date; error: string; smtpResponse: string | null };

export interface EmailDeliveryStore {
  /** Inserts a PENDING delivery and its attachments inside the given transaction. */
  insert(tx: unknown, draft: EmailDeliveryDraft): Promise<void>;
  /**
   * Claims the oldest due PENDING delivery (skipping ones other workers hold), runs `attempt` while holding the
   * claim, and records its result (the attempt row plus the delivery's new state) before releasing it.
   * Returns false when nothing was due.
   */
  processNextDue(now: Date, attempt: (delivery: DueEmailDelivery) => Promise<AttemptRecord>): Promise<boolean>;
}

export interface OutgoingMail {
  /** Message-ID to use, without angle brackets: stable per delivery, so a resend carries the same id. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachmentDraft[];
}

export interface MailSendResult {
  messageId: string;
  /** The server's final reply, e.g. "250 OK: message queued". */
  response: string | null;
}

/** Thrown by a MailTransport; carries what the retry decision needs. */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly facts: { code?: string | undefined; responseCode?: number | undefined; response?: string | undefined },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailSendError';
  }
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<MailSendResult>;
  close(): void;
}

/** Renders the QR code of an LPA activation string as PNG bytes. */
export interface QrRenderer {
  png(text: string): Promise<Buffer>;
}
