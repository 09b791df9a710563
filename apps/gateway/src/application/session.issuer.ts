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

/** Issues the token response: a short-lived access JWT and an opaque refresh token (stored only as its hash). */
export class SessionIssuer {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly refreshTtlMs: number,
  ) {}

  /** A new sign-in: a new refresh-token family. */
  async start(user: SessionUser): Promise<TokenResponse> {
    const refreshToken = newRefreshToken();
    await this.refreshTokens.issue(user.id, hashToken(refreshToken), this.refreshExpiry());
    return this.respond(user, refreshToken);
  }

  refreshExpiry(): Date {
    return new Date(Date.now() + this.refreshTtlMs);
  }

  respond(user: SessionUser, refreshToken: string): TokenResponse {
    return {
      accessToken: this.signer.sign(user),
      refreshToken,
      expiresIn: this.signer.ttlSeconds,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }
}
