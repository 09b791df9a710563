/** Ports of the vendor webhook channel; the adapters live in infrastructure/. */
import type { WebhookEvent, WebhookEventType } from '../../../domain/webhook-event';

/** An endpoint without its secret: what deciding and recording a delivery needs. */
export interface WebhookEndpointInfo {
  vendorId: string;
  url: string;
  updatedAt: Date;
}

export interface WebhookEndpoint extends WebhookEndpointInfo {
  /** The plaintext `whsec_...` (stored encrypted). Never log it; only the set-endpoint RPC returns it. */
  secret: string;
}

export interface WebhookEndpointStore {
  /** `tx` is a consumer transaction, or undefined to read outside one. Does not decrypt the secret. */
  find(tx: unknown, vendorId: string): Promise<WebhookEndpointInfo | undefined>;
  /**
   * Creates the endpoint with `newSecret`, or updates its URL (and its secret only when `rotateSecret`); returns
   * the secret in plaintext. Throws WebhookSecretUnavailableError when the kept secret cannot be decrypted.
   */
  upsert(input: { vendorId: string; url: string; newSecret: string; rotateSecret: boolean; now: Date }): Promise<WebhookEndpoint>;
}

/** The stored secret cannot be used (unknown key, tampered or copied ciphertext, or still plaintext). */
/** A stored secret that cannot be used; on the set RPC it surfaces as 409 WEBHOOK_SECRET_UNAVAILABLE (rotate it). */
export class WebhookSecretUnavailableError extends Error {
  readonly code = 'WEBHOOK_SECRET_UNAVAILABLE';
  readonly status = 409;

  constructor(vendorId: string, reason: string) {
    super(`the webhook secret of vendor ${vendorId} is unusable: ${reason}`);
    this.name = 'WebhookSecretUnavailableError';
  }
}

export interface WebhookDeliveryDraft {
  id: string;
  vendorId: string;
  eventType: WebhookEventType;
  /** Envelope id of the source message: unique per vendor, so a redelivered event makes no second delivery. */
  eventId: string;
  notificationId: string | null;
  url: string;
  payload: WebhookEvent;
  /** A sample sent on the vendor's request (POST /vendor/webhook-endpoint/test). */
  test?: boolean;
}

/** A delivery claimed for one attempt, with the endpoint as it is now (URL and secret may have changed since). */
export interface DueWebhookDelivery {
  id: string;
  vendorId: string;
  eventType: WebhookEventType;
  payload: WebhookEvent;
  /** Attempts made before this one. */
  attempts: number;
  /**
   * Undefined when the vendor has no endpoint any more; `secretError` (no `secret`) when its stored secret cannot
   * be decrypted: the attempt is then a failure, never a POST signed with something else.
   */
  endpoint: { url: string; secret: string } | { url: string; secretError: string } | undefined;
}

export type WebhookAttemptRecord = {
  at: Date;
  durationMs: number;
  /** Where this attempt went (recorded on the delivery). */
  url: string | null;
  httpStatus: number | null;
  /** The first bytes of the endpoint's answer (null when none came). */
  responseBody?: string | null;
} & ({ outcome: 'SENT' } | { outcome: 'RETRY'; error: string; nextAttemptAt: Date } | { outcome: 'FAILED'; error: string });

export interface WebhookDeliveryStore {
  /** Inserts a PENDING delivery in the given transaction; 'exists' when (vendor, event) already has one. */
  insert(tx: unknown, draft: WebhookDeliveryDraft): Promise<'created' | 'exists'>;
  /**
   * Claims the oldest due PENDING delivery with FOR UPDATE SKIP LOCKED, runs `attempt` while holding the row
   * lock, and records the attempt and the delivery's new state before releasing it. False when none was due.
   */
  processNextDue(now: Date, attempt: (delivery: DueWebhookDelivery) => Promise<WebhookAttemptRecord>): Promise<boolean>;
}

export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  /** The first bytes of the response body, for the attempt log. */
  bodySnippet: string;
}

/**
 * POSTs one webhook. Resolves with any HTTP response (the caller judges the status); rejects when no response
 * came (refused address, DNS, connection, timeout). Never follows redirects.
 */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

/** Set-time URL policy: throws WebhookUrlNotAllowedError for a URL we would not send to. */
export interface WebhookUrlPolicy {
  assertAllowed(url: string): Promise<void>;
}
