/**
 * What can go wrong talking to eSIM Go, typed so that callers decide on kinds, not on messages: retry only
 * what is transient, reconcile what is unknown, fail fast when the breaker is open.
 */

/** eSIM Go answered with a non-2xx status. */
export class EsimGoHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Parsed Retry-After, when the provider sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`eSIM Go answered ${status}: ${message}`);
    this.name = 'EsimGoHttpError';
  }

  get transient(): boolean {
    return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** No answer: the connection failed, was cut, or the timeout fired. */
export class EsimGoNetworkError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EsimGoNetworkError';
  }
}

/** The answer was 2xx but not shaped like eSIM Go's API: a provider change, not a transient fault. */
export class EsimGoResponseError extends Error {
  override readonly name = 'EsimGoResponseError';
}

/**
 * A non-idempotent call (POST /orders) may or may not have taken effect at eSIM Go: it must be reconciled
 * against the provider (e.g. GET /orders) before anything is retried, never blindly re-sent.
 */
export class EsimGoUnknownOutcomeError extends Error {
  override readonly name = 'EsimGoUnknownOutcomeError';
}

/** The circuit breaker is open: eSIM Go is failing, so we do not even try (503 at the edge). */
export class ProviderUnavailableError extends Error {
  readonly code = 'PROVIDER_UNAVAILABLE';
  readonly status = 503;
  constructor(message = 'eSIM Go is unavailable, try again later', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}
