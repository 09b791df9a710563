/**
 * Account recovery. Asking (`requestPasswordReset`) never tells whether the e-mail has an account: the route answers
 * 202 either way, and the mail goes out in the background, after the answer. A reset token is 256 random bits,
 * valid RESET_TOKEN_TTL, single use, stored only as its SHA-256. Confirming (`confirmPasswordReset`) hashes the new
 * password first (the same work whatever the token), spends the token, revokes every session of the user (their
 * access tokens end with them) and tells the owner by mail.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SendAccountEmailV1, type DataOf } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import type { RateLimiter } from '../infrastructure/auth.rate-limiter';
import { hashToken } from '../infrastructure/opaque-token';
import type { PasswordHasher } from '../infrastructure/password.hasher';
import type { PasswordResetRepository } from '../infrastructure/password-reset.repository';
import type { UserRepository } from '../infrastructure/user.repository';
import type { ServiceCaller } from '../rpc/service.caller';

export const RESET_TOKEN_TTL_MS = 30 * 60_000;

export const resetTokenInvalid = () => new AppError('RESET_TOKEN_INVALID', 400, 'The reset link is not valid or has expired; ask for a new one.');

export interface PasswordResetDeps {
  users: UserRepository;
  resets: PasswordResetRepository;
  hasher: PasswordHasher;
  notification: ServiceCaller;
  /** Resets asked per account (the e-mail); over it, nothing is sent, and the answer stays 202. */
  accountLimiter: RateLimiter;
  logger: Logger;
}

/** The mail is sent after the answer and its failure is only logged: the answer must not depend on the account. */
function sendInBackground(deps: PasswordResetDeps, request: DataOf<typeof SendAccountEmailV1>, userId: string): void {
  setImmediate(() => {
    deps.notification.call(SendAccountEmailV1, request).catch((err: unknown) => deps.logger.error({ err, userId }, 'account e-mail not handed to notification'));
  });
}

export async function requestPasswordReset(deps: PasswordResetDeps, email: string): Promise<void> {
  const user = await deps.users.findByEmail(email);
  if (!user || user.disabledAt) {
    deps.logger.info('password reset asked for an unknown or disabled account');
    return;
  }
  const budget = await deps.accountLimiter.consume(`reset:${email}`).catch(() => ({ allowed: true }));
  if (!budget.allowed) {
    deps.logger.warn({ userId: user.id }, 'password reset asked too often for this account: nothing sent');
    return;
  }
  const token = `prt_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + RESET_TOKEN_TTL_MS);
  await deps.resets.create(user.id, hashToken(token), expiresAt);
  sendInBackground(deps, { kind: 'PASSWORD_RESET', requestId: randomUUID(), userId: user.id, to: user.email, resetToken: token, expiresAt: expiresAt.toISOString() }, user.id);
}

export async function confirmPasswordReset(deps: PasswordResetDeps, input: { token: string; newPassword: string }): Promise<{ userId: string }> {
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const outcome = await deps.resets.spend(hashToken(input.token), passwordHash);
  if (outcome.kind === 'invalid') throw resetTokenInvalid();
  deps.logger.info({ userId: outcome.user.id }, 'password reset: every session revoked');
  sendInBackground(deps, { kind: 'PASSWORD_CHANGED', requestId: randomUUID(), userId: outcome.user.id, to: outcome.user.email }, outcome.user.id);
  return { userId: outcome.user.id };
}
