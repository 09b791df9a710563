/**
 * V3 usage callbacks (BundleAlert), signed like eSIM Go: HMAC-SHA256 over the raw body, key = the API key
 * (or an explicit signing key), header X-Signature-SHA256, base64 by default (hex configurable, since the
 * eSIM Go docs disagree). Deliveries to one eSIM go out in order; failures are retried with backoff and
 * never escape into the simulator.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallbackDelivery, SimState } from './state';

export function signCallback(raw: string, key: string, digest: 'base64' | 'hex'): string {
  return createHmac('sha256', key).update(raw).digest(digest);
}

/** Accepts either encoding, as our client must. */
export function verifyCallbackSignature(raw: string, signature: string, key: string): boolean {
  for (const digest of ['base64', 'hex'] as const) {
    const expected = Buffer.from(signCallback(raw, key, digest));
    const given = Buffer.from(signature);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  }
  return false;
}

export interface CallbackDispatcherOptions {
  defaultSigningKey: string;
  retryDelaysMs: number[];
  timeoutMs: number;
  logger: Logger;
}

export class CallbackDispatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(
    private readonly state: SimState,
    private readonly opts: CallbackDispatcherOptions,
  ) {}

  /**
   * Queues one alert (plus `callbackDuplicates` identical repeats of it, as eSIM Go may deliver an alert more
   * than once); returns at once. Without a callback URL the alert is only recorded as skipped.
   */
  send(iccid: string, alertType: string, body: Record<string, unknown>): void {
    const first = this.queue(iccid, alertType, JSON.stringify(body));
    for (let i = 0; i < this.state.faults.callbackDuplicates; i++) this.queue(iccid, alertType, first.body, first.id);
  }

  /**
   * Sends earlier deliveries again, byte for byte, in the order given (the control API reverses them by default):
   * a late, repeated and reordered alert stream, which a receiver must absorb.
   */
  replay(deliveries: CallbackDelivery[]): CallbackDelivery[] {
    return deliveries.map((d) => this.queue(d.iccid, d.alertType, d.body, d.repeatOf ?? d.id));
  }

  private queue(iccid: string, alertType: string, raw: string, repeatOf?: string): CallbackDelivery {
    const url = this.state.callbackUrl;
    const delivery: CallbackDelivery = {
      id: randomUUID(),
      url: url ?? '',
      iccid,
      alertType,
      body: raw,
      status: 'pending',
      attempts: 0,
      ...(repeatOf ? { repeatOf } : {}),
    };
    this.state.callbacks.push(delivery);
    if (!url) {
      delivery.status = 'failed';
      delivery.lastError = 'no callback URL configured';
      return delivery;
    }
    const key = this.state.callbackSigningKey || this.opts.defaultSigningKey;
    const signature = signCallback(raw, key, this.state.callbackDigest);
    const prev = this.chains.get(iccid) ?? Promise.resolve();
    const next = prev.then(() => this.deliver(delivery, signature)).catch((err: unknown) => {
      this.opts.logger.error({ err, iccid }, 'callback chain failed');
    });
    this.chains.set(iccid, next);
    void next.then(() => {
      if (this.chains.get(iccid) === next) this.chains.delete(iccid);
    });
    return delivery;
  }

  /** Resolves when every queued delivery has finished (delivered or given up). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  close(): void {
    this.closed = true;
    for (const [t, wake] of this.timers) {
      clearTimeout(t);
      wake();
    }
    this.timers.clear();
  }

  private async deliver(d: CallbackDelivery, signature: string): Promise<void> {
    const delays = this.opts.retryDelaysMs;
    for (let attempt = 0; attempt <= delays.length && !this.closed; attempt++) {
      if (attempt > 0) await this.sleep(delays[attempt - 1]!);
      if (this.closed) break;
      d.attempts += 1;
      try {
        const res = await fetch(d.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-signature-sha256': signature, 'user-agent': 'esimgo-sim' },
          body: d.body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        d.lastStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          d.status = 'delivered';
          this.opts.logger.info({ iccid: d.iccid, alertType: d.alertType, attempts: d.attempts }, 'callback delivered');
          return;
        }
        d.lastError = `HTTP ${res.status}`;
      } catch (err) {
        d.lastError = err instanceof Error ? err.message : String(err);
      }
      this.opts.logger.warn({ iccid: d.iccid, alertType: d.alertType, attempt: d.attempts, error: d.lastError }, 'callback attempt failed');
    }
    d.status = 'failed';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.set(t, resolve);
    });
  }
}
