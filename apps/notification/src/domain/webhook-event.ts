import type { EsimInstall, Money } from '@ttelgo/contracts';

/** The event types a vendor receives. The names are the public API of our webhooks: never rename one. */
export type WebhookEventType = 'order.completed' | 'order.failed' | 'order.refunded' | 'order.cancelled' | 'balance.low' | EsimWebhookEventType;

/** Usage and expiry notices about one bundle on one of the vendor's eSIMs. */
export type EsimWebhookEventType = 'esim.usage_threshold' | 'esim.expiring' | 'esim.expired';

/** The JSON body of every webhook. `id` is the delivery id: stable across retries, so vendors deduplicate on it. */
export interface WebhookEvent<D = WebhookEventData> {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  data: D;
}

export interface WebhookEsim {
  iccid: string;
  lpa: string;
  smdpAddress: string;
  matchingId: string;
  appleInstallUrl: string;
  expiresAt: string | null;
}

export interface WebhookOrderData {
  id: string;
  status: 'COMPLETED' | 'FAILED' | 'REFUNDED' | 'CANCELLED';
  bundleName: string;
  quantity: number;
  total: Money;
  customerReference?: string;
  /** NEW: new eSIMs; TOPUP: one more bundle on the eSIM `iccid`. */
  kind: 'NEW' | 'TOPUP';
  iccid: string | null;
  esims?: WebhookEsim[];
  completedAt?: string;
  failureReason?: string;
  failedAt?: string;
  refundReason?: string;
  refundedAt?: string;
  cancelReason?: string;
  cancelledAt?: string;
}

export interface WebhookBalanceLowData {
  vendorId: string;
  available: Money;
  threshold: Money;
  occurredAt: string;
}

/** The data of esim.usage_threshold / esim.expiring / esim.expired. Quantities in bytes (null until eSIM Go reported them). */
export interface WebhookEsimNoticeData {
  iccid: string;
  bundleName: string;
  /** esim.usage_threshold only: the percentage of the bundle's data used (80, 100). */
  threshold?: number;
  usedBytes: number | null;
  totalBytes: number | null;
  remainingBytes: number | null;
  unlimited: boolean;
  /** The bundle's end, when known. */
  endsAt: string | null;
  /** The order that bought this bundle (the eSIM's order, or a top-up's). */
  orderId: string;
  occurredAt: string;
}

export type WebhookEventData = WebhookOrderData | WebhookBalanceLowData | WebhookEsimNoticeData;

export function webhookEsims(esims: readonly EsimInstall[]): WebhookEsim[] {
  return esims.map((e) => ({
    iccid: e.iccid,
    lpa: e.lpa,
    smdpAddress: e.smdpAddress,
    matchingId: e.matchingId,
    appleInstallUrl: e.appleInstallUrl,
    expiresAt: e.expiresAt,
  }));
}

/**
 * The exact bytes we send (and sign). Top-level keys in a fixed order; the stored payload is jsonb, which
 * normalises nested key order, so the same delivery always serialises the same way.
 */
export function serializeWebhookEvent(event: WebhookEvent<unknown>): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });
}
