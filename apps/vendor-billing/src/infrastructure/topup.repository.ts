/** Card top-ups of PREPAID wallets (table `topups`). */
import { z } from 'zod';
import { toSafeAmount } from '../domain/money';
import type { Prisma, PrismaClient } from './generated/prisma/client';
import type { BillingTx, Db } from './sql';

export type TopupStatus = 'AWAITING_PAYMENT' | 'CREDITED' | 'FAILED';

export interface Topup {
  id: string;
  vendorId: string;
  amount: number;
  currency: string;
  status: TopupStatus;
  paymentIntentId: string | null;
  clientSecret: string | null;
  publishableKey: string | null;
  requestKey: string;
  createdAt: Date;
}

const StatusColumn = z.enum(['AWAITING_PAYMENT', 'CREDITED', 'FAILED']);

function toDomain(row: Prisma.TopupGetPayload<object>): Topup {
  return {
    id: row.id,
    vendorId: row.vendorId,
    amount: toSafeAmount(row.amount),
    currency: row.currency,
    status: StatusColumn.parse(row.status),
    paymentIntentId: row.paymentIntentId,
    clientSecret: row.clientSecret,
    publishableKey: row.publishableKey,
    requestKey: row.requestKey,
    createdAt: row.createdAt,
  };
}

export class TopupRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** false when (vendor, requestKey) already has a top-up. */
  async insertIfAbsent(t: Topup): Promise<boolean> {
    const { count } = await this.prisma.topup.createMany({
      data: [{ id: t.id, vendorId: t.vendorId, amount: BigInt(t.amount), currency: t.currency, status: t.status, requestKey: t.requestKey, createdAt: t.createdAt, updatedAt: t.createdAt }],
      skipDuplicates: true,
    });
    return count === 1;
  }

  async findByRequestKey(vendorId: string, requestKey: string): Promise<Topup | null> {
    const row = await this.prisma.topup.findUnique({ where: { vendorId_requestKey: { vendorId, requestKey } } });
    return row ? toDomain(row) : null;
  }

  async findById(id: string, db: Db = this.prisma): Promise<Topup | null> {
    const row = await db.topup.findUnique({ where: { id } });
    return row ? toDomain(row) : null;
  }

  /** Stores the PaymentIntent once (a concurrent replay got the same intent from payment anyway). */
  async attachIntent(id: string, intent: { paymentIntentId: string; clientSecret: string; publishableKey: string }, now: Date): Promise<void> {
    await this.prisma.topup.updateMany({
      where: { id, paymentIntentId: null },
      data: { paymentIntentId: intent.paymentIntentId, clientSecret: intent.clientSecret, publishableKey: intent.publishableKey, updatedAt: now },
    });
  }

  /** The guarded AWAITING_PAYMENT -> CREDITED transition: true for exactly one caller per top-up. */
  async markCredited(tx: BillingTx, id: string, now: Date): Promise<boolean> {
    const { count } = await tx.topup.updateMany({ where: { id, status: 'AWAITING_PAYMENT' }, data: { status: 'CREDITED', creditedAt: now, updatedAt: now } });
    return count === 1;
  }
}
