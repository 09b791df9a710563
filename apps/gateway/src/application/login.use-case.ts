import type { LoginRequest, TokenResponse } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import type { LockoutPolicy } from '../domain/login-lockout';
import type { LoginThrottle } from '../infrastructure/login-throttle';
import type { PasswordHasher } from '../infrastructure/password.hasher';
import type { UserRecord, UserRepository } from '../infrastructure/user.repository';
import { invalidCredentials } from './auth.errors';
import type { SessionIssuer } from './session.issuer';

export interface LoginResult {
  tokens: TokenResponse;
  user: UserRecord;
}

export interface LoginThrottling {
  throttle: LoginThrottle;
  customer: LockoutPolicy;
  /** Stricter: fewer failures, longer locks. */
  admin: LockoutPolicy;
}

export const accountLocked = (seconds: number) =>
  new AppError('TOO_MANY_LOGIN_ATTEMPTS', 429, 'Too many failed sign-ins for this account; retry later or reset the password.', {
    headers: { 'Retry-After': String(seconds) },
  });

/**
 * Unknown e-mail, wrong password and disabled account all cost one argon2 verification and answer the same 401, so
 * neither the body nor the timing tells an attacker which e-mails have accounts. Failures are counted per account
 * (the e-mail, whether it has an account or not, so a lock tells nothing either): once locked, the account answers
 * 429 + Retry-After to every sign-in, from any IP and with any password, until the lock ends (domain/login-lockout).
 */
export async function login(
  deps: { users: UserRepository; hasher: PasswordHasher; sessions: SessionIssuer; logger: Logger; throttling: LoginThrottling },
  input: LoginRequest,
): Promise<LoginResult> {
  const account = `account:${input.email}`;
  const { throttle } = deps.throttling;
  const locked = await throttle.lockedFor(account).catch((err: unknown) => {
    deps.logger.error({ err }, 'login throttle unavailable: sign-in let through');
    return 0;
  });
  if (locked > 0) throw accountLocked(locked);
  const user = await deps.users.findByEmail(input.email);
  const refuse = async (): Promise<never> => {
    const policy = user?.role === 'admin' ? deps.throttling.admin : deps.throttling.customer;
    const lockedNow = await throttle.failed(account, policy).catch((err: unknown) => {
      deps.logger.error({ err }, 'login throttle failed to count a failure');
      return 0;
    });
    if (lockedNow > 0) deps.logger.warn({ userId: user?.id, lockedSeconds: lockedNow }, 'account sign-in locked after failures');
    throw invalidCredentials();
  };
  if (!user) {
    await deps.hasher.verifyDummy(input.password);
    return refuse();
  }
  const ok = await deps.hasher.verify(user.passwordHash, input.password);
  if (!ok || user.disabledAt) return refuse();
  await throttle.succeeded(account).catch((err: unknown) => deps.logger.warn({ err }, 'login throttle failed to reset'));
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
