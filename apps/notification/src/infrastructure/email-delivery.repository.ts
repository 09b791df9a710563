import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { AttemptRecord, DueEmailDelivery, EmailDeliveryDraft, EmailDeliveryStore } from '../application/channels/email/email.ports';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export interface PrismaEmailDeliveryStoreOptions {
  /** Raw SQL is not rewritten by the adapter, so it names the schema itself. */
  schema: string;
  /** Upper bound of one attempt (the SMTP conversation runs inside the claiming transaction). */
  attemptTimeoutMs: number;
}

/**
 * Postgres side of `email_delivery`, `email_attachment` and `delivery_attempt`.
 *
 * A worker claims a due row with FOR UPDATE SKIP LOCKED and keeps the row lock for the whole SMTP conversation,
 * recording the attempt in the same transaction. Two workers (in one replica or many) therefore never send one
 * delivery at the same time, and a row is never left "in progress" by a crashed worker: the lock dies with
 * its connection and the row is simply due again. The one remaining window is a crash between the SMTP
 * server's 250 and our commit, which resends the same mail with the same Message-ID (at-least-once).
 */
export class PrismaEmailDeliveryStore implements EmailDeliveryStore {
  private readonly table: string;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: PrismaEmailDeliveryStoreOptions,
  ) {
    this.table = `${quoteIdent(assertSchemaName(opts.schema))}."email_delivery"`;
  }

  async insert(tx: unknown, draft: EmailDeliveryDraft): Promise<void> {
    const client = tx as Prisma.TransactionClient;
    await client.emailDelivery.create({
      data: {
        id: draft.id,
        notificationId: draft.notificationId,
        status: 'PENDING',
        toAddress: draft.to,
        fromAddress: draft.from,
        subject: draft.subject,
        html: draft.html,
        text: draft.text,
        attachments: {
          create: draft.attachments.map((a, position) => ({
            position,
            filename: a.filename,
            contentType: a.contentType,
            contentId: a.contentId,
            content: new Uint8Array(a.content),
          })),
        },
      },
    });
  }

  async processNextDue(now: Date, attempt: (delivery: DueEmailDelivery) => Promise<AttemptRecord>): Promise<boolean> {
    return this.prisma.$transaction(
      async (tx) => {
        const claimed = await tx.$queryRawUnsafe<Array<{ id: string }>>(
          `SELECT id::text AS id FROM ${this.table}
            WHERE status = 'PENDING' AND next_attempt_at <= $1
            ORDER BY next_attempt_at, id
            LIMIT 1
            FOR UPDATE SKIP LOCKED`,
          now,
        );
        const id = claimed[0]?.id;
        if (!id) return false;
        const row = await tx.emailDelivery.findUniqueOrThrow({
          where: { id },
          include: { attachments: { orderBy: { position: 'asc' } } },
        });
        const record = await attempt({
          id: row.id,
          notificationId: row.notificationId,
          to: row.toAddress,
          from: row.fromAddress,
          subject: row.subject,
          html: row.html,
          text: row.text,
          attempts: row.attempts,
          attachments: row.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            contentId: a.contentId,
            content: Buffer.from(a.content),
          })),
        });
        const attemptNo = row.attempts + 1;
        await tx.deliveryAttempt.create({
          data: {
            deliveryId: id,
            attemptNo,
            startedAt: record.startedAt,
            finishedAt: record.finishedAt,
            outcome: record.outcome,
            error: record.outcome === 'SENT' ? null : record.error,
            smtpResponse: record.smtpResponse,
          },
        });
        await tx.emailDelivery.update({ where: { id }, data: deliveryUpdate(attemptNo, record) });
        return true;
      },
      // The SMTP client's own timeouts end a hanging conversation well before this.
      { timeout: this.opts.attemptTimeoutMs, maxWait: 10_000 },
    );
  }
}

function deliveryUpdate(attempts: number, record: AttemptRecord): Prisma.EmailDeliveryUpdateInput {
  const updatedAt = record.finishedAt;
  switch (record.outcome) {
    case 'SENT':
      return { status: 'SENT', attempts, providerMessageId: record.providerMessageId, sentAt: record.finishedAt, lastError: null, updatedAt };
    case 'RETRY':
      return { attempts, nextAttemptAt: record.nextAttemptAt, lastError: record.error, updatedAt };
    case 'FAILED':
      return { status: 'FAILED', attempts, failedAt: record.finishedAt, lastError: record.error, updatedAt };
  }
}
