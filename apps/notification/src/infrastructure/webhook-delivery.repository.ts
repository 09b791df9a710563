import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { WebhookEvent, WebhookEventType } from '../domain/webhook-event';
import type { DueWebhookDelivery, WebhookAttemptRecord, WebhookDeliveryDraft, WebhookDeliveryStore } from '../application/channels/webhook/webhook.ports';
import type { Prisma, PrismaClient } from './generated/prisma/client';
import type { SecretBox } from './secret-box';
import { openWebhookSecret } from './webhook-endpoint.repository';

/** The new `webhook_deliveries` row of a draft: due now, with no attempt yet. */
export function pendingDeliveryData(draft: WebhookDeliveryDraft): Prisma.WebhookDeliveryCreateManyInput {
  return {
    id: draft.id,
    vendorId: draft.vendorId,
    eventType: draft.eventType,
    eventId: draft.eventId,
    notificationId: draft.notificationId,
    url: draft.url,
    payload: draft.payload as unknown as Prisma.InputJsonValue,
    status: 'PENDING',
    test: draft.test === true,
  };
}

/**
 * Postgres side of `webhook_deliveries` and `webhook_attempts`, claimed like e-mail: FOR UPDATE SKIP LOCKED, the
 * row lock held for the whole HTTP call and the attempt recorded in the same transaction. Two workers never
 * POST the same attempt; a crashed worker's lock dies with its connection and the row is simply due again.
 * The window left is a crash between the vendor's 2xx and our commit: the same event (same id) is sent again.
 */
export class PrismaWebhookDeliveryStore implements WebhookDeliveryStore {
  private readonly table: string;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: { schema: string; attemptTimeoutMs: number; secrets: SecretBox },
  ) {
    this.table = `${quoteIdent(assertSchemaName(opts.schema))}."webhook_deliveries"`;
  }

  async insert(tx: unknown, draft: WebhookDeliveryDraft): Promise<'created' | 'exists'> {
    const client = tx as Prisma.TransactionClient;
    // ON CONFLICT DO NOTHING on (vendor_id, event_id): a unique violation would abort the consumer's transaction.
    const { count } = await client.webhookDelivery.createMany({
      data: [
        pendingDeliveryData(draft),
      ],
      skipDuplicates: true,
    });
    return count === 1 ? 'created' : 'exists';
  }

  async processNextDue(now: Date, attempt: (delivery: DueWebhookDelivery) => Promise<WebhookAttemptRecord>): Promise<boolean> {
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
        const row = await tx.webhookDelivery.findUniqueOrThrow({ where: { id } });
        const endpoint = await tx.webhookEndpoint.findUnique({ where: { vendorId: row.vendorId } });
        let due: DueWebhookDelivery['endpoint'];
        if (endpoint) {
          const opened = openWebhookSecret(this.opts.secrets, endpoint.vendorId, endpoint.secretCiphertext);
          due = 'secret' in opened ? { url: endpoint.url, secret: opened.secret } : { url: endpoint.url, secretError: opened.error };
        }
        const record = await attempt({
          id: row.id,
          vendorId: row.vendorId,
          eventType: row.eventType as WebhookEventType,
          payload: row.payload as unknown as WebhookEvent,
          attempts: row.attempts,
          endpoint: due,
        });
        const attemptNo = row.attempts + 1;
        await tx.webhookAttempt.create({
          data: {
            deliveryId: id,
            attemptNo,
            at: record.at,
            outcome: record.outcome,
            httpStatus: record.httpStatus,
            error: record.outcome === 'SENT' ? null : record.error,
            durationMs: Math.max(0, Math.round(record.durationMs)),
            url: record.url,
            responseBody: record.responseBody ?? null,
          },
        });
        await tx.webhookDelivery.update({ where: { id }, data: deliveryUpdate(attemptNo, record) });
        return true;
      },
      { timeout: this.opts.attemptTimeoutMs, maxWait: 10_000 },
    );
  }
}

function deliveryUpdate(attempts: number, record: WebhookAttemptRecord): Prisma.WebhookDeliveryUpdateInput {
  const finishedAt = new Date(record.at.getTime() + record.durationMs);
  const common = { attempts, lastStatus: record.httpStatus, updatedAt: finishedAt, ...(record.url ? { url: record.url } : {}) };
  switch (record.outcome) {
    case 'SENT':
      return { ...common, status: 'SENT', sentAt: finishedAt, lastError: null };
    case 'RETRY':
      return { ...common, nextAttemptAt: record.nextAttemptAt, lastError: record.error };
    case 'FAILED':
      return { ...common, status: 'FAILED', failedAt: finishedAt, lastError: record.error };
  }
}
