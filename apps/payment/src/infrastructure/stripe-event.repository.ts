/**
 * The `stripe_events` table: every Stripe event we were handed, once per event id, with its processing state.
 * The row is written in the inbox transaction and its status changes in later, separate transactions, so a
 * processing failure never takes the stored event with it.
 */
import type { Prisma, PrismaClient } from './generated/prisma/client';
import type { Tx } from './payment.repository';

export type StripeEventStatus = 'RECEIVED' | 'PROCESSED' | 'IGNORED' | 'FAILED' | 'DEAD';

export interface StoredStripeEvent {
  id: string;
  type: string;
  objectId: string | null;
  status: StripeEventStatus;
  attempts: number;
}

export interface NewStripeEvent {
  id: string;
  type: string;
  objectId: string | null;
  payload: Prisma.InputJsonValue;
  receivedAt: Date;
}

type Db = Tx | PrismaClient;

export class StripeEventRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Returns false when the event id was stored before (Stripe delivered it again). */
  async store(tx: Tx, event: NewStripeEvent): Promise<boolean> {
    const { count } = await tx.stripeEvent.createMany({ data: [{ ...event, status: 'RECEIVED' }], skipDuplicates: true });
    return count === 1;
  }

  async get(id: string): Promise<StoredStripeEvent | null> {
    const row = await this.prisma.stripeEvent.findUnique({
      where: { id },
      select: { id: true, type: true, objectId: true, status: true, attempts: true },
    });
    return row ? { ...row, status: row.status as StripeEventStatus } : null;
  }

  /** PROCESSED goes in the transaction of the state change it caused; IGNORED on its own. */
  async markDone(id: string, status: 'PROCESSED' | 'IGNORED', note?: string, tx?: Tx): Promise<void> {
    const db: Db = tx ?? this.prisma;
    await db.stripeEvent.update({
      where: { id },
      data: { status, processedAt: new Date(), nextAttemptAt: null, attempts: { increment: 1 }, ...(note !== undefined ? { lastError: note } : {}) },
    });
  }

  /** A failed attempt: FAILED (due again at `nextAttemptAt`), or DEAD once `maxAttempts` is reached. */
  async markFailed(id: string, error: string, maxAttempts: number, nextAttemptAt: Date): Promise<StripeEventStatus> {
    const row = await this.prisma.stripeEvent.update({
      where: { id },
      data: { attempts: { increment: 1 }, lastError: error.slice(0, 2000), status: 'FAILED', nextAttemptAt },
      select: { attempts: true },
    });
    if (row.attempts < maxAttempts) return 'FAILED';
    await this.prisma.stripeEvent.update({ where: { id }, data: { status: 'DEAD', nextAttemptAt: null } });
    return 'DEAD';
  }

  /**
   * Events to (re)process: FAILED ones that are due, and RECEIVED ones older than `staleBefore` (the process died
   * between storing and processing them).
   */
  async findDue(now: Date, staleBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.stripeEvent.findMany({
      where: {
        OR: [
          { status: 'FAILED', nextAttemptAt: { lte: now } },
          { status: 'RECEIVED', createdAt: { lt: staleBefore } },
        ],
      },
      orderBy: { createdAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }
}
