/**
 * The HTTP client of the anti-corruption layer to eSIM Go v2.4. Every call goes through, in this order:
 *
 *   retry loop (GET only) -> circuit breaker -> outbound rate limit -> fetch with a timeout
 *
 * - Breaker (opossum): opens when at least `volumeThreshold` calls in the rolling window failed 50 % or more,
 *   fails fast while open (ProviderUnavailableError, nothing is sent), lets one trial through after
 *   `resetTimeout`. Client errors (4xx other than 429: bad key, unknown bundle) are the caller's fault, not the
 *   provider's, so they do not count as failures. Its state is exported as the breakerState gauge.
 * - Retries: only transient failures (network error, timeout, 429, 502/503/504), exponential backoff with
 *   jitter, honouring Retry-After. A call that fails fast on the open breaker is not retried.
 * - POST is never retried: eSIM Go has no idempotency key, so a POST that timed out may have bought an eSIM.
 *   postOnce() reports such a call as EsimGoUnknownOutcomeError for the caller to reconcile (GET /orders).
 * - Rate limit: see OutboundRateLimit; waiting for a slot happens inside the breaker but outside the timeout.
 * - A 2xx answer that does not have the documented shape is a provider-contract error (EsimGoResponseError):
 *   counted in ttelgo_provider_contract_errors_total and logged, never read as an empty answer. Not retried here
 *   (the same question gets the same answer); callers defer and ask again later.
 */
import CircuitBreaker from 'opossum';
import type Redis from 'ioredis';
import { Counter } from 'prom-client';
import type { z } from 'zod';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import {
  EsimGoHttpError,
  EsimGoNetworkError,
  EsimGoResponseError,
  EsimGoUnknownOutcomeError,
  ProviderUnavailableError,
} from './esimgo.errors';
import { OutboundRateLimit } from './outbound-rate-limit';

export interface EsimGoClientOptions {
  /** e.g. https://api.esim-go.com/v2.4 */
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  rateLimitPerSecond: number;
  /** Shares the outbound rate limit across replicas. */
  redis?: Redis;
  /** Replicas sharing the budget: each keeps to its share while Redis is unreachable. */
  replicas?: number;
  /** Redis key of the shared budget: one per eSIM Go account (default ttelgo:esimgo:outbound). */
  rateLimitKey?: string;
  breakerResetMs: number;
  logger: Logger;
  metrics?: ServiceMetrics;
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; rollingCountTimeoutMs?: number };
}

export type BreakerState = 'closed' | 'half-open' | 'open';
const BREAKER_GAUGE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const BREAKER_NAME = 'esimgo';
const PROVIDER = 'esimgo';
const CONTRACT_ERRORS = 'ttelgo_provider_contract_errors_total';

/** One counter per registry, however many clients share it (tests start several). */
function contractErrorCounter(metrics: ServiceMetrics | undefined): Counter<'provider' | 'operation'> | undefined {
  if (!metrics) return undefined;
  const existing = metrics.registry.getSingleMetric(CONTRACT_ERRORS);
  if (existing) return existing as Counter<'provider' | 'operation'>;
  return new Counter({
    name: CONTRACT_ERRORS,
    help: 'Provider answers (2xx) that did not have the documented shape, by provider and operation',
    labelNames: ['provider', 'operation'] as const,
    registers: [metrics.registry],
  });
}

/** A list value repeats the key (`createdAt=gte:…&createdAt=lte:…`, several `reference`s). */
type Query = Record<string, string | number | readonly (string | number)[] | undefined>;
type Attempt = () => Promise<unknown>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200) || '(empty body)';
}

function outcomeOf(err: unknown): string {
  if (err instanceof EsimGoHttpError) {
    if (err.status === 429) return 'rate_limited';
    return err.status >= 500 ? 'server_error' : 'client_error';
  }
  if (err instanceof EsimGoNetworkError) return err.timedOut ? 'timeout' : 'network_error';
  return 'error';
}

