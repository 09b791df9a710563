import type { Request, RequestHandler } from 'express';
import type { Logger } from '@ttelgo/observability';
import { API_KEY_HEADER, type VendorAccess, type VendorPrincipal } from '../../../application/vendor-access';
import type { VendorRateLimiter } from '../../../infrastructure/vendor.rate-limiter';
import { enforceRateLimit } from './rate-limit.middleware';

const vendors = new WeakMap<Request, VendorPrincipal>();
/** last_used_at: at most one write per key and minute (per replica here; the UPDATE is conditional across replicas). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface VendorAuthDeps {
  access: VendorAccess;
  limiter: VendorRateLimiter;
  /** Records that a key was used (conditional UPDATE of last_used_at). */
  touch: (keyId: string) => Promise<void>;
  logger: Logger;
  now?: () => number;
}

/**
 * `X-API-Key` authentication plus the per-key rate limit (the vendor's rateLimitPerMinute). RateLimit-* go out on
 * every answer to an authenticated vendor, Retry-After with the 429. Rate limiting comes after authentication: the
 * counter is the key's, so an unauthenticated caller cannot spend a vendor's budget.
 */
export function authenticateVendor(deps: VendorAuthDeps): RequestHandler {
  const now = deps.now ?? Date.now;
  const lastTouched = new Map<string, number>();
  return async (req, res, next) => {
    const principal = await deps.access.authenticate(req.headers[API_KEY_HEADER.toLowerCase()]);
    vendors.set(req, principal);

    await enforceRateLimit(res, () => deps.limiter.consume(principal.keyId, principal.vendor.rateLimitPerMinute), {
      logger: deps.logger,
      refusal: 'Too many requests with this API key; retry later.',
    });

    const at = now();
    const previous = lastTouched.get(principal.keyId);
    if (previous === undefined || at - previous >= LAST_USED_WRITE_INTERVAL_MS) {
      lastTouched.set(principal.keyId, at);
      if (lastTouched.size > 100_000) lastTouched.clear();
      void deps.touch(principal.keyId).catch((err: unknown) => deps.logger.warn({ err, keyId: principal.keyId }, 'last_used_at update failed'));
    }
    next();
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
