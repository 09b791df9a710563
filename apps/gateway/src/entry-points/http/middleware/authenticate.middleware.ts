import type { Request, RequestHandler } from 'express';
import type { UserRole } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { authenticationRequired, forbidden, invalidAccessToken } from '../../../application/auth.errors';
import { InvalidAccessTokenError, type AccessTokenSigner } from '../../../infrastructure/access-token.signer';
import type { RateLimiter } from '../../../infrastructure/auth.rate-limiter';
import { enforceRateLimit } from './rate-limit.middleware';

export interface Principal {
  userId: string;
  role: UserRole;
  email: string;
  name: string | null;
}

export interface PrincipalLookup {
  /**
   * The current state of the account, if the sign-in `sessionId` is still live (not logged out, not revoked by a
   * refresh-token reuse or a password reset, not past its end): a disabled or deleted user's, or an ended session's,
   * still-unexpired token stops working at once.
   */
  findWithLiveSession(
    id: string,
    sessionId: string,
  ): Promise<{ id: string; email: string; name: string | null; role: UserRole; disabledAt: Date | null } | undefined>;
}

const principals = new WeakMap<Request, Principal>();

/** RFC 6750 b64token, bounded: longer or odder values are refused before any crypto. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const MAX_TOKEN_LENGTH = 4096;

/**
 * Requires `Authorization: Bearer <access JWT>`. Every failure is the same 401 invalid_token (the reason is only
 * logged at debug), so the answer is no oracle for forging tokens. With `limiter`, each authenticated request then
 * takes a point of the user's own budget (RateLimit-* on every answer, 429 when spent): after authentication, so an
 * anonymous caller cannot spend somebody else's budget.
 */
export function authenticate(deps: { signer: AccessTokenSigner; users: PrincipalLookup; logger: Logger; limiter?: RateLimiter }): RequestHandler {
  const limiter = deps.limiter;
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '') throw authenticationRequired();
    const match = header.length <= MAX_TOKEN_LENGTH + 7 ? BEARER.exec(header.trim()) : null;
    if (!match) throw invalidAccessToken();
    let userId: string;
    let tokenRole: UserRole;
    let sessionId: string;
    try {
      ({ userId, role: tokenRole, sessionId } = deps.signer.verify(match[1]!));
    } catch (err) {
      if (err instanceof InvalidAccessTokenError) {
        deps.logger.debug({ reason: err.message }, 'access token refused');
        throw invalidAccessToken();
      }
      throw err;
    }
    const user = await deps.users.findWithLiveSession(userId, sessionId);
    if (!user || user.disabledAt) {
      deps.logger.info({ userId, sessionId }, 'access token of a missing or disabled user, or of an ended session, refused');
      throw invalidAccessToken();
    }
    // The role of the account now wins over the one in the token: a demoted admin loses admin rights at once.
    const role = user.role === tokenRole ? user.role : 'customer';
    principals.set(req, { userId: user.id, role, email: user.email, name: user.name });
    if (limiter) {
      await enforceRateLimit(res, () => limiter.consume(`user:${user.id}`), { logger: deps.logger, refusal: 'Too many requests for this account; retry later.' });
    }
    next();
  };
}

/** After authenticate: 403 FORBIDDEN unless the principal has one of the roles. */
export function requireRole(...roles: UserRole[]): RequestHandler {
  return (req, _res, next) => {
    const principal = principals.get(req);
    if (!principal) throw authenticationRequired();
    if (!roles.includes(principal.role)) throw forbidden();
    next();
  };
}

export function principalOf(req: Request): Principal {
  const principal = principals.get(req);
  if (!principal) throw new Error('principalOf(req) used on a route without authenticate()');
  return principal;
}

export function optionalPrincipalOf(req: Request): Principal | undefined {
  return principals.get(req);
}
