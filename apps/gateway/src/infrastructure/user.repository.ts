/**
 * Users (schema `gateway`). Returns plain objects: Prisma rows never leave this file.
 */
import type { UserRole } from '@ttelgo/contracts';
import type { PrismaClient } from './generated/prisma/client';

export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  role: UserRole;
  createdAt: Date;
  disabledAt: Date | null;
}

export class EmailTakenError extends Error {
  constructor() {
    super('e-mail already registered');
    this.name = 'EmailTakenError';
  }
}

type Row = { id: string; email: string; name: string | null; passwordHash: string; role: string; createdAt: Date; disabledAt: Date | null };

function toRecord(row: Row): UserRecord {
  return { ...row, role: row.role === 'admin' ? 'admin' : 'customer' };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export class UserRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Throws EmailTakenError when the (normalised) e-mail exists: the unique index decides, so races are safe. */
  async create(user: { id: string; email: string; name: string | null; passwordHash: string; role: UserRole }): Promise<UserRecord> {
    try {
      return toRecord(await this.prisma.user.create({ data: user }));
    } catch (err) {
      if (isUniqueViolation(err)) throw new EmailTakenError();
      throw err;
    }
  }

  /** Creates the user unless the e-mail exists; true when created. */
  async createIfAbsent(user: { id: string; email: string; name: string | null; passwordHash: string; role: UserRole }): Promise<boolean> {
    const { count } = await this.prisma.user.createMany({ data: [user], skipDuplicates: true });
    return count === 1;
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.prisma.user.findUnique({ where: { email } });
    return row ? toRecord(row) : undefined;
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.prisma.user.findUnique({ where: { id } });
    return row ? toRecord(row) : undefined;
  }

  /**
   * The user, if the sign-in `sessionId` (a refresh-token family) is live: one of its tokens is neither revoked nor
   * past the end of the sign-in. One indexed query (users by id, refresh_tokens by family_id) on every authenticated
   * request, so a logout, a reuse or a password reset ends the access tokens of that sign-in at once on every replica.
   */
  async findWithLiveSession(id: string, sessionId: string): Promise<UserRecord | undefined> {
    const row = await this.prisma.user.findFirst({
      where: { id, refreshTokens: { some: { familyId: sessionId, revokedAt: null, sessionExpiresAt: { gt: new Date() } } } },
    });
    return row ? toRecord(row) : undefined;
  }

  async exists(email: string): Promise<boolean> {
    return (await this.prisma.user.count({ where: { email } })) > 0;
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.prisma.user.update({ where: { id }, data: { passwordHash } });
  }
}
