/**
 * Delivers every event to every configured endpoint, asynchronously, the way Stripe does: a signed JSON POST,
 * 2xx = delivered, anything else (or a timeout) = retried with exponential backoff until the attempts run out.
 * Each endpoint gets first attempts one at a time in event order (so the reorder fault is deterministic);
 * retries run on their own timers and never hold up later events, so order is not guaranteed, as with Stripe.
 * Delivery faults (duplicate, reorder, delay, drop, fail) are applied here.
 */
import type { Logger } from 'pino';
import { newId, type Delivery, type SimState, type StripeEvent } from './state';
import { signatureHeader } from './webhook.signature';

export interface DispatcherOptions {
  logger: Logger;
  /** delay before the 2nd attempt; doubles (retryFactor) each time; default 1000 */
  retryBaseMs: number;
  retryFactor: number;
  /** attempts in all, including the first; default 8 */
  maxAttempts: number;
  /** per attempt; default 10 000 */
  timeoutMs: number;
}

export class WebhookDispatcher {
  private readonly payloads = new Map<string, string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private held: Delivery[] = [];
  private heldTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly state: SimState,
    readonly opts: DispatcherOptions,
  ) {}

  /**
   * Called once per new event. Stripe pretty-prints webhook bodies, so the payload is serialised the same way,
   * once; every attempt sends the same bytes with a fresh signature.
   */
  publish(event: StripeEvent): void {
    this.payloads.set(event.id, JSON.stringify(event, null, 2));
    this.schedule(this.createDeliveries(event, this.state.webhookUrls, false));
  }

  /** Like the dashboard's "Resend": the stored event, again, to every endpoint (or one URL). */
  redeliver(event: StripeEvent, url?: string): Delivery[] {
    if (!this.payloads.has(event.id)) this.payloads.set(event.id, JSON.stringify(event, null, 2));
    const deliveries = this.createDeliveries(event, url ? [url] : this.state.webhookUrls, true);
    this.schedule(deliveries);
    return deliveries;
  }

  /** Sends the deliveries held by the reorder fault now, newest first. */
  flushHeld(): number {
    if (this.heldTimer) {
      clearTimeout(this.heldTimer);
      this.heldTimer = undefined;
    }
    const batch = this.held.reverse();
    this.held = [];
    for (const d of batch) this.enqueue(d);
    return batch.length;
  }

  /** Resolves once no delivery is pending or held (or the dispatcher was closed). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && (this.held.length > 0 || this.state.deliveries.some((d) => d.status === 'pending'))) {
      if (Date.now() > deadline) throw new Error('stripe-sim: webhook deliveries still pending');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Forgets payloads and held deliveries (used by reset); timers of running retries are cancelled. */
  reset(): void {
    this.payloads.clear();
    this.held = [];
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // Wake sleeping queue steps so their chains finish (they find nothing left to send).
    for (const [t, wake] of this.sleeps) {
      clearTimeout(t);
      wake();
    }
    this.sleeps.clear();
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private createDeliveries(event: StripeEvent, urls: string[], redelivery: boolean): Delivery[] {
    const out: Delivery[] = [];
    for (const url of urls) {
      const original = this.newDelivery(event, url, redelivery);
      out.push(original);
      for (let i = 0; i < this.state.deliveryFaults.duplicate; i++) {
        out.push({ ...this.newDelivery(event, url, redelivery), duplicateOf: original.id });
      }
    }
    this.state.deliveries.push(...out);
    return out;
  }

  private newDelivery(event: StripeEvent, url: string, redelivery: boolean): Delivery {
    return {
      id: newId('whdel', 16),
      eventId: event.id,
      eventType: event.type,
      url,
      status: 'pending',
      attempts: 0,
      history: [],
      ...(redelivery ? { redelivery: true } : {}),
    };
  }

  private schedule(deliveries: Delivery[]): void {
    if (this.closed) return;
    if (this.state.deliveryFaults.reorder) {
      this.held.push(...deliveries);
      if (!this.heldTimer) {
        this.heldTimer = setTimeout(() => {
          this.heldTimer = undefined;
          this.flushHeld();
        }, this.state.deliveryFaults.reorderWindowMs);
      }
      return;
    }
    for (const d of deliveries) this.enqueue(d);
  }

  private enqueue(d: Delivery): void {
    const prev = this.queues.get(d.url) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        const delay = this.state.deliveryFaults.delayMs;
        if (delay > 0) await this.sleep(delay);
        await this.firstAttempt(d);
      })
      .catch((err: unknown) => this.opts.logger.error({ err, delivery: d.id }, 'webhook queue failed'));
    this.queues.set(d.url, next);
    void next.then(() => {
      if (this.queues.get(d.url) === next) this.queues.delete(d.url);
    });
  }

  private async firstAttempt(d: Delivery): Promise<void> {
    if (this.closed) return;
    const faults = this.state.deliveryFaults;
    if (faults.dropNext > 0) {
      // Lost on the way: no attempt reaches the endpoint and nothing is retried.
      faults.dropNext -= 1;
      d.status = 'dropped';
      d.history.push({ at: new Date().toISOString(), error: 'dropped by delivery fault', ms: 0 });
      this.opts.logger.info({ event: d.eventId, url: d.url }, 'webhook dropped (fault)');
      return;
    }
    await this.attempt(d);
  }

  private async attempt(d: Delivery): Promise<void> {
    if (this.closed || d.status !== 'pending') return;
    d.attempts += 1;
    const started = Date.now();
    const faults = this.state.deliveryFaults;
    if (faults.failNext > 0) {
      faults.failNext -= 1;
      this.recordFailure(d, started, undefined, 'failed by delivery fault');
      return;
    }
    const payload = this.payloads.get(d.eventId);
    if (payload === undefined) {
      this.recordFailure(d, started, undefined, 'event payload no longer available (simulator reset)', true);
      return;
    }
    let status: number | undefined;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signatureHeader(payload, this.state.webhookSecret, Math.floor(Date.now() / 1000)),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'cache-control': 'no-cache',
          accept: '*/*; q=0.5, application/xml',
        },
        body: payload,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        d.status = 'delivered';
        d.lastStatus = status;
        delete d.lastError;
        d.history.push({ at: new Date(started).toISOString(), status, ms: Date.now() - started });
        if (!d.duplicateOf && !d.redelivery) {
          const event = this.state.events.get(d.eventId);
          if (event && event.pending_webhooks > 0) event.pending_webhooks -= 1;
        }
        this.opts.logger.info({ event: d.eventId, type: d.eventType, url: d.url, attempts: d.attempts }, 'webhook delivered');
        return;
      }
      this.recordFailure(d, started, status, `HTTP ${status}`);
    } catch (err) {
      this.recordFailure(d, started, status, err instanceof Error ? (err.name === 'TimeoutError' ? `timeout after ${this.opts.timeoutMs} ms` : err.message) : String(err));
    }
  }

  private recordFailure(d: Delivery, started: number, status: number | undefined, error: string, final = false): void {
    d.lastError = error;
    if (status !== undefined) d.lastStatus = status;
    d.history.push({ at: new Date(started).toISOString(), ...(status !== undefined ? { status } : {}), error, ms: Date.now() - started });
    if (final || d.attempts >= this.opts.maxAttempts) {
      d.status = 'failed';
      this.opts.logger.warn({ event: d.eventId, type: d.eventType, url: d.url, attempts: d.attempts, error }, 'webhook given up');
      return;
    }
    const delay = this.opts.retryBaseMs * this.opts.retryFactor ** (d.attempts - 1);
    this.opts.logger.info({ event: d.eventId, url: d.url, attempt: d.attempts, error, retryInMs: delay }, 'webhook attempt failed');
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.attempt(d).catch((err: unknown) => this.opts.logger.error({ err, delivery: d.id }, 'webhook retry failed'));
    }, delay);
    this.timers.add(t);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.sleeps.delete(t);
        resolve();
      }, ms);
      this.sleeps.set(t, resolve);
    });
  }
}
