import type { RequestHandler } from 'express';
import { AppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import type { RateLimiter } from '../../../infrastructure/auth.rate-limiter';

/**
 * Per-client-IP limit. `req.ip` honours `trust proxy` (TRUST_PROXY): with the default (false) it is the socket's
 * peer address, so a client cannot pick a fresh key per request with X-Forwarded-For. The RateLimit-* headers
 * (draft-ietf-httpapi-ratelimit-headers) go out on every answer, Retry-After on the 429.
 */
export function rateLimitByIp(limiter: RateLimiter, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    let decision;
    try {
      decision = await limiter.consume(key);
    } catch (err) {
      // Only reachable if both Redis and the in-memory insurance limiter fail: fail open rather than lock everyone out.
      logger.error({ err }, 'rate limiter failed: request let through');
      next();
      return;
    }
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      throw new AppError('RATE_LIMITED', 429, 'Too many requests from this address; retry later.', {
        headers: { 'Retry-After': String(decision.resetSeconds) },
      });
    }
    next();
  };
}
