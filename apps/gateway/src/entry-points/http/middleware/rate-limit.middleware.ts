import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { clientRateLimitKey } from '../../../domain/client-address';
import type { RateLimitDecision, RateLimiter } from '../../../infrastructure/auth.rate-limiter';

/**
 * Takes one point of a rate limit for this request: the RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers)
 * go out on every answer, a 429 RATE_LIMITED with Retry-After when the budget is spent. Shared by the per-IP limits
 * (/auth/*), the per-user limit (JWT routes) and the per-API-key limit (vendor routes). If the limiter itself fails
 * (Redis and the in-memory insurance limiter both), the request is let through and the failure logged: a broken
 * limiter must not lock every client out.
 */
export async function enforceRateLimit(res: Response, consume: () => Promise<RateLimitDecision>, opts: { logger: Logger; refusal: string }): Promise<void> {
  let decision: RateLimitDecision;
  try {
    decision = await consume();
  } catch (err) {
    opts.logger.error({ err }, 'rate limiter failed: request let through');
    return;
  }
  res.setHeader('RateLimit-Limit', String(decision.limit));
  res.setHeader('RateLimit-Remaining', String(decision.remaining));
  res.setHeader('RateLimit-Reset', String(decision.resetSeconds));
  if (!decision.allowed) {
    throw new AppError('RATE_LIMITED', 429, opts.refusal, { headers: { 'Retry-After': String(decision.resetSeconds) } });
  }
}

/**
 * Per-client-IP limit (IPv6 per /64: clientRateLimitKey). `req.ip` honours `trust proxy` (TRUST_PROXY): with the
 * default (false) it is the socket's peer address, so a client cannot pick a fresh key per request with
 * X-Forwarded-For.
 */
export function rateLimitByIp(limiter: RateLimiter, logger: Logger): RequestHandler {
  return async (req: Request, res, next) => {
    const key = clientRateLimitKey(req.ip ?? req.socket.remoteAddress);
    await enforceRateLimit(res, () => limiter.consume(key), { logger, refusal: 'Too many requests from this address; retry later.' });
    next();
  };
}
