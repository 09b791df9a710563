import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { canonicalJson } from '../../../domain/canonical-json';
import { isValidIdempotencyKey } from '../../../domain/idempotency-key';
import type { ClaimOutcome, IdempotencyClaim, StoredResponse } from '../../../infrastructure/idempotency.repository';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** Response headers kept with the first response and replayed with it (never per-request ones like X-Request-Id). */
const REPLAYED_RESPONSE_HEADERS = ['content-type', 'location', 'cache-control', 'retry-after'];

export interface IdempotencyStore {
  claim(req: IdempotencyClaim): Promise<ClaimOutcome>;
  complete(id: string, response: StoredResponse): Promise<void>;
  release(id: string): Promise<void>;
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  /** Whose key space this request uses (`user:<id>`, `vendor:<id>`): keys of different principals never meet. */
  principal: (req: Request) => string;
  /** Required: a missing header is 400 IDEMPOTENCY_KEY_REQUIRED. Otherwise requests without one pass through. */
  required: boolean;
  ttlMs: number;
  /** An IN_PROGRESS record older than this is treated as abandoned (its process died mid-request). Default 60 s. */
  staleAfterMs?: number;
  logger: Logger;
}

/** Which request a key belongs to: method, path and the canonical JSON of the body (key order does not matter). */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n`).update(canonicalJson(body)).digest('hex');
}

function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The body exactly as sent (JSON text), so a replay is byte-identical to the first response. */
function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body === undefined || body === null) return '';
  return undefined;
}

function replay(res: Response, stored: StoredResponse): void {
  for (const [name, value] of Object.entries(stored.headers)) res.setHeader(name, value);
  res.setHeader(REPLAYED_HEADER, 'true');
  res.status(stored.status);
  if (stored.body === null || stored.body === undefined || stored.body === '') {
    res.end();
    return;
  }
  // Stored as the JSON text of the first response (a jsonb string): jsonb would reorder an object's keys.
  res.send(typeof stored.body === 'string' ? stored.body : JSON.stringify(stored.body));
}

/**
 * `Idempotency-Key` (docs/architecture.md#idempotency-key), Stripe's semantics, per principal:
 * - the same key and the same request (method, path, body) replays the stored first response, with
 *   `Idempotent-Replayed: true`;
 * - the same key with another request is 422 IDEMPOTENCY_KEY_REUSED;
 * - the same key while the first request still runs is 409 IDEMPOTENCY_REQUEST_IN_PROGRESS;
 * - 2xx and 4xx outcomes are stored (for `ttlMs`, the body as its exact text); a 5xx or an aborted response deletes the record,
 *   so the client's retry runs the request again (the handlers downstream are idempotent by the key themselves).
 * Mount it after authentication and request validation: what fails those is not stored.
 */
export function idempotency(opts: IdempotencyOptions): RequestHandler {
  const staleAfterMs = opts.staleAfterMs ?? 60_000;
  return async (req, res, next) => {
    const raw = req.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    if (raw === undefined) {
      if (opts.required) throw new AppError('IDEMPOTENCY_KEY_REQUIRED', 400, `This request needs an ${IDEMPOTENCY_KEY_HEADER} header (1-255 printable characters, e.g. a UUID).`);
      next();
      return;
    }
    if (!isValidIdempotencyKey(raw)) {
      throw new AppError('VALIDATION_FAILED', 400, 'The request is not valid.', {
        title: 'Validation failed',
        errors: [{ path: 'headers.idempotency-key', message: 'expected 1-255 printable ASCII characters', code: 'invalid_format' }],
      });
    }
    const path = pathOf(req);
    const outcome = await opts.store.claim({
      principal: opts.principal(req),
      key: raw,
      method: req.method,
      path,
      requestHash: requestFingerprint(req.method, path, req.body),
      ttlMs: opts.ttlMs,
      staleAfterMs,
    });
    switch (outcome.kind) {
      case 'mismatch':
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 422, 'This Idempotency-Key was already used with a different request.');
      case 'in-progress':
        throw new AppError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 409, 'A request with this Idempotency-Key is still being processed; retry shortly.', {
          headers: { 'Retry-After': '1' },
        });
      case 'completed':
        replay(res, outcome.response);
        return;
      case 'claimed':
        break;
    }

    const recordId = outcome.id;
    const log = opts.logger.child({ idempotencyRecord: recordId });
    let settled = false;
    const release = (): Promise<void> => opts.store.release(recordId).catch((err: unknown) => log.error({ err }, 'idempotency record release failed'));
    const originalSend = res.send.bind(res);
    // The record is finished BEFORE the response leaves: a client that retries the moment it has the answer finds
    // COMPLETED, not IN_PROGRESS.
    res.send = function sendAfterRecording(body?: unknown) {
      if (settled) return originalSend(body);
      settled = true;
      const status = res.statusCode;
      const text = bodyText(body);
      let recorded: Promise<void>;
      if (status >= 500 || text === undefined) {
        recorded = release();
      } else {
        const headers: Record<string, string> = {};
        for (const name of REPLAYED_RESPONSE_HEADERS) {
          const value = res.getHeader(name);
          if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
        }
        recorded = opts.store.complete(recordId, { status, headers, body: text }).catch(async (err: unknown) => {
          log.error({ err }, 'idempotency record completion failed: releasing it');
          await release();
        });
      }
      void recorded.finally(() => originalSend(body));
      return res;
    } as Response['send'];
    res.once('close', () => {
      if (settled) return;
      settled = true;
      // Ended without res.send: a bodiless answer (204 via res.end) is stored; a connection that broke is released.
      if (res.writableFinished && res.statusCode < 500) {
        void opts.store.complete(recordId, { status: res.statusCode, headers: {}, body: null }).catch(() => release());
      } else {
        void release();
      }
    });
    next();
  };
}
