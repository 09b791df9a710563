/**
 * Password reset tokens (schema `gateway`). Spending one is one transaction: the token row locked (FOR UPDATE, so two
 * concurrent confirmations cannot both succeed), marked used, the new password hash set, every other open reset of
 * the user closed, and every refresh-token family of the user revoked (which ends their access tokens too).
 */
import { randomUUID } from 'node:crypto';
import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { PrismaClient } from './generated/prisma/client';

export type ResetOutcome = { kind: 'reset'; user: { id: string; email: string } } | { kind: 'invalid' };

interface LockedRow {
  id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  email: string;
  disabled_at: Date | null;
}

export class PasswordResetRepository {
  private readonly schema: string;

  constructor(
    private readonly prisma: PrismaClient,
    schema: string,
  ) {
    this.schema = assertSchemaName(schema);
  }

  private table(name: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(name)}`;
  }

  async create(userId: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.prisma.passwordResetToken.create({ data: { id: randomUUID(), userId, tokenHash, expiresAt } });
  }

  async spend(tokenHash: string, newPasswordHash: string): Promise<ResetOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<LockedRow[]>(
        `SELECT t.id, t.user_id, t.expires_at, t.used_at, u.email, u.disabled_at
           FROM ${this.table('password_reset_tokens')} t JOIN ${this.table('users')} u ON u.id = t.user_id
          WHERE t.token_hash = $1
            FOR UPDATE OF t`,
        tokenHash,
      );
      const row = rows[0];
      if (!row || row.used_at || row.expires_at.getTime() <= Date.now() || row.disabled_at) return { kind: 'invalid' } as const;
      const now = new Date();
      await tx.passwordResetToken.updateMany({ where: { userId: row.user_id, usedAt: null }, data: { usedAt: now } });
      await tx.user.update({ where: { id: row.user_id }, data: { passwordHash: newPasswordHash } });
      await tx.refreshToken.updateMany({ where: { userId: row.user_id, revokedAt: null }, data: { revokedAt: now } });
      return { kind: 'reset', user: { id: row.user_id, email: row.email } } as const;
    });
  }

  /** Housekeeping: tokens expired more than `graceMs` ago. */
  async deleteExpired(graceMs: number): Promise<number> {
    const { count } = await this.prisma.passwordResetToken.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - graceMs) } } });
    return count;
  }
}
