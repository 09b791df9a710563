import type { TokenResponse, UserRole } from '@ttelgo/contracts';
import type { AccessTokenSigner } from '../infrastructure/access-token.signer';
import { hashToken, newRefreshToken } from '../infrastructure/opaque-token';
import type { RefreshTokenRepository } from '../infrastructure/refresh-token.repository';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
}

/**
 * Issues the token response: a short-lived access JWT and an opaque refresh token (stored only as its hash).
 * A sign-in has two limits: a refresh token expires after `refreshTtlMs` without use (idle), and the whole family
 * ends `sessionMaxMs` after the login (absolute), however often it was refreshed.
 */
export class SessionIssuer {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly limits: { refreshTtlMs: number; sessionMaxMs: number },
  ) {}

  /** A new sign-in: a new refresh-token family. */
  async start(user: SessionUser): Promise<TokenResponse> {
    const refreshToken = newRefreshToken();
    const sessionExpiresAt = new Date(Date.now() + this.limits.sessionMaxMs);
    const sessionId = await this.refreshTokens.issue(user.id, hashToken(refreshToken), this.refreshExpiry(sessionExpiresAt), sessionExpiresAt);
    return this.respond(user, refreshToken, sessionId);
  }

  /** When a token issued now expires: after the idle limit, but never after the end of its sign-in. */
  refreshExpiry(sessionExpiresAt: Date): Date {
    return new Date(Math.min(Date.now() + this.limits.refreshTtlMs, sessionExpiresAt.getTime()));
  }

  /** `sessionId`: the refresh-token family; the access token carries it (`sid`), so revoking the family ends it. */
  respond(user: SessionUser, refreshToken: string, sessionId: string): TokenResponse {
    return {
      accessToken: this.signer.sign(user, sessionId),
      refreshToken,
      expiresIn: this.signer.ttlSeconds,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }
}
