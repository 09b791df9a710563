/**
 * Postgres side of quotes (schema `orders`, table `quotes`): plain domain objects in and out, the items column
 * validated on the way back. A quote is written once and never changed.
 */
import { z } from 'zod';
import { MoneySchema } from '@ttelgo/contracts';
import type { Owner } from '../domain/order';
import type { Quote } from '../domain/quote';
import type { Prisma, PrismaClient } from './generated/prisma/client';

const ItemsColumn = z.array(z.object({ bundleName: z.string(), quantity: z.number().int().min(1), unitPrice: MoneySchema, total: MoneySchema })).min(1);
const OwnerTypeColumn = z.enum(['customer', 'vendor']);

export class QuoteRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async insert(quote: Quote): Promise<void> {
    await this.prisma.quote.create({
      data: {
        id: quote.id,
        ownerType: quote.owner.type,
        ownerId: quote.owner.id,
        items: quote.items.map((i) => ({
          bundleName: i.bundleName,
          quantity: i.quantity,
          unitPrice: { amount: i.unitPrice.amount, currency: i.unitPrice.currency },
          total: { amount: i.total.amount, currency: i.total.currency },
        })) satisfies Prisma.InputJsonValue,
        totalAmount: BigInt(quote.total.amount),
        currency: quote.total.currency,
        createdAt: quote.createdAt,
        expiresAt: quote.expiresAt,
      },
    });
  }

  /** The owner's quote; another owner's is undefined, like an unknown one. */
  async find(owner: Owner, id: string): Promise<Quote | undefined> {
    const row = await this.prisma.quote.findFirst({ where: { id, ownerType: owner.type, ownerId: owner.id } });
    if (!row) return undefined;
    return {
      id: row.id,
      owner: { type: OwnerTypeColumn.parse(row.ownerType), id: row.ownerId },
      items: ItemsColumn.parse(row.items),
      total: { amount: Number(row.totalAmount), currency: row.currency },
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    };
  }
}
