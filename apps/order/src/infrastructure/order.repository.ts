/**
 * Postgres side of orders (schema `orders`). Returns plain domain objects: Prisma rows are mapped (and their JSON
 * columns validated) here and never leave this file. State changes go through `save`, which is conditional on
 * the version the caller read under its row lock.
 */
import { z } from 'zod';
import { EsimInstallSchema } from '@ttelgo/contracts';
import { assertSchemaName, quoteIdent, type PgTransactions, type SqlTx } from '@ttelgo/db';
import type { OrderCursor } from '../domain/order-cursor';
import { ORDER_STATUSES, type HistoryEntry, type Order, type Owner, type OrderStatus } from '../domain/order';
import type { Prisma, PrismaClient } from './generated/prisma/client';

/** The transactions of the write path run on node-postgres directly (see PgTransactions in @ttelgo/db). */
export type OrderTx = SqlTx;
type OrderRow = Prisma.OrderGetPayload<object>;

const EsimsColumn = z.array(EsimInstallSchema);
const StatusColumn = z.enum(ORDER_STATUSES);
const OwnerTypeColumn = z.enum(['customer', 'vendor']);
const FundsSettlementColumn = z.enum(['CAPTURE', 'RELEASE']).nullable();
const KindColumn = z.enum(['NEW', 'TOPUP']);
const RevocationStatusColumn = z.enum(['PENDING', 'REVOKED', 'ALREADY_USED', 'FAILED']);

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
    kind: KindColumn.parse(row.kind),
    iccid: row.iccid,
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
    cancelRequestedAt: row.cancelRequestedAt,
    revocation:
      row.revocationStatus === null || row.revocationRequestedAt === null
        ? null
        : {
            status: RevocationStatusColumn.parse(row.revocationStatus),
            forced: row.revocationForced ?? false,
            requestedAt: row.revocationRequestedAt,
            decidedAt: row.revocationDecidedAt,
          },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    paidAt: row.paidAt,
    fundsSettlement: FundsSettlementColumn.parse(row.fundsSettlement),
    fundsSettledAt: row.fundsSettledAt,
    version: row.version,
  };
}

function historyValues(history: HistoryEntry, causationId: string | null, at: Date): unknown[] {
  return [history.from, history.to, history.reason.slice(0, 2000), causationId, at];
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
    cancelRequestedAt: order.cancelRequestedAt,
    revocationStatus: order.revocation?.status ?? null,
    revocationForced: order.revocation?.forced ?? null,
    revocationRequestedAt: order.revocation?.requestedAt ?? null,
    revocationDecidedAt: order.revocation?.decidedAt ?? null,
    updatedAt: order.updatedAt,
    paidAt: order.paidAt,
    fundsSettlement: order.fundsSettlement,
    fundsSettledAt: order.fundsSettledAt,
    version: order.version,
  };
}

