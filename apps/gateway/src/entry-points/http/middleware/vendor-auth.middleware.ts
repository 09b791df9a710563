import type { Request, RequestHandler } from 'express';
import { isAppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { clientRateLimitKey } from '../../../domain/client-address';
import type { RateLimiter } from '../../../infrastructure/auth.rate-limiter';
import { API_KEY_HEADER, type VendorAccess, type VendorPrincipal } from '../../../application/vendor-access';
import type { VendorRateLimiter } from '../../../infrastructure/vendor.rate-limiter';
import { enforceRateLimit } from './rate-limit.middleware';
import { runInCell } from '../../../rpc/cell';

const vendors = new WeakMap<Request, VendorPrincipal>();
/** last_used_at: at most one write per key and minute (per replica here; the UPDATE is conditional across replicas). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface VendorAuthDeps {
  access: VendorAccess;
  limiter: VendorRateLimiter;
  /** Failed API-key attempts per client IP (IPv6 per /64), checked before the key is looked up. */
  failures: RateLimiter;
  /** Records that a key was used (conditional UPDATE of last_used_at). */
  touch: (keyId: string) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

/**
 * `X-API-Key` authentication plus the per-vendor rate limit (the vendor's rateLimitPerMinute, shared by all of its
 * keys: more keys are not more requests). RateLimit-* go out on every answer to an authenticated vendor,
 * Retry-After with the 429. Rate limiting comes after authentication: the counter is the vendor's, so an
 * unauthenticated caller cannot spend a vendor's budget. Before it, failed attempts are limited per client IP: a
 * guesser is refused with 429 before the key costs a database lookup.
 */
export function authenticateVendor(deps: VendorAuthDeps): RequestHandler {
  const now = deps.now ?? Date.now;
  const lastTouched = new Map<string, number>();
  return async (req, res, next) => {
    const client = clientRateLimitKey(req.ip ?? req.socket.remoteAddress);
    await enforceRateLimit(res, () => deps.failures.peek(client), { logger: deps.logger, refusal: 'Too many failed API-key attempts from this address; retry later.' });
    let principal: VendorPrincipal;
    try {
      principal = await deps.access.authenticate(req.headers[API_KEY_HEADER.toLowerCase()]);
    } catch (err) {
      if (isAppError(err) && err.status === 401) await deps.failures.charge(client).catch((e: unknown) => deps.logger.warn({ err: e }, 'API-key failure limiter failed to count'));
      throw err;
    }
    vendors.set(req, principal);

    await enforceRateLimit(res, () => deps.limiter.consume(principal.vendorId, principal.vendor.rateLimitPerMinute), {
      logger: deps.logger,
      refusal: 'Too many requests for this reseller account; retry later.',
    });

    const at = now();
    const previous = lastTouched.get(principal.keyId);
    if (previous === undefined || at - previous >= LAST_USED_WRITE_INTERVAL_MS) {
      lastTouched.set(principal.keyId, at);
      if (lastTouched.size > 100_000) lastTouched.clear();
      void deps.touch(principal.keyId).catch((err: unknown) => deps.logger.warn({ err, keyId: principal.keyId }, 'last_used_at update failed'));
    }
    // Everything after this point (validation, idempotency, the route and its RPCs) runs in the key's cell.
    runInCell(principal.livemode ? 'live' : 'sandbox', next);
  };
}

export function vendorOf(req: Request): VendorPrincipal {
  const principal = vendors.get(req);
  if (!principal) throw new Error('vendorOf(req) used on a route without authenticateVendor()');
  return principal;
}

export function optionalVendorOf(req: Request): VendorPrincipal | undefined {
  return vendors.get(req);
}
