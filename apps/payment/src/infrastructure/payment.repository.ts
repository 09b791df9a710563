/**
 * Postgres side of payments and refunds (schema `payments`). Returns plain domain objects: Prisma rows are
 * mapped here and never leave this file. Writes that belong to one state change take the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import { quoteIdent } from '@ttelgo/db';
import type { Payment, PaymentIntentSnapshot, PaymentPurpose, PaymentStatus, RefundSnapshot } from '../domain/payment';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export type Tx = Prisma.TransactionClient;

type PaymentRow = Prisma.PaymentGetPayload<object>;

export interface NewPayment {
  purpose: PaymentPurpose;
  referenceId: string;
  amount: number;
  currency: string;
  customerEmail?: string | null | undefined;
  description?: string | null | undefined;
}

export interface StoredPaymentTerms extends Payment {
  customerEmail: string | null;
  description: string | null;
}

function toDomain(row: PaymentRow): StoredPaymentTerms {
  return {
    id: row.id,
    purpose: row.purpose as PaymentPurpose,
    referenceId: row.referenceId,
    amount: { amount: row.amount, currency: row.currency },
    status: row.status as PaymentStatus,
    paymentIntentId: row.paymentIntentId,
    clientSecret: row.clientSecret,
    stripeStatus: row.stripeStatus,
    settledPaymentIntentId: row.settledPaymentIntentId,
    lastFailedChargeId: row.lastFailedChargeId,
    customerEmail: row.customerEmail,
    description: row.description,
  };
}

/** Column changes a transition makes; `updatedAt` is always set. */
export interface PaymentChanges {
  status?: PaymentStatus;
  paymentIntentId?: string;
  stripeStatus?: string | null;
  settledPaymentIntentId?: string | null;
  receivedAmount?: number;
  receivedCurrency?: string;
  lastFailedChargeId?: string;
  failureReason?: string | null;
  settledAt?: Date;
  canceledAt?: Date;
  refundedAt?: Date;
}

export class PaymentRepository {
  private readonly table: string;

  constructor(
    private readonly prisma: PrismaClient,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}."payments"`;
  }

  /** Interactive transaction; Stripe calls may run inside one, so the timeout covers the SDK's retries. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: 60_000, maxWait: 10_000 });
  }

  /** Inserts the payment unless one exists for the reference (unique), then returns the stored one. */
  async ensure(input: NewPayment): Promise<StoredPaymentTerms> {
    await this.prisma.payment.createMany({
      data: [
        {
          id: randomUUID(),
          purpose: input.purpose,
          referenceId: input.referenceId,
          amount: input.amount,
          currency: input.currency,
          customerEmail: input.customerEmail ?? null,
          description: input.description ?? null,
        },
      ],
      skipDuplicates: true,
    });
    const row = await this.prisma.payment.findUniqueOrThrow({ where: { referenceId: input.referenceId } });
    return toDomain(row);
  }

  async findByReference(referenceId: string): Promise<StoredPaymentTerms | null> {
    const row = await this.prisma.payment.findUnique({ where: { referenceId } });
    return row ? toDomain(row) : null;
  }

  /**
   * Locks the payment row for the rest of the transaction: every state change of one payment (an event, a
   * refund command, a cancel command) is serialised on it, so concurrent deliveries decide on fresh state.
   */
  async lockByReference(tx: Tx, referenceId: string): Promise<Payment | null> {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM ${this.table} WHERE reference_id = $1::uuid FOR UPDATE`, referenceId);
    return this.reload(tx, rows[0]?.id);
  }

  /** By our intent or the intent that holds the money. */
  async lockByPaymentIntent(tx: Tx, paymentIntentId: string): Promise<Payment | null> {
    const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM ${this.table} WHERE payment_intent_id = $1 OR settled_payment_intent_id = $1 ORDER BY (payment_intent_id = $1) DESC LIMIT 1 FOR UPDATE`,
      paymentIntentId,
    );
    return this.reload(tx, rows[0]?.id);
  }

  private async reload(tx: Tx, id: string | undefined): Promise<Payment | null> {
    if (!id) return null;
    const row = await tx.payment.findUnique({ where: { id } });
    return row ? toDomain(row) : null;
  }

  /** Stores the intent Stripe returned, unless one is already stored (the idempotency key makes them equal). */
  async recordIntent(paymentId: string, pi: PaymentIntentSnapshot): Promise<void> {
    await this.prisma.payment.updateMany({
      where: { id: paymentId, paymentIntentId: null },
      data: { paymentIntentId: pi.id, clientSecret: pi.clientSecret, stripeStatus: pi.status, updatedAt: new Date() },
    });
  }

  async update(tx: Tx, paymentId: string, changes: PaymentChanges): Promise<void> {
    await tx.payment.update({ where: { id: paymentId }, data: { ...changes, updatedAt: new Date() } });
  }

  async upsertRefund(tx: Tx, payment: Payment, refund: RefundSnapshot, reason: string): Promise<void> {
    await tx.refund.upsert({
      where: { paymentId: payment.id },
      create: {
        id: randomUUID(),
        paymentId: payment.id,
        stripeRefundId: refund.id,
        amount: refund.amount,
        currency: refund.currency,
        status: refund.status,
        reason,
      },
      update: { stripeRefundId: refund.id, status: refund.status, amount: refund.amount, currency: refund.currency, updatedAt: new Date() },
    });
  }

  async findRefundId(tx: Tx, paymentId: string): Promise<string | null> {
    const refund = await tx.refund.findUnique({ where: { paymentId }, select: { stripeRefundId: true } });
    return refund?.stripeRefundId ?? null;
  }
}