/** Client errors are the caller's fault (bad key, unknown bundle): they must not open the breaker. */
export function isClientError(err: unknown): boolean {
  return err instanceof EsimGoHttpError && err.status >= 400 && err.status < 500 && err.status !== 429;
}

function isTransient(err: unknown): boolean {
  if (err instanceof EsimGoHttpError) return err.transient;
  return err instanceof EsimGoNetworkError;
}

function isBreakerRejection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EOPENBREAKER' || code === 'ESHUTDOWN';
}

export class EsimGoClient {
  private readonly breaker: CircuitBreaker<[Attempt], unknown>;
  private readonly limit: OutboundRateLimit;
  private readonly baseUrl: string;
  private readonly log: Logger;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private state: BreakerState = 'closed';
  private readonly contractErrors: Counter<'provider' | 'operation'> | undefined;

  constructor(private readonly opts: EsimGoClientOptions) {
    this.contractErrors = contractErrorCounter(opts.metrics);
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.log = opts.logger.child({ component: 'esimgo-client' });
    this.maxAttempts = opts.retry?.maxAttempts ?? 4;
    this.baseDelayMs = opts.retry?.baseDelayMs ?? 250;
    this.maxDelayMs = opts.retry?.maxDelayMs ?? 5000;
    this.limit = new OutboundRateLimit({
      perSecond: opts.rateLimitPerSecond,
      ...(opts.redis ? { redis: opts.redis } : {}),
      ...(opts.replicas ? { replicas: opts.replicas } : {}),
      onRedisError: (err) => this.log.warn({ err }, "eSIM Go's shared send schedule (Redis) is unreachable; keeping to this replica's share of the budget"),
      ...(opts.rateLimitKey ? { keyPrefix: opts.rateLimitKey } : {}),
    });
    this.breaker = new CircuitBreaker((attempt: Attempt) => attempt(), {
      name: BREAKER_NAME,
      // The fetch has its own AbortSignal timeout; a breaker timeout would also count the rate-limit wait.
      timeout: false,
      volumeThreshold: opts.breaker?.volumeThreshold ?? 5,
      errorThresholdPercentage: opts.breaker?.errorThresholdPercentage ?? 50,
      rollingCountTimeout: opts.breaker?.rollingCountTimeoutMs ?? 10_000,
      resetTimeout: opts.breakerResetMs,
      errorFilter: isClientError,
    });
    this.breaker.on('open', () => this.setState('open'));
    this.breaker.on('halfOpen', () => this.setState('half-open'));
    this.breaker.on('close', () => this.setState('closed'));
    this.setState('closed');
  }

  get breakerState(): BreakerState {
    return this.state;
  }

