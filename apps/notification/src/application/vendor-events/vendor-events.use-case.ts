import type { VendorEventView } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { decodeEventCursor, encodeEventCursor } from '../../domain/event-cursor';
import type { WebhookEvent, WebhookEventType } from '../../domain/webhook-event';
import { sampleEventData } from '../../domain/webhook-samples';
import type { WebhookEndpointStore } from '../channels/webhook/webhook.ports';
import type { VendorEventRecord, VendorEventStore } from './vendor-events.ports';

export class EventNotFoundError extends Error {
  readonly code = 'EVENT_NOT_FOUND';
  readonly status = 404;

  constructor() {
    super('No such event.');
    this.name = 'EventNotFoundError';
  }
}

export class NoWebhookEndpointError extends Error {
  readonly code = 'NO_WEBHOOK_ENDPOINT';
  readonly status = 409;

  constructor() {
    super('Set a webhook endpoint first (PUT /api/v1/vendor/webhook-endpoint).');
    this.name = 'NoWebhookEndpointError';
  }
}

export interface VendorEventsOptions {
  events: VendorEventStore;
  endpoints: WebhookEndpointStore;
  logger: Logger;
  newId: () => string;
  now?: () => Date;
}

/**
 * The reseller's own event log: every webhook sent or due to it, with each attempt and what its endpoint answered;
 * a redelivery on request; and signed sample events to try an endpoint with. Always scoped to one vendor: another
 * vendor's event is "not found", exactly like one that does not exist.
 */
export class VendorEventsUseCase {
  private readonly now: () => Date;

  constructor(private readonly opts: VendorEventsOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  async list(input: { vendorId: string; limit: number; cursor?: string | undefined; type?: WebhookEventType | undefined }): Promise<{ data: VendorEventView[]; nextCursor: string | null }> {
    const before = input.cursor !== undefined ? decodeEventCursor(input.cursor) : undefined;
    const rows = await this.opts.events.list(input.vendorId, { limit: input.limit + 1, before, type: input.type });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return { data: page.map(toView), nextCursor: rows.length > input.limit && last ? encodeEventCursor({ createdAt: last.createdAt, id: last.id }) : null };
  }

  async get(vendorId: string, eventId: string): Promise<VendorEventView> {
    const event = await this.opts.events.get(vendorId, eventId.toLowerCase());
    if (!event) throw new EventNotFoundError();
    return toView(event);
  }

  /** One more attempt, now, signed afresh for the endpoint as it is now; the event keeps its id (deduplicate on it). */
  async redeliver(vendorId: string, eventId: string): Promise<VendorEventView> {
    const id = eventId.toLowerCase();
    if (!(await this.opts.events.get(vendorId, id))) throw new EventNotFoundError();
    if (!(await this.opts.endpoints.find(undefined, vendorId))) throw new NoWebhookEndpointError();
    await this.opts.events.requestRedelivery(vendorId, id, this.now());
    this.opts.logger.info({ vendorId, webhookDeliveryId: id }, 'webhook redelivery requested');
    return this.get(vendorId, id);
  }

  /** Queues a signed sample event of `type` to the vendor's endpoint; it appears in the log with `test: true`. */
  async sendTest(vendorId: string, type: WebhookEventType): Promise<VendorEventView> {
    const endpoint = await this.opts.endpoints.find(undefined, vendorId);
    if (!endpoint) throw new NoWebhookEndpointError();
    const id = this.opts.newId();
    const now = this.now();
    const payload: WebhookEvent = { id, type, createdAt: now.toISOString(), data: sampleEventData(type, vendorId, now) };
    // The event id of a sample is its own id: no source message stands behind it.
    await this.opts.events.insert({ id, vendorId, eventType: type, eventId: id, notificationId: null, url: endpoint.url, payload, test: true });
    this.opts.logger.info({ vendorId, webhookDeliveryId: id, eventType: type }, 'test webhook queued');
    return this.get(vendorId, id);
  }
}

function toView(e: VendorEventRecord): VendorEventView {
  return {
    id: e.id,
    // The store lists only the types of the log's contract (see PrismaVendorEventStore).
    type: e.eventType as VendorEventView['type'],
    createdAt: e.createdAt.toISOString(),
    status: e.status,
    test: e.test,
    nextAttemptAt: e.status === 'PENDING' ? e.nextAttemptAt.toISOString() : null,
    payload: { id: e.payload.id, type: e.payload.type as VendorEventView['type'], createdAt: e.payload.createdAt, data: e.payload.data as unknown as Record<string, unknown> },
    attempts: e.attempts.map((a) => ({
      attemptNo: a.attemptNo,
      at: a.at.toISOString(),
      outcome: a.outcome,
      url: a.url,
      httpStatus: a.httpStatus,
      responseBody: a.responseBody,
      error: a.error,
      durationMs: a.durationMs,
    })),
  };
}
