import { randomUUID } from 'node:crypto';
import type { PasswordHasher } from '../infrastructure/password.hasher';
import type { UserRepository } from '../infrastructure/user.repository';

/**
 * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no user has that e-mail. An existing account is left
 * alone (its password is not reset from the environment, and a customer is not promoted): the environment bootstraps,
 * it does not manage accounts.
 */
export async function seedAdmin(
  deps: { users: UserRepository; hasher: PasswordHasher },
  admin: { email: string; password: string },
): Promise<'created' | 'exists'> {
  if (await deps.users.exists(admin.email)) return 'exists';
  const passwordHash = await deps.hasher.hash(admin.password);
  const created = await deps.users.createIfAbsent({ id: randomUUID(), email: admin.email, name: 'Administrator', passwordHash, role: 'admin' });
  return created ? 'created' : 'exists';
}
