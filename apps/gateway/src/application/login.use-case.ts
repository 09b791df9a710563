import type { LoginRequest, TokenResponse } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import type { PasswordHasher } from '../infrastructure/password.hasher';
import type { UserRecord, UserRepository } from '../infrastructure/user.repository';
import { invalidCredentials } from './auth.errors';
import type { SessionIssuer } from './session.issuer';

export interface LoginResult {
  tokens: TokenResponse;
  user: UserRecord;
}

/**
 * Unknown e-mail, wrong password and disabled account all cost one argon2 verification and answer the same 401, so
 * neither the body nor the timing tells an attacker which e-mails have accounts.
 */
export async function login(
  deps: { users: UserRepository; hasher: PasswordHasher; sessions: SessionIssuer; logger: Logger },
  input: LoginRequest,
): Promise<LoginResult> {
  const user = await deps.users.findByEmail(input.email);
  if (!user) {
    await deps.hasher.verifyDummy(input.password);
    throw invalidCredentials();
  }
  const ok = await deps.hasher.verify(user.passwordHash, input.password);
  if (!ok || user.disabledAt) throw invalidCredentials();
  if (deps.hasher.needsRehash(user.passwordHash)) {
    // Parameters were raised since this hash was made: upgrade it now that we hold the plain password.
    try {
      await deps.users.updatePasswordHash(user.id, await deps.hasher.hash(input.password));
    } catch (err) {
      deps.logger.warn({ err, userId: user.id }, 'password re-hash failed (login continues)');
    }
  }
  return { tokens: await deps.sessions.start(user), user };
}
