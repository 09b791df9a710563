import type { VendorEventRecord, VendorEventStore } from '../application/vendor-events/vendor-events.ports';
import type { WebhookDeliveryDraft } from '../application/channels/webhook/webhook.ports';
import type { EventCursor } from '../domain/event-cursor';
import type { WebhookEvent, WebhookEventType } from '../domain/webhook-event';
import { WEBHOOK_EVENT_TYPES } from '@ttelgo/contracts';
import type { Prisma, PrismaClient } from './generated/prisma/client';
import { webhookDeliveryChannel } from './pg-wakeup.listener';
import { pendingDeliveryData } from './webhook-delivery.repository';

const LOGGED_EVENT_TYPES: readonly string[] = WEBHOOK_EVENT_TYPES;

const withAttempts = { attemptLog: { orderBy: { attemptNo: 'asc' } } } as const satisfies Prisma.WebhookDeliveryInclude;
type Row = Prisma.WebhookDeliveryGetPayload<{ include: typeof withAttempts }>;

/** Postgres side of the reseller's event log: `webhook_deliveries` with their `webhook_attempts`, per vendor. */
export class PrismaVendorEventStore implements VendorEventStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly opts: { schema: string },
  ) {}

  async list(vendorId: string, page: { limit: number; before?: EventCursor | undefined; type?: WebhookEventType | undefined }): Promise<VendorEventRecord[]> {
    const where: Prisma.WebhookDeliveryWhereInput = {
      vendorId,
      // The event types of the log's v1 contract: a newer type (order.cancelled) waits for a v2 of the log.
      eventType: page.type ?? { in: [...LOGGED_EVENT_TYPES] },
      ...(page.before
        ? { OR: [{ createdAt: { lt: page.before.createdAt } }, { createdAt: page.before.createdAt, id: { lt: page.before.id } }] }
        : {}),
    };
    const rows = await this.prisma.webhookDelivery.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit, include: withAttempts });
    return rows.map(toRecord);
  }

  async get(vendorId: string, id: string): Promise<VendorEventRecord | undefined> {
    const row = await this.prisma.webhookDelivery.findFirst({ where: { id, vendorId, eventType: { in: [...LOGGED_EVENT_TYPES] } }, include: withAttempts });
    return row ? toRecord(row) : undefined;
  }

  async requestRedelivery(vendorId: string, id: string, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id, vendorId },
        data: { status: 'PENDING', nextAttemptAt: now, failedAt: null, updatedAt: now },
      });
      // The insert trigger wakes the workers for new deliveries; a redelivery is an update, so wake them here
      // (NOTIFY is sent at commit, to every replica listening).
      if (count === 1) await tx.$executeRawUnsafe(`SELECT pg_notify($1, '')`, webhookDeliveryChannel(this.opts.schema));
      return count === 1;
    });
  }

  async insert(draft: WebhookDeliveryDraft): Promise<void> {
    await this.prisma.webhookDelivery.create({
      data: pendingDeliveryData(draft),
    });
  }
}

function toRecord(row: Row): VendorEventRecord {
  return {
    id: row.id,
    vendorId: row.vendorId,
    eventType: row.eventType as WebhookEventType,
    status: row.status as VendorEventRecord['status'],
    test: row.test,
    createdAt: row.createdAt,
    nextAttemptAt: row.nextAttemptAt,
    payload: row.payload as unknown as WebhookEvent,
    attempts: row.attemptLog.map((a) => ({
      attemptNo: a.attemptNo,
      at: a.at,
      outcome: a.outcome as 'SENT' | 'RETRY' | 'FAILED',
      url: a.url,
      httpStatus: a.httpStatus,
      responseBody: a.responseBody,
      error: a.error,
      durationMs: a.durationMs,
    })),
  };
}
