/**
 * Postgres side of orders (schema `orders`). Returns plain domain objects: Prisma rows are mapped (and their JSON
 * columns validated) here and never leave this file. State changes go through `save`, which is conditional on
 * the version the caller read under its row lock.
 */
import { z } from 'zod';
import { EsimInstallSchema } from '@ttelgo/contracts';
import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { OrderCursor } from '../domain/order-cursor';
import { ORDER_STATUSES, type HistoryEntry, type Order, type Owner, type OrderStatus } from '../domain/order';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export type OrderTx = Prisma.TransactionClient;
type OrderRow = Prisma.OrderGetPayload<object>;

const EsimsColumn = z.array(EsimInstallSchema);
const StatusColumn = z.enum(ORDER_STATUSES);
const OwnerTypeColumn = z.enum(['customer', 'vendor']);
const FundsSettlementColumn = z.enum(['CAPTURE', 'RELEASE']).nullable();

/** Another transaction changed the order between our read and our write: the caller retries. */
export class ConcurrentOrderUpdateError extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} was changed concurrently`);
    this.name = 'ConcurrentOrderUpdateError';
  }
}

function toDomain(row: OrderRow): Order {
  const payment =
    row.paymentIntentId !== null && row.paymentClientSecret !== null && row.publishableKey !== null
      ? { paymentIntentId: row.paymentIntentId, clientSecret: row.paymentClientSecret, publishableKey: row.publishableKey }
      : null;
  return {
    id: row.id,
    owner: { type: OwnerTypeColumn.parse(row.ownerType), id: row.ownerId },
    contactEmail: row.contactEmail,
    requestKey: row.requestKey,
    bundleName: row.bundleName,
    quantity: row.quantity,
    unitPrice: { amount: Number(row.unitAmount), currency: row.currency },
    total: { amount: Number(row.totalAmount), currency: row.currency },
    status: StatusColumn.parse(row.status),
    failureReason: row.failureReason,
    customerReference: row.customerReference,
    payment,
    esims: EsimsColumn.parse(row.esims),
    refundRequestedAt: row.refundRequestedAt,
    refundedAt: row.refundedAt,
    refundReason: row.refundReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    paidAt: row.paidAt,
    fundsSettlement: FundsSettlementColumn.parse(row.fundsSettlement),
    fundsSettledAt: row.fundsSettledAt,
    version: row.version,
  };
}

/** The columns a transition may change (identity, owner, price and request key never change). */
function mutableColumns(order: Order) {
  return {
    status: order.status,
    failureReason: order.failureReason,
    paymentIntentId: order.payment?.paymentIntentId ?? null,
    paymentClientSecret: order.payment?.clientSecret ?? null,
    publishableKey: order.payment?.publishableKey ?? null,
    esims: order.esims as unknown as Prisma.InputJsonValue,
    refundRequestedAt: order.refundRequestedAt,
    refundedAt: order.refundedAt,
    refundReason: order.refundReason,
    updatedAt: order.updatedAt,
    paidAt: order.paidAt,
    fundsSettlement: order.fundsSettlement,
    fundsSettledAt: order.fundsSettledAt,
    version: order.version,
  };
}

export class OrderRepository {
  private readonly ordersTable: string;

  constructor(
    private readonly prisma: PrismaClient,
    /** Raw SQL is not rewritten by the adapter, so it names the schema itself. */
    schema: string,
  ) {
    this.ordersTable = `${quoteIdent(assertSchemaName(schema))}.${quoteIdent('orders')}`;
  }

  transaction<T>(fn: (tx: OrderTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: 30_000, maxWait: 10_000 });
  }

  /**
   * Reads an order with its row locked until the transaction ends: concurrent messages for one order are
   * applied one after the other, each seeing the previous one's result.
   */
  async lock(tx: OrderTx, id: string): Promise<Order | null> {
    const rows = await tx.$queryRawUnsafe<Array<{ id: string }>>(`SELECT "id" FROM ${this.ordersTable} WHERE "id" = $1::uuid FOR UPDATE`, id);
    if (rows.length === 0) return null;
    const row = await tx.order.findUnique({ where: { id } });
    return row ? toDomain(row) : null;
  }

  /** Inserts a new order and its first history row; false when (owner, requestKey) already has an order. */
  async insertIfAbsent(tx: OrderTx, order: Order, history: HistoryEntry, causationId: string | null): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a concurrent twin waits for ours to commit and then inserts nothing, instead of
    // failing the transaction with a unique violation.
    const { count } = await tx.order.createMany({
      data: [
        {
          id: order.id,
          ownerType: order.owner.type,
          ownerId: order.owner.id,
          contactEmail: order.contactEmail,
          requestKey: order.requestKey,
          bundleName: order.bundleName,
          quantity: order.quantity,
          unitAmount: BigInt(order.unitPrice.amount),
          totalAmount: BigInt(order.total.amount),
          currency: order.total.currency,
          customerReference: order.customerReference,
          createdAt: order.createdAt,
          ...mutableColumns(order),
        },
      ],
      skipDuplicates: true,
    });
    if (count === 0) return false;
    await this.appendHistory(tx, order.id, history, causationId, order.updatedAt);
    return true;
  }

  /** Writes a transition's result; `before` is what the caller read under the row lock. */
  async save(tx: OrderTx, before: Order, after: Order, history: HistoryEntry, causationId: string | null): Promise<void> {
    const { count } = await tx.order.updateMany({ where: { id: before.id, version: before.version }, data: mutableColumns(after) });
    if (count !== 1) throw new ConcurrentOrderUpdateError(before.id);
    await this.appendHistory(tx, before.id, history, causationId, after.updatedAt);
  }

  private async appendHistory(tx: OrderTx, orderId: string, history: HistoryEntry, causationId: string | null, at: Date): Promise<void> {
    await tx.orderStatusHistory.create({
      data: { orderId, fromStatus: history.from, toStatus: history.to, reason: history.reason.slice(0, 2000), causationId, at },
    });
  }

  async findByRequestKey(owner: Owner, requestKey: string): Promise<Order | null> {
    const row = await this.prisma.order.findUnique({
      where: { ownerType_ownerId_requestKey: { ownerType: owner.type, ownerId: owner.id, requestKey } },
    });
    return row ? toDomain(row) : null;
  }

  /** An order by id; with an owner, only that owner's (another owner's order looks like no order). */
  async findById(id: string, owner?: Owner): Promise<Order | null> {
    const row = await this.prisma.order.findFirst({
      where: { id, ...(owner ? { ownerType: owner.type, ownerId: owner.id } : {}) },
    });
    return row ? toDomain(row) : null;
  }

  /** Newest first, strictly after `after` in that order; `owner` undefined lists every order (admin). */
  async list(owner: Owner | undefined, limit: number, after?: OrderCursor): Promise<Order[]> {
    const rows = await this.prisma.order.findMany({
      where: {
        ...(owner ? { ownerType: owner.type, ownerId: owner.id } : {}),
        ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toDomain);
  }

  async idsAwaitingPaymentSince(createdBefore: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.order.findMany({
      where: { status: 'AWAITING_PAYMENT' satisfies OrderStatus, createdAt: { lt: createdBefore } },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  /**
   * Orders waiting on another service since before `untouchedSince`: provisioning, a B2B hold not answered
   * (PENDING), a refund or a B2B capture/release under way.
   */
  async idsStuckSince(untouchedSince: Date, limit: number): Promise<string[]> {
    const rows = await this.prisma.order.findMany({
      where: {
        updatedAt: { lt: untouchedSince },
        OR: [
          { status: 'PROVISIONING' satisfies OrderStatus },
          { status: 'PENDING' satisfies OrderStatus, ownerType: 'vendor' },
          { ownerType: 'vendor', fundsSettlement: { not: null }, fundsSettledAt: null },
          {
            status: { in: ['FAILED', 'CANCELLED'] satisfies OrderStatus[] },
            ownerType: 'customer',
            refundRequestedAt: { not: null },
            refundedAt: null,
          },
          // An admin refund of a COMPLETED order (card or vendor charge) not confirmed yet.
          { status: 'COMPLETED' satisfies OrderStatus, refundRequestedAt: { not: null }, refundedAt: null },
        ],
      },
      orderBy: { updatedAt: 'asc' },
      select: { id: true },
      take: limit,
    });
    return rows.map((r) => r.id);
  }
}
