import { randomUUID } from 'node:crypto';
import type { RegisterRequest, TokenResponse } from '@ttelgo/contracts';
import type { PasswordHasher } from '../infrastructure/password.hasher';
import { EmailTakenError, type UserRepository } from '../infrastructure/user.repository';
import { emailTaken } from './auth.errors';
import type { SessionIssuer } from './session.issuer';

/**
 * Creates a customer and signs them in. The password is hashed BEFORE looking at the e-mail, so a taken e-mail
 * answers after the same argon2 work as a new one (the 409 itself says the account exists, as the API promises,
 * but the timing adds nothing and no cheap probe exists).
 */
export async function register(
  deps: { users: UserRepository; hasher: PasswordHasher; sessions: SessionIssuer },
  input: RegisterRequest,
): Promise<TokenResponse> {
  const passwordHash = await deps.hasher.hash(input.password);
  try {
    const user = await deps.users.create({ id: randomUUID(), email: input.email, name: input.name ?? null, passwordHash, role: 'customer' });
    return await deps.sessions.start(user);
  } catch (err) {
    if (err instanceof EmailTakenError) throw emailTaken();
    throw err;
  }
}