/** Prisma's field name -> column name (camelCase -> snake_case, as the @map attributes of the Prisma schema say). */
const column = (field: string): string => quoteIdent(field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
/** A raw `orders` row (snake_case columns) in the shape of Prisma's row (bigint columns arrive as strings; toDomain takes Number() of them). */
function fromSqlRow(raw: Record<string, unknown>): OrderRow {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) row[key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  return row as unknown as OrderRow;
}

/**
 * The write path (transactions: insert, lock, save, history) and the request-key lookup of place-order run as raw
 * SQL on node-postgres (PgTransactions), each a prepared statement: a transition is the row lock and one UPDATE that
 * also writes the history row (plus the transaction's one outbox INSERT); a new order is one INSERT with its history
 * row. The other reads stay on Prisma.
 */
// Only its keys are used: the column list of mutableColumns().
const SAMPLE_ORDER: Order = {
  id: '',
  owner: { type: 'vendor', id: '' },
  contactEmail: null,
  requestKey: '',
  kind: 'NEW',
  iccid: null,
  bundleName: '',
  quantity: 1,
  unitPrice: { amount: 0, currency: 'USD' },
  total: { amount: 0, currency: 'USD' },
  status: 'PENDING',
  failureReason: null,
  customerReference: null,
  payment: null,
  esims: [],
  refundRequestedAt: null,
  refundedAt: null,
  refundReason: null,
  revocation: null,
  cancelRequestedAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  paidAt: null,
  fundsSettlement: null,
  fundsSettledAt: null,
  version: 0,
};

export class OrderRepository {
  private readonly ordersTable: string;
  private readonly historyTable: string;
  private readonly sql: {
    lock: string;
    insert: { text: string; fields: string[] };
    save: { text: string; fields: string[] };
    byRequestKey: string;
  };

  constructor(
    private readonly prisma: PrismaClient,
    /** Raw SQL is not rewritten by the adapter, so it names the schema itself. */
    schema: string,
    private readonly db: PgTransactions,
  ) {
    const s = quoteIdent(assertSchemaName(schema));
    this.ordersTable = `${s}.${quoteIdent('orders')}`;
    this.historyTable = `${s}.${quoteIdent('order_status_history')}`;
    // The column lists come from mutableColumns(), so a column added there is written here too.
    const mutable = Object.keys(mutableColumns(SAMPLE_ORDER));
    const insertFields = ['id', 'ownerType', 'ownerId', 'contactEmail', 'requestKey', 'kind', 'iccid', 'bundleName', 'quantity', 'unitAmount', 'totalAmount', 'currency', 'customerReference', 'createdAt', ...mutable];
    // History parameters follow the order's: from, to, reason, causation id, at.
    const history = (n: number, from: string) =>
      `INSERT INTO ${this.historyTable} ("order_id", "from_status", "to_status", "reason", "causation_id", "at")
       SELECT o."id", $${n + 1}::text, $${n + 2}::text, $${n + 3}::text, $${n + 4}::uuid, $${n + 5}::timestamptz FROM ${from} AS o`;
    this.sql = {
      lock: `SELECT * FROM ${this.ordersTable} WHERE "id" = $1::uuid FOR UPDATE`,
      // ON CONFLICT DO NOTHING: a concurrent twin waits for ours to commit and then inserts nothing, instead of
      // failing the transaction with a unique violation; the history row is only written with a new order.
      insert: {
        fields: insertFields,
        text: `WITH o AS (INSERT INTO ${this.ordersTable} (${insertFields.map(column).join(', ')})
                 VALUES (${insertFields.map((f, i) => `$${i + 1}${f === 'id' ? '::uuid' : ''}`).join(', ')})
                 ON CONFLICT DO NOTHING RETURNING "id")
               ${history(insertFields.length, 'o')}`,
      },
      // Conditional on the version read under the row lock; the history row only when the update matched.
      save: {
        fields: mutable,
        text: `WITH o AS (UPDATE ${this.ordersTable} SET ${mutable.map((f, i) => `${column(f)} = $${i + 3}`).join(', ')}
                 WHERE "id" = $1::uuid AND "version" = $2 RETURNING "id")
               ${history(mutable.length + 2, 'o')}`,
      },
      byRequestKey: `SELECT * FROM ${this.ordersTable} WHERE "owner_type" = $1 AND "owner_id" = $2 AND "request_key" = $3`,
    };
  }

  transaction<T>(fn: (tx: OrderTx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /**
   * Reads an order with its row locked until the transaction ends: concurrent messages for one order are
   * applied one after the other, each seeing the previous one's result.
   */
  async lock(tx: OrderTx, id: string): Promise<Order | null> {
    const { rows } = await tx.query(this.sql.lock, [id]);
    return rows[0] ? toDomain(fromSqlRow(rows[0])) : null;
  }

  /** Inserts a new order and its first history row; false when (owner, requestKey) already has an order. */
  async insertIfAbsent(tx: OrderTx, order: Order, history: HistoryEntry, causationId: string | null): Promise<boolean> {
    const data: Record<string, unknown> = {
      id: order.id,
      ownerType: order.owner.type,
      ownerId: order.owner.id,
      contactEmail: order.contactEmail,
      requestKey: order.requestKey,
      kind: order.kind,
      iccid: order.iccid,
      bundleName: order.bundleName,
      quantity: order.quantity,
      unitAmount: BigInt(order.unitPrice.amount),
      totalAmount: BigInt(order.total.amount),
      currency: order.total.currency,
      customerReference: order.customerReference,
      createdAt: order.createdAt,
      ...mutableColumns(order),
    };
    const { rowCount } = await tx.query(this.sql.insert.text, [...this.sql.insert.fields.map((f) => data[f]), ...historyValues(history, causationId, order.updatedAt)]);
    return rowCount === 1;
  }

  /** Writes a transition's result; `before` is what the caller read under the row lock. */
  async save(tx: OrderTx, before: Order, after: Order, history: HistoryEntry, causationId: string | null): Promise<void> {
    const data: Record<string, unknown> = mutableColumns(after);
    const { rowCount } = await tx.query(this.sql.save.text, [
      before.id,
      before.version,
      ...this.sql.save.fields.map((f) => data[f]),
      ...historyValues(history, causationId, after.updatedAt),
    ]);
    if (rowCount !== 1) throw new ConcurrentOrderUpdateError(before.id);
  }

  async findByRequestKey(owner: Owner, requestKey: string): Promise<Order | null> {
    const { rows } = await this.db.query(this.sql.byRequestKey, [owner.type, owner.id, requestKey]);
    return rows[0] ? toDomain(fromSqlRow(rows[0])) : null;
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
          // ...or its bundles' revocation at eSIM Go not answered yet.
          { status: 'COMPLETED' satisfies OrderStatus, revocationStatus: 'PENDING' },
        ],
      },
      orderBy: { updatedAt: 'asc' },
      select: { id: true },
      take: limit,
    });
    return rows.map((r) => r.id);
  }

  /**
   * Orders still in flight (AWAITING_PAYMENT, PENDING, PROVISIONING) per status and channel, with the age of the
   * oldest: what an operator watches. The (status, updated_at) index serves it; finished orders are not counted
   * (their number only grows, and counting them on every scrape would cost more as the table grows).
   */
  async inFlightSummary(now: Date): Promise<Array<{ status: OrderStatus; ownerType: 'customer' | 'vendor'; count: number; oldestAgeSeconds: number }>> {
    const rows = await this.prisma.order.groupBy({
      by: ['status', 'ownerType'],
      where: { status: { in: ['AWAITING_PAYMENT', 'PENDING', 'PROVISIONING'] satisfies OrderStatus[] } },
      _count: { _all: true },
      _min: { createdAt: true },
    });
    return rows.map((r) => ({
      status: StatusColumn.parse(r.status),
      ownerType: OwnerTypeColumn.parse(r.ownerType),
      count: r._count._all,
      oldestAgeSeconds: r._min.createdAt ? Math.max(0, (now.getTime() - r._min.createdAt.getTime()) / 1000) : 0,
    }));
  }
}
