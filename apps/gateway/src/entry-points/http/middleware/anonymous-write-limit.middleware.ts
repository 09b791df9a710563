import type { RequestHandler } from 'express';
import type { Logger } from '@ttelgo/observability';
import { clientRateLimitKey } from '../../../domain/client-address';
import type { RateLimiter } from '../../../infrastructure/auth.rate-limiter';
import { actorOf } from './audit.middleware';
import { enforceRateLimit } from './rate-limit.middleware';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Per client IP (IPv6 per /64): at most the limiter's points of state-changing requests per window that end
 * anonymous, i.e. authenticate nobody (404s, 401s, refused sign-ins, bad webhooks). A request is charged after its
 * answer, when it is known whether it authenticated, so a made-up Authorization header does not escape the count.
 * Once the budget is spent the IP's writes without credentials are refused with 429 before any work, until the
 * window ends; a write that carries credentials still goes on (a signed-in user behind the same NAT keeps working,
 * and a made-up token costs one signature check, a made-up API key its own per-IP failure limit). Signed-in users
 * and vendors are never charged. `exempt` paths (the provider webhooks, retried by their providers and
 * verified by a cheap HMAC) are neither charged nor refused.
 */
export function limitAnonymousWrites(deps: { limiter: RateLimiter; logger: Logger; exempt: readonly string[] }): RequestHandler {
  return async (req, res, next) => {
    if (!STATE_CHANGING.has(req.method) || deps.exempt.includes(req.path)) {
      next();
      return;
    }
    const key = clientRateLimitKey(req.ip ?? req.socket.remoteAddress);
    const credentials = req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
    if (!credentials) {
      await enforceRateLimit(res, () => deps.limiter.peek(key), { logger: deps.logger, refusal: 'Too many unauthenticated requests from this address; retry later.' });
    }
    res.once('finish', () => {
      if (actorOf(req, res).type !== 'anonymous') return;
      deps.limiter.charge(key).catch((err: unknown) => deps.logger.warn({ err }, 'anonymous write limiter failed to count'));
    });
    next();
  };
}
