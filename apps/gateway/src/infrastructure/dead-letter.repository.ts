/**
 * Dead letters archived from ttelgo.dead-letters (schema `gateway`): stored once per (messageId, original queue,
 * reason), read newest first by `GET /admin/dead-letters` (keyset pages on (received_at, id)), claimed by a replay.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export interface NewDeadLetter {
  messageId: string;
  type: string | null;
  originalQueue: string;
  reason: string;
  body: Buffer;
  headers: Record<string, unknown>;
  contentType: string | null;
}

export interface DeadLetterRow extends NewDeadLetter {
  id: string;
  receivedAt: Date;
  replayedAt: Date | null;
  replayedBy: string | null;
}

type Stored = Awaited<ReturnType<PrismaClient['deadLetter']['findFirstOrThrow']>>;

function toRow(r: Stored): DeadLetterRow {
  return {
    id: r.id,
    messageId: r.messageId,
    type: r.type,
    originalQueue: r.originalQueue,
    reason: r.reason,
    body: Buffer.from(r.body),
    headers: (r.headers ?? {}) as Record<string, unknown>,
    contentType: r.contentType,
    receivedAt: r.receivedAt,
    replayedAt: r.replayedAt,
    replayedBy: r.replayedBy,
  };
}

export class DeadLetterRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Inserts unless the same (messageId, originalQueue, reason) is already stored (a redelivery). */
  async store(letter: NewDeadLetter): Promise<'stored' | 'duplicate'> {
    const { count } = await this.prisma.deadLetter.createMany({
      data: [{ id: randomUUID(), ...letter, body: new Uint8Array(letter.body), headers: letter.headers as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
    return count === 1 ? 'stored' : 'duplicate';
  }

  async get(id: string): Promise<DeadLetterRow | undefined> {
    const row = await this.prisma.deadLetter.findUnique({ where: { id } });
    return row ? toRow(row) : undefined;
  }

  /** Newest first; the cursor is the (receivedAt, id) of the last row of the previous page. */
  async page(page: { limit: number; after?: { at: Date; id: string } | undefined }): Promise<{ rows: DeadLetterRow[]; last: { at: Date; id: string } | null }> {
    const rows = await this.prisma.deadLetter.findMany({
      where: page.after ? { OR: [{ receivedAt: { lt: page.after.at } }, { receivedAt: page.after.at, id: { lt: page.after.id } }] } : {},
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
    });
    const more = rows.length > page.limit;
    const pageRows = rows.slice(0, page.limit);
    const lastRow = pageRows.at(-1);
    return { rows: pageRows.map(toRow), last: more && lastRow ? { at: lastRow.receivedAt, id: lastRow.id } : null };
  }

  /** Marks it replayed unless it already was: exactly one of two concurrent replays wins. */
  async claimReplay(id: string, by: string, at = new Date()): Promise<boolean> {
    const { count } = await this.prisma.deadLetter.updateMany({ where: { id, replayedAt: null }, data: { replayedAt: at, replayedBy: by } });
    return count === 1;
  }

  /** Undoes a claim whose publish failed, so the replay can be tried again. */
  async releaseReplay(id: string, at: Date): Promise<void> {
    await this.prisma.deadLetter.updateMany({ where: { id, replayedAt: at }, data: { replayedAt: null, replayedBy: null } });
  }
}
