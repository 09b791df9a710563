/** Ports of the reseller's event log; the adapter is infrastructure/vendor-event.repository.ts. */
import type { EventCursor } from '../../domain/event-cursor';
import type { WebhookEvent, WebhookEventType } from '../../domain/webhook-event';
import type { WebhookDeliveryDraft } from '../channels/webhook/webhook.ports';

export interface VendorEventAttempt {
  attemptNo: number;
  at: Date;
  outcome: 'SENT' | 'RETRY' | 'FAILED';
  url: string | null;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
}

/** A webhook delivery as the reseller sees it: the event, its state and every attempt, oldest first. */
export interface VendorEventRecord {
  id: string;
  vendorId: string;
  eventType: WebhookEventType;
  status: 'PENDING' | 'SENT' | 'FAILED';
  test: boolean;
  createdAt: Date;
  nextAttemptAt: Date;
  payload: WebhookEvent;
  attempts: VendorEventAttempt[];
}

export interface VendorEventStore {
  /** The vendor's events older than `before` (all when absent), newest first, at most `limit`. */
  list(vendorId: string, page: { limit: number; before?: EventCursor | undefined; type?: WebhookEventType | undefined }): Promise<VendorEventRecord[]>;
  /** Undefined when the event does not exist or is another vendor's. */
  get(vendorId: string, id: string): Promise<VendorEventRecord | undefined>;
  /**
   * Makes the delivery due now (PENDING, next attempt = now) and wakes the delivery workers of every replica.
   * False when the event does not exist or is another vendor's.
   */
  requestRedelivery(vendorId: string, id: string, now: Date): Promise<boolean>;
  /** Inserts a new PENDING delivery outside any consumer transaction (test events). */
  insert(draft: WebhookDeliveryDraft): Promise<void>;
}
