import { hashToken } from '../infrastructure/opaque-token';
import type { RefreshTokenRepository } from '../infrastructure/refresh-token.repository';

/** Revokes the whole sign-in (the family) of the refresh token. Unknown tokens are ignored: logout always succeeds. */
export async function logout(deps: { refreshTokens: RefreshTokenRepository }, refreshToken: string): Promise<{ userId: string } | undefined> {
  return deps.refreshTokens.revokeFamilyOf(hashToken(refreshToken));
}
