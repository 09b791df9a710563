/** Same shape as InboxStore in @ttelgo/messaging (db does not import messaging; the types agree structurally). */
export interface InboxStoreLike {
  runOnce(messageId: string, handler: string, fn: (tx: unknown) => Promise<void>): Promise<'processed' | 'duplicate'>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- each service has its own generated client type */
export interface PrismaTransactionRunner {
  $transaction(fn: (tx: any) => Promise<any>, opts?: any): Promise<any>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface PrismaInboxStoreOptions {
  /** Interactive transaction timeout; the handler's effects run inside it. Prisma's default of 5 s is short for handlers that call out. */
  timeoutMs?: number;
  maxWaitMs?: number;
}

/**
 * Idempotent consumer: the `(messageId, handler)` row and the handler's effects commit together or not at all.
 * A concurrent duplicate blocks on the first one's uncommitted primary key and then sees a conflict, so two
 * deliveries of one message never both run the handler. A throwing handler rolls the inbox row back with its
 * effects, so the redelivery runs it again.
 */
export class PrismaInboxStore implements InboxStoreLike {
  constructor(
    private readonly prisma: PrismaTransactionRunner,
    private readonly opts: PrismaInboxStoreOptions = {},
  ) {}

  async runOnce(messageId: string, handler: string, fn: (tx: unknown) => Promise<void>): Promise<'processed' | 'duplicate'> {
    return this.prisma.$transaction(
      async (tx: { inboxMessage: { createMany(args: unknown): Promise<{ count: number }> } }) => {
        const { count } = await tx.inboxMessage.createMany({ data: [{ messageId, handler }], skipDuplicates: true });
        if (count === 0) return 'duplicate' as const;
        await fn(tx);
        return 'processed' as const;
      },
      { timeout: this.opts.timeoutMs ?? 30_000, maxWait: this.opts.maxWaitMs ?? 10_000 },
    );
  }
}
