import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { decideAfterFailure } from '../../../domain/retry-schedule';
import { serializeWebhookEvent } from '../../../domain/webhook-event';
import { SIGNATURE_HEADER, signWebhookPayload } from '../../../domain/webhook-signature';
import type { DueWebhookDelivery, WebhookAttemptRecord, WebhookDeliveryStore, WebhookSender } from './webhook.ports';

export const WEBHOOK_USER_AGENT = 'TtelGo-Webhooks/1';

export interface DeliverWebhookOptions {
  store: WebhookDeliveryStore;
  sender: WebhookSender;
  /** Delay before attempt 2, 3, ...; the attempt after the last delay is the last one. */
  retryDelaysMs: readonly number[];
  logger: Logger;
  metrics?: ServiceMetrics;
  now?: () => Date;
}

/** One attempt: claim the next due webhook, sign it with the endpoint's current secret, POST it, record the outcome. */
export class DeliverWebhookUseCase {
  private readonly now: () => Date;

  constructor(private readonly opts: DeliverWebhookOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  deliverNext(): Promise<boolean> {
    return this.opts.store.processNextDue(this.now(), (delivery) => this.attempt(delivery));
  }

  private async attempt(delivery: DueWebhookDelivery): Promise<WebhookAttemptRecord> {
    const attemptNo = delivery.attempts + 1;
    const log = this.opts.logger.child({ webhookDeliveryId: delivery.id, vendorId: delivery.vendorId, eventType: delivery.eventType, attemptNo });
    const at = this.now();
    if (!delivery.endpoint) {
      log.error('vendor webhook endpoint is gone; giving up');
      return { outcome: 'FAILED', at, durationMs: 0, url: null, httpStatus: null, error: 'the vendor has no webhook endpoint any more' };
    }
    if ('secretError' in delivery.endpoint) {
      // Never a POST signed with anything else: a failed attempt on the usual schedule, which leaves time to fix
      // the key configuration (WEBHOOK_SECRETS_PREVIOUS_KEYS) or for the vendor to rotate its secret.
      const error = `webhook secret unusable, not sent: ${delivery.endpoint.secretError}`;
      return this.failure(log, { at, finishedAt: this.now(), attemptNo, url: delivery.endpoint.url, httpStatus: null, error: truncate(error) });
    }
    const { url, secret } = delivery.endpoint;
    const body = serializeWebhookEvent(delivery.payload);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': WEBHOOK_USER_AGENT,
      'TtelGo-Event-Id': delivery.id,
      [SIGNATURE_HEADER]: signWebhookPayload(body, secret, Math.floor(at.getTime() / 1000)),
    };
    const stopTimer = this.opts.metrics?.externalCallDuration.startTimer({ provider: 'vendor-webhook', operation: delivery.eventType });
    let httpStatus: number | null = null;
    let responseBody: string | null = null;
    let error: string;
    try {
      const res = await this.opts.sender.post({ url, body, headers });
      httpStatus = res.status;
      responseBody = res.bodySnippet;
      if (res.status >= 200 && res.status < 300) {
        stopTimer?.({ outcome: 'ok' });
        log.info({ httpStatus }, 'webhook delivered');
        return { outcome: 'SENT', at, durationMs: this.now().getTime() - at.getTime(), url, httpStatus, responseBody };
      }
      // 3xx included: we never follow redirects (a redirect could point anywhere, inside our network too).
      error = truncate(`HTTP ${res.status}${res.bodySnippet ? `: ${res.bodySnippet}` : ''}`);
    } catch (err) {
      error = truncate(err instanceof Error ? err.message : String(err));
      // A refused URL's reason (what the host resolved to) is ours: logged, never stored where the vendor reads.
      const reason = (err as { reason?: unknown }).reason;
      if (typeof reason === 'string') log.warn({ reason }, 'webhook URL refused at send time');
    }
    stopTimer?.({ outcome: 'error' });
    return { ...this.failure(log, { at, finishedAt: this.now(), attemptNo, url, httpStatus, error }), responseBody };
  }

  private failure(
    log: Logger,
    f: { at: Date; finishedAt: Date; attemptNo: number; url: string; httpStatus: number | null; error: string },
  ): WebhookAttemptRecord {
    const { at, url, httpStatus, error } = f;
    const durationMs = f.finishedAt.getTime() - at.getTime();
    const decision = decideAfterFailure({ attemptNo: f.attemptNo, delaysMs: this.opts.retryDelaysMs, permanent: false, now: f.finishedAt });
    if (decision.outcome === 'RETRY') {
      log.warn({ httpStatus, error, nextAttemptAt: decision.nextAttemptAt }, 'webhook not delivered; will retry');
      return { outcome: 'RETRY', at, durationMs, url, httpStatus, error, nextAttemptAt: decision.nextAttemptAt };
    }
    log.error({ httpStatus, error }, 'webhook not delivered; giving up');
    return { outcome: 'FAILED', at, durationMs, url, httpStatus, error };
  }
}

function truncate(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
