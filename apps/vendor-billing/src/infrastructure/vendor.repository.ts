/**
 * Vendors (schema `billing`, table `vendors`). Returns plain domain objects; Prisma rows never leave this file.
 */
import { z } from 'zod';
import type { TimeCursor } from '../domain/cursor';
import { toSafeAmount } from '../domain/money';
import type { Vendor } from '../domain/vendor.rules';
import type { Prisma, PrismaClient } from './generated/prisma/client';
import { tableNamer, type BillingTx, type Db, type RawTx } from './sql';

type VendorRow = Prisma.VendorGetPayload<object>;
const ModeColumn = z.enum(['PREPAID', 'POSTPAID']);
const StatusColumn = z.enum(['ACTIVE', 'SUSPENDED']);

function toDomain(row: VendorRow): Vendor {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    billingMode: ModeColumn.parse(row.billingMode),
    currency: row.currency,
    status: StatusColumn.parse(row.status),
    creditLimit: row.creditLimit === null ? null : toSafeAmount(row.creditLimit),
    markupBps: row.markupBps,
    rateLimitPerMinute: row.rateLimitPerMinute,
    lowBalanceThreshold: toSafeAmount(row.lowBalanceThreshold),
    lowBalanceAlerted: row.lowBalanceAlerted,
    requestKey: row.requestKey,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const VENDOR_COLUMNS = `"id", "name", "email", "billing_mode", "currency", "status", "credit_limit"::text AS credit_limit, "markup_bps",
  "rate_limit_per_minute", "low_balance_threshold"::text AS low_balance_threshold, "low_balance_alerted", "request_key", "created_at", "updated_at"`;
interface RawVendor {
  id: string;
  name: string;
  email: string;
  billing_mode: string;
  currency: string;
  status: string;
  credit_limit: string | null;
  markup_bps: number;
  rate_limit_per_minute: number;
  low_balance_threshold: string;
  low_balance_alerted: boolean;
  request_key: string;
  created_at: Date;
  updated_at: Date;
}

function fromRaw(r: RawVendor): Vendor {
  return toDomain({
    id: r.id,
    name: r.name,
    email: r.email,
    billingMode: r.billing_mode,
    currency: r.currency,
    status: r.status,
    creditLimit: r.credit_limit === null ? null : BigInt(r.credit_limit),
    markupBps: r.markup_bps,
    rateLimitPerMinute: r.rate_limit_per_minute,
    lowBalanceThreshold: BigInt(r.low_balance_threshold),
    lowBalanceAlerted: r.low_balance_alerted,
    requestKey: r.request_key,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

export class VendorRepository {
  private readonly table: ReturnType<typeof tableNamer>;

  constructor(
    private readonly prisma: PrismaClient,
    schema: string,
  ) {
    this.table = tableNamer(schema);
  }

  /** false when the request key already has a vendor (a concurrent twin waits for ours and inserts nothing). */
  async insertIfAbsent(tx: BillingTx, v: Vendor): Promise<boolean> {
    const { count } = await tx.vendor.createMany({
      data: [
        {
          id: v.id,
          name: v.name,
          email: v.email,
          billingMode: v.billingMode,
          currency: v.currency,
          status: v.status,
          creditLimit: v.creditLimit === null ? null : BigInt(v.creditLimit),
          markupBps: v.markupBps,
          rateLimitPerMinute: v.rateLimitPerMinute,
          lowBalanceThreshold: BigInt(v.lowBalanceThreshold),
          lowBalanceAlerted: v.lowBalanceAlerted,
          requestKey: v.requestKey,
          createdAt: v.createdAt,
          updatedAt: v.updatedAt,
        },
      ],
      skipDuplicates: true,
    });
    return count === 1;
  }

  /** Raw SQL, so the funds path can read the vendor in its node-postgres transaction (RawTx). */
  async findById(id: string, db: RawTx = this.prisma): Promise<Vendor | null> {
    const rows = await db.$queryRawUnsafe<RawVendor[]>(`SELECT ${VENDOR_COLUMNS} FROM ${this.table('vendors')} WHERE "id" = $1::uuid`, id);
    return rows[0] ? fromRaw(rows[0]) : null;
  }

  async findByRequestKey(requestKey: string, db: Db = this.prisma): Promise<Vendor | null> {
    const row = await db.vendor.findUnique({ where: { requestKey } });
    return row ? toDomain(row) : null;
  }

  /** The vendor with its row locked until the transaction ends. */
  async lock(tx: BillingTx, id: string): Promise<Vendor | null> {
    const rows = await tx.$queryRawUnsafe<Array<{ id: string }>>(`SELECT "id" FROM ${this.table('vendors')} WHERE "id" = $1::uuid FOR UPDATE`, id);
    if (rows.length === 0) return null;
    return this.findById(id, tx);
  }

  async save(tx: BillingTx, v: Vendor): Promise<void> {
    await tx.vendor.update({
      where: { id: v.id },
      data: {
        status: v.status,
        creditLimit: v.creditLimit === null ? null : BigInt(v.creditLimit),
        markupBps: v.markupBps,
        rateLimitPerMinute: v.rateLimitPerMinute,
        lowBalanceThreshold: BigInt(v.lowBalanceThreshold),
        updatedAt: v.updatedAt,
      },
    });
  }

  async list(limit: number, after?: TimeCursor): Promise<Vendor[]> {
    const rows = await this.prisma.vendor.findMany({
      where: after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map(toDomain);
  }

  /**
   * Low-balance latch, guarded in SQL against the CURRENT row so that concurrent changes fire one alert per
   * crossing: arm -> alerted only when below the current threshold; alerted -> armed only when back at/above it.
   * Returns the threshold when the latch flipped.
   */
  async flipLowBalance(tx: RawTx, vendorId: string, to: 'alerted' | 'armed', available: number, now: Date): Promise<number | null> {
    const sql =
      to === 'alerted'
        ? `UPDATE ${this.table('vendors')} SET "low_balance_alerted" = true, "updated_at" = $3
            WHERE "id" = $1::uuid AND NOT "low_balance_alerted" AND "low_balance_threshold" > 0 AND "low_balance_threshold" > $2::bigint
        RETURNING "low_balance_threshold"::text AS threshold`
        : `UPDATE ${this.table('vendors')} SET "low_balance_alerted" = false, "updated_at" = $3
            WHERE "id" = $1::uuid AND "low_balance_alerted" AND ("low_balance_threshold" = 0 OR "low_balance_threshold" <= $2::bigint)
        RETURNING "low_balance_threshold"::text AS threshold`;
    const rows = await tx.$queryRawUnsafe<Array<{ threshold: string }>>(sql, vendorId, available, now);
    return rows[0] ? toSafeAmount(rows[0].threshold) : null;
  }
}
