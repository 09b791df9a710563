/**
 * The inbox table used as a record of handled messages, for a consumer whose use case is idempotent on its own and
 * runs its own transactions (esim.provision.v1): no transaction is held around the handler, see
 * provision-commands.consumer.ts.
 */
import type { PrismaClient } from './generated/prisma/client';

export class ProcessedMessages {
  constructor(private readonly prisma: PrismaClient) {}

  async seen(messageId: string, handler: string): Promise<boolean> {
    return (await this.prisma.inboxMessage.findUnique({ where: { messageId_handler: { messageId, handler } }, select: { handler: true } })) !== null;
  }

  async record(messageId: string, handler: string): Promise<void> {
    await this.prisma.inboxMessage.createMany({ data: [{ messageId, handler }], skipDuplicates: true });
  }
}
