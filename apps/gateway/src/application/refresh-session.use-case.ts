import type { TokenResponse } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { hashToken, newRefreshToken } from '../infrastructure/opaque-token';
import type { RefreshTokenRepository } from '../infrastructure/refresh-token.repository';
import { invalidRefreshToken, refreshTokenReused } from './auth.errors';
import type { SessionIssuer } from './session.issuer';

/**
 * Refresh-token rotation: the presented token is spent and a new one of the same family is returned. A token that
 * was already spent means two parties hold the family: it is revoked as a whole (reuse detection).
 */
export async function refreshSession(
  deps: { refreshTokens: RefreshTokenRepository; sessions: SessionIssuer; logger: Logger },
  presentedToken: string,
  /** Told whose family the token belongs to, also when the refresh is refused (for the audit trail). */
  identify: (userId: string) => void = () => undefined,
): Promise<TokenResponse> {
  const next = newRefreshToken();
  const outcome = await deps.refreshTokens.rotate(hashToken(presentedToken), hashToken(next), (sessionExpiresAt) => deps.sessions.refreshExpiry(sessionExpiresAt));
  switch (outcome.kind) {
    case 'rotated':
      identify(outcome.user.id);
      return deps.sessions.respond(outcome.user, next, outcome.familyId);
    case 'reused':
      deps.logger.warn({ userId: outcome.userId, familyId: outcome.familyId }, 'refresh token reused: family revoked');
      identify(outcome.userId);
      throw refreshTokenReused();
    case 'invalid':
      deps.logger.info({ reason: outcome.reason }, 'refresh refused');
      throw invalidRefreshToken();
  }
}
