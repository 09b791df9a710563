/**
 * Refresh-token families (schema `gateway`). Rotation runs in one transaction with the presented token's row locked
 * (FOR UPDATE), so two concurrent refreshes with one token cannot both succeed: the second sees it used, which is
 * exactly what a stolen token replayed by an attacker looks like, and revokes the family.
 */
import { randomUUID } from 'node:crypto';
import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { UserRole } from '@ttelgo/contracts';
import type { PrismaClient } from './generated/prisma/client';

export type RotationOutcome =
  | { kind: 'rotated'; familyId: string; user: { id: string; email: string; name: string | null; role: UserRole } }
  | { kind: 'reused'; familyId: string; userId: string }
  | { kind: 'invalid'; reason: 'unknown' | 'expired' | 'session-ended' | 'revoked' | 'user-disabled' };

interface LockedRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  session_expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  email: string;
  name: string | null;
  role: string;
  disabled_at: Date | null;
}

export class RefreshTokenRepository {
  private readonly schema: string;

  constructor(
    private readonly prisma: PrismaClient,
    /** Raw SQL is not rewritten by the adapter, so it names the schema itself. */
    schema: string,
  ) {
    this.schema = assertSchemaName(schema);
  }

  private table(name: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(name)}`;
  }

  /** A new family (a sign-in) with its first token; the family ends at `sessionExpiresAt`. Returns the family id. */
  async issue(userId: string, tokenHash: string, expiresAt: Date, sessionExpiresAt: Date): Promise<string> {
    const familyId = randomUUID();
    await this.prisma.refreshToken.create({ data: { id: randomUUID(), userId, familyId, tokenHash, expiresAt, sessionExpiresAt } });
    return familyId;
  }

  /**
   * Spends the presented token and issues the next of its family, expiring at `nextExpiry(end of the sign-in)`.
   * A family past its absolute end is revoked as a whole (the user signs in again).
   */
  async rotate(presentedHash: string, nextHash: string, nextExpiry: (sessionExpiresAt: Date) => Date): Promise<RotationOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<LockedRow[]>(
        `SELECT t.id, t.user_id, t.family_id, t.expires_at, t.session_expires_at, t.used_at, t.revoked_at, u.email, u.name, u.role, u.disabled_at
           FROM ${this.table('refresh_tokens')} t JOIN ${this.table('users')} u ON u.id = t.user_id
          WHERE t.token_hash = $1
            FOR UPDATE OF t`,
        presentedHash,
      );
      const row = rows[0];
      if (!row) return { kind: 'invalid', reason: 'unknown' } as const;
      if (row.revoked_at) return { kind: 'invalid', reason: 'revoked' } as const;
      if (row.used_at) {
        // Reuse: whoever holds the newest token of this family (the thief or the victim) loses it too.
        await this.revokeFamilyIn(tx, row.family_id);
        return { kind: 'reused', familyId: row.family_id, userId: row.user_id } as const;
      }
      if (row.session_expires_at.getTime() <= Date.now()) {
        await this.revokeFamilyIn(tx, row.family_id);
        return { kind: 'invalid', reason: 'session-ended' } as const;
      }
      if (row.expires_at.getTime() <= Date.now()) return { kind: 'invalid', reason: 'expired' } as const;
      if (row.disabled_at) {
        await this.revokeFamilyIn(tx, row.family_id);
        return { kind: 'invalid', reason: 'user-disabled' } as const;
      }
      const nextId = randomUUID();
      await tx.refreshToken.create({
        data: { id: nextId, userId: row.user_id, familyId: row.family_id, tokenHash: nextHash, expiresAt: nextExpiry(row.session_expires_at), sessionExpiresAt: row.session_expires_at },
      });
      await tx.refreshToken.update({ where: { id: row.id }, data: { usedAt: new Date(), replacedBy: nextId } });
      return {
        kind: 'rotated',
        familyId: row.family_id,
        user: { id: row.user_id, email: row.email, name: row.name, role: row.role === 'admin' ? 'admin' : 'customer' },
      } as const;
    });
  }

  /** Logout: revokes the family of the token, whatever its state; false when the token is unknown. */
  async revokeFamilyOf(tokenHash: string): Promise<{ userId: string } | undefined> {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash }, select: { familyId: true, userId: true } });
    if (!row) return undefined;
    await this.prisma.refreshToken.updateMany({ where: { familyId: row.familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    return { userId: row.userId };
  }

  /** Housekeeping: tokens that expired more than `graceMs` ago can no longer be presented, reused or audited usefully. */
  async deleteExpired(graceMs: number): Promise<number> {
    const { count } = await this.prisma.refreshToken.deleteMany({ where: { expiresAt: { lt: new Date(Date.now() - graceMs) } } });
    return count;
  }

  private async revokeFamilyIn(tx: Pick<PrismaClient, 'refreshToken'>, familyId: string): Promise<void> {
    await tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  }
}
