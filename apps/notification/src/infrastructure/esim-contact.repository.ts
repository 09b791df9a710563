import type { EsimContactStore } from '../application/record-esim-notice.use-case';
import type { Prisma } from './generated/prisma/client';

/** Postgres side of `esim_contacts`, inside the consumer's transaction. */
export class PrismaEsimContactStore implements EsimContactStore {
  async remember(tx: unknown, contact: { iccid: string; ownerType: string; ownerId: string; email: string; orderId: string }): Promise<void> {
    const client = tx as Prisma.TransactionClient;
    const data = { ownerType: contact.ownerType, ownerId: contact.ownerId, contactEmail: contact.email, orderId: contact.orderId, updatedAt: new Date() };
    await client.esimContact.upsert({ where: { iccid: contact.iccid }, create: { iccid: contact.iccid, ...data }, update: data });
  }

  async find(tx: unknown, iccid: string, owner: { type: string; id: string }): Promise<string | undefined> {
    const client = tx as Prisma.TransactionClient;
    const row = await client.esimContact.findFirst({ where: { iccid, ownerType: owner.type, ownerId: owner.id }, select: { contactEmail: true } });
    return row?.contactEmail;
  }
}