  /** Idempotent read: retried on transient failures. */
  async get<S extends z.ZodType>(operation: string, path: string, query: Query, schema: S): Promise<z.infer<S>> {
    const url = this.url(path, query);
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await this.fire(operation, () => this.send(operation, 'GET', url));
        return this.parse(operation, schema, body);
      } catch (err) {
        if (err instanceof ProviderUnavailableError || !isTransient(err) || attempt >= this.maxAttempts) throw err;
        const delay = this.backoff(attempt, err);
        this.log.warn({ err, operation, attempt, delayMs: delay }, 'eSIM Go call failed transiently; retrying');
        await sleep(delay);
      }
    }
  }

  /**
   * Non-idempotent write (the seam for POST /orders): sent exactly once. No answer (timeout, cut connection)
   * means the outcome is unknown and is reported as EsimGoUnknownOutcomeError: the caller records that and
   * reconciles against eSIM Go before any new attempt. An HTTP error answer is passed on as is.
   */
  async postOnce<S extends z.ZodType>(operation: string, path: string, body: unknown, schema: S): Promise<z.infer<S>> {
    const url = this.url(path, {});
    try {
      const answer = await this.fire(operation, () => this.send(operation, 'POST', url, body));
      return this.parse(operation, schema, answer);
    } catch (err) {
      if (err instanceof EsimGoNetworkError) {
        throw new EsimGoUnknownOutcomeError(`${operation}: no answer from eSIM Go, outcome unknown (${err.message})`, { cause: err });
      }
      throw err;
    }
  }

  /**
   * Non-idempotent DELETE (revoking a bundle assignment), sent once like postOnce: no answer is
   * EsimGoUnknownOutcomeError (the caller reads eSIM Go's state before trying again).
   */
  async deleteOnce<S extends z.ZodType>(operation: string, path: string, query: Query, schema: S): Promise<z.infer<S>> {
    const url = this.url(path, query);
    try {
      const answer = await this.fire(operation, () => this.send(operation, 'DELETE', url));
      return this.parse(operation, schema, answer);
    } catch (err) {
      if (err instanceof EsimGoNetworkError) {
        throw new EsimGoUnknownOutcomeError(`${operation}: no answer from eSIM Go, outcome unknown (${err.message})`, { cause: err });
      }
      throw err;
    }
  }

  close(): void {
    this.breaker.shutdown();
  }

  private setState(state: BreakerState): void {
    if (state !== this.state) this.log.warn({ breaker: BREAKER_NAME, state }, 'eSIM Go circuit breaker state changed');
    this.state = state;
    this.opts.metrics?.breakerState.set({ breaker: BREAKER_NAME }, BREAKER_GAUGE[state]);
  }

  private async fire(operation: string, attempt: Attempt): Promise<unknown> {
    try {
      return await this.breaker.fire(attempt);
    } catch (err) {
      if (isBreakerRejection(err)) {
        this.opts.metrics?.externalCallDuration.observe({ provider: PROVIDER, operation, outcome: 'breaker_open' }, 0);
        throw new ProviderUnavailableError(undefined, { cause: err });
      }
      throw err;
    }
  }

  private url(path: string, query: Query): string {
    const url = new URL(`${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value as readonly (string | number)[]) url.searchParams.append(key, String(v));
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  /** One HTTP exchange; resolves with the parsed JSON body of a 2xx answer. */
  private async send(operation: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<unknown> {
    await this.limit.acquire();
    const started = performance.now();
    let outcome = 'ok';
    try {
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, {
          method,
          headers: {
            'X-API-Key': this.opts.apiKey,
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
        throw new EsimGoNetworkError(
          timedOut ? `${method} ${operation} timed out after ${this.opts.timeoutMs} ms` : `${method} ${operation} failed: ${(err as Error).message}`,
          timedOut,
          { cause: err },
        );
      }
      if (!res.ok) throw new EsimGoHttpError(res.status, messageOf(text), parseRetryAfter(res.headers.get('retry-after')));
      try {
        return text === '' ? null : (JSON.parse(text) as unknown);
      } catch (err) {
        throw new EsimGoResponseError(`${operation}: eSIM Go answered ${res.status} with a body that is not JSON`, { cause: err });
      }
    } catch (err) {
      outcome = outcomeOf(err);
      throw err;
    } finally {
      this.opts.metrics?.externalCallDuration.observe({ provider: PROVIDER, operation, outcome }, (performance.now() - started) / 1000);
    }
  }

  private parse<S extends z.ZodType>(operation: string, schema: S, body: unknown): z.infer<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    this.contractErrors?.inc({ provider: PROVIDER, operation });
    this.log.error({ operation, issues }, 'eSIM Go answered in a shape we do not know (provider contract error); the call is treated as failed, not as empty');
    throw new EsimGoResponseError(`${operation}: unexpected answer from eSIM Go: ${issues.join('; ')}`);
  }

  /** Retry-After when the provider gave one, else exponential backoff with "equal jitter" (half fixed, half random). */
  private backoff(attempt: number, err: unknown): number {
    if (err instanceof EsimGoHttpError && err.retryAfterMs !== undefined) return Math.min(err.retryAfterMs, 30_000);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }
}
