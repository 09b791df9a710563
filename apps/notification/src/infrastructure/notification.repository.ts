import type { NotificationRow, NotificationStore } from '../application/record-order-notice.use-case';
import type { Prisma } from './generated/prisma/client';

/** Postgres side of `notification`. Runs inside the consumer's transaction (the inbox store's Prisma tx). */
export class PrismaNotificationStore implements NotificationStore {
  async create(tx: unknown, row: NotificationRow): Promise<'created' | 'exists'> {
    const client = tx as Prisma.TransactionClient;
    // ON CONFLICT DO NOTHING: a unique violation would abort the whole transaction, the inbox row included.
    const { count } = await client.notification.createMany({ data: [row], skipDuplicates: true });
    return count === 1 ? 'created' : 'exists';
  }
}
