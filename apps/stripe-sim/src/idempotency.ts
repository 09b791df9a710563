/**
 * Stripe's v1 idempotency layer (https://docs.stripe.com/api/idempotent_requests): the first POST with a key
 * stores its status and body once the endpoint starts executing; later requests with that key get the stored
 * response back with `Idempotent-Replayed: true`. The same key with other parameters, or on another endpoint,
 * is an `idempotency_error` (400); while the first request is still executing a duplicate gets 409
 * (type idempotency_error, code idempotency_key_in_use; stripe-node retries 409s). Keys are pruned after 24 h.
 * Parameter-validation failures are not stored, so a corrected retry with the same key executes.
 */
import { StripeApiError } from './stripe-error';
import type { Params } from './params';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

interface Entry {
  endpoint: string;
  fingerprint: string;
  createdAt: number;
  inFlight: boolean;
  status?: number;
  body?: unknown;
}

export type BeginResult = { kind: 'execute' } | { kind: 'replay'; status: number; body: unknown };

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as Params)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Params)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  begin(key: string, method: string, path: string, params: Params): BeginResult {
    if (key.length > 255) {
      throw new StripeApiError(
        400,
        { type: 'invalid_request_error', message: `Keys for idempotent requests can only be up to 255 characters long. You provided a key with ${key.length} characters.` },
        { validation: true },
      );
    }
    this.prune();
    const endpoint = `${method} ${path}`;
    const fingerprint = stable(params);
    const existing = this.entries.get(key);
    if (!existing) {
      this.entries.set(key, { endpoint, fingerprint, createdAt: this.now(), inFlight: true });
      return { kind: 'execute' };
    }
    if (existing.endpoint !== endpoint) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${existing.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (existing.fingerprint !== fingerprint) {
      throw new StripeApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (existing.inFlight) {
      throw new StripeApiError(
        409,
        {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message: `There is currently another in-progress request using this idempotent key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        },
        { headers: { 'Stripe-Should-Retry': 'true' } },
      );
    }
    return { kind: 'replay', status: existing.status!, body: existing.body };
  }

  complete(key: string, status: number, body: unknown): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.inFlight = false;
    e.status = status;
    e.body = structuredClone(body);
  }

  /** The request ended without a result worth keeping (validation failure, simulator bug): forget the key. */
  abort(key: string): void {
    this.entries.delete(key);
  }

  prune(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [k, e] of this.entries) {
      if (!e.inFlight && e.createdAt <= cutoff) this.entries.delete(k);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
