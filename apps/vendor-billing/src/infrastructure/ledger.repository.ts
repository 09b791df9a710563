/**
 * Accounts, holds and the double-entry ledger (schema `billing`). Hot paths are raw SQL so that each rule is ONE
 * statement Postgres evaluates atomically under Read Committed:
 * - reserve: `UPDATE accounts SET reserved = reserved + $amt WHERE id = $acc AND <vendor ACTIVE> AND available >= $amt`.
 *   When a concurrent reserve commits first, Postgres re-evaluates the WHERE clause against the new row version,
 *   so "0 rows" means "not enough" — no read-then-write gap, no lost update. The CHECK constraints catch any bug.
 * - postings: the vendor account is updated first (optionally guarded the same way), then the transaction row and
 *   its entries, each entry carrying the account balance it produced (taken under that account's row lock).
 * Lock order everywhere: hold row -> vendor account -> platform accounts -> vendor row, so no two of our
 * transactions wait on each other in a cycle.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { VendorAccountState } from '../domain/balance.rules';
import { NORMAL_SIDE, type AccountKind, type Direction, type PlatformAccountKind, type Posting, type TransactionKind, type VendorAccountKind } from '../domain/ledger.posting';
import { toSafeAmount } from '../domain/money';
import type { PrismaClient } from './generated/prisma/client';
import { tableNamer, type BillingTx, type RawTx } from './sql';

export interface AccountRow extends VendorAccountState {
  id: string;
  vendorId: string | null;
  currency: string;
  normalSide: Direction;
}

export type HoldStatus = 'HELD' | 'CAPTURED' | 'RELEASED';

export interface Hold {
  orderId: string;
  vendorId: string;
  accountId: string;
  amount: number;
  currency: string;
  status: HoldStatus;
}

export interface LedgerEntryRow {
  seq: string;
  transactionId: string;
  kind: TransactionKind;
  direction: Direction;
  amount: number;
  currency: string;
  balanceAfter: number;
  description: string;
  orderId: string | null;
  createdAt: Date;
}

export interface PostResult {
  transactionId: string;
  vendorAccount: AccountRow;
}

const ACCOUNT_COLUMNS = `"id", "vendor_id", "kind", "currency", "normal_side", "balance"::text AS balance, "reserved"::text AS reserved, "credit_limit"::text AS credit_limit`;
interface RawAccount {
  id: string;
  vendor_id: string | null;
  kind: string;
  currency: string;
  normal_side: string;
  balance: string;
  reserved: string;
  credit_limit: string | null;
}
const KindColumn = z.enum(['wallet', 'receivable', 'stripe_clearing', 'bank_clearing', 'revenue', 'adjustments']);
const SideColumn = z.enum(['debit', 'credit']);
const HoldStatusColumn = z.enum(['HELD', 'CAPTURED', 'RELEASED']);
const TxKindColumn = z.enum(['TOPUP', 'ORDER_CHARGE', 'ADJUSTMENT', 'PAYMENT', 'REFUND']);

function toAccount(r: RawAccount): AccountRow {
  return {
    id: r.id,
    vendorId: r.vendor_id,
    kind: KindColumn.parse(r.kind) as VendorAccountKind,
    currency: r.currency,
    normalSide: SideColumn.parse(r.normal_side),
    balance: toSafeAmount(r.balance),
    reserved: toSafeAmount(r.reserved),
    creditLimit: r.credit_limit === null ? null : toSafeAmount(r.credit_limit),
  };
}

interface RawHold {
  order_id: string;
  vendor_id: string;
  account_id: string;
  amount: string;
  currency: string;
  status: string;
}
const HOLD_COLUMNS = `"order_id", "vendor_id", "account_id", "amount"::text AS amount, "currency", "status"`;
function toHold(r: RawHold): Hold {
  return {
    orderId: r.order_id,
    vendorId: r.vendor_id,
    accountId: r.account_id,
    amount: toSafeAmount(r.amount),
    currency: r.currency,
    status: HoldStatusColumn.parse(r.status),
  };
}

/** available, in SQL, exactly as availableBalance() in domain/balance.rules.ts. */
const AVAILABLE_SQL = `(CASE WHEN a."kind" = 'wallet' THEN a."balance" - a."reserved" ELSE coalesce(a."credit_limit", 0) - a."balance" - a."reserved" END)`;

export class LedgerRepository {
  private readonly t: ReturnType<typeof tableNamer>;
  private readonly platformIds = new Map<string, string>();

  constructor(
    private readonly prisma: PrismaClient,
    schema: string,
  ) {
    this.t = tableNamer(schema);
  }

  transaction<T>(fn: (tx: BillingTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: 30_000, maxWait: 10_000 });
  }

  async createVendorAccount(tx: RawTx, a: { vendorId: string; kind: VendorAccountKind; currency: string; creditLimit: number | null; now: Date }): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO ${this.t('accounts')} ("id", "vendor_id", "kind", "currency", "normal_side", "credit_limit", "created_at", "updated_at")
       VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::bigint, $7, $7)`,
      randomUUID(),
      a.vendorId,
      a.kind,
      a.currency,
      NORMAL_SIDE[a.kind],
      a.creditLimit,
      a.now,
    );
  }

  async vendorAccount(vendorId: string, db: RawTx = this.prisma, opts: { lock?: boolean } = {}): Promise<AccountRow | null> {
    const rows = await db.$queryRawUnsafe<RawAccount[]>(
      `SELECT ${ACCOUNT_COLUMNS} FROM ${this.t('accounts')} WHERE "vendor_id" = $1::uuid${opts.lock ? ' FOR UPDATE' : ''}`,
      vendorId,
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async setCreditLimit(tx: RawTx, accountId: string, creditLimit: number, now: Date): Promise<AccountRow> {
    const rows = await tx.$queryRawUnsafe<RawAccount[]>(
      `UPDATE ${this.t('accounts')} SET "credit_limit" = $2::bigint, "updated_at" = $3 WHERE "id" = $1::uuid RETURNING ${ACCOUNT_COLUMNS}`,
      accountId,
      creditLimit,
      now,
    );
    return toAccount(rows[0]!);
  }

  /** The platform account of a kind and currency, created on first use (cached: accounts are never deleted). */
  async platformAccountId(kind: PlatformAccountKind, currency: string, db: RawTx = this.prisma): Promise<string> {
    const key = `${kind}:${currency}`;
    const cached = this.platformIds.get(key);
    if (cached) return cached;
    const find = async (): Promise<string | undefined> =>
      (
        await db.$queryRawUnsafe<Array<{ id: string }>>(
          `SELECT "id" FROM ${this.t('accounts')} WHERE "vendor_id" IS NULL AND "kind" = $1 AND "currency" = $2`,
          kind,
          currency,
        )
      )[0]?.id;
    let id = await find();
    if (!id) {
      await db.$executeRawUnsafe(
        `INSERT INTO ${this.t('accounts')} ("id", "kind", "currency", "normal_side") VALUES ($1::uuid, $2, $3, $4) ON CONFLICT DO NOTHING`,
        randomUUID(),
        kind,
        currency,
        NORMAL_SIDE[kind],
      );
      id = await find();
    }
    if (!id) throw new Error(`platform account ${key} could not be created`);
    this.platformIds.set(key, id);
    return id;
  }

  // ---- holds ---------------------------------------------------------------------------------------------

  /** Inserts a HELD hold; false when the order already has one (a concurrent twin waits for ours, then inserts nothing). */
  async insertHold(tx: RawTx, h: Omit<Hold, 'status'>, now: Date): Promise<boolean> {
    const n = await tx.$executeRawUnsafe(
      `INSERT INTO ${this.t('holds')} ("order_id", "vendor_id", "account_id", "amount", "currency", "status", "created_at", "updated_at")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::bigint, $5, 'HELD', $6, $6) ON CONFLICT ("order_id") DO NOTHING`,
      h.orderId,
      h.vendorId,
      h.accountId,
      h.amount,
      h.currency,
      now,
    );
    return n === 1;
  }

  /** Our own hold of this transaction, when the reserve it was inserted for is refused. */
  async deleteHeldHold(tx: RawTx, orderId: string): Promise<void> {
    await tx.$executeRawUnsafe(`DELETE FROM ${this.t('holds')} WHERE "order_id" = $1::uuid AND "status" = 'HELD'`, orderId);
  }

  async findHold(orderId: string, db: RawTx = this.prisma): Promise<Hold | null> {
    const rows = await db.$queryRawUnsafe<RawHold[]>(`SELECT ${HOLD_COLUMNS} FROM ${this.t('holds')} WHERE "order_id" = $1::uuid`, orderId);
    return rows[0] ? toHold(rows[0]) : null;
  }

  /** The guarded transition HELD -> to; null when the hold is not HELD (anymore): the caller reads why. */
  async finishHold(tx: RawTx, orderId: string, to: Exclude<HoldStatus, 'HELD'>, now: Date): Promise<Hold | null> {
    const rows = await tx.$queryRawUnsafe<RawHold[]>(
      `UPDATE ${this.t('holds')} SET "status" = $2, "updated_at" = $3 WHERE "order_id" = $1::uuid AND "status" = 'HELD' RETURNING ${HOLD_COLUMNS}`,
      orderId,
      to,
      now,
    );
    return rows[0] ? toHold(rows[0]) : null;
  }

  // ---- account balance changes -----------------------------------------------------------------------------

  /**
   * THE reserve: one conditional UPDATE. Null when the vendor is not ACTIVE or the available balance (credit
   * included) is short; the caller reads the account and vendor again only to say which.
   */
  async reserve(tx: RawTx, accountId: string, amount: number, now: Date): Promise<AccountRow | null> {
    const rows = await tx.$queryRawUnsafe<RawAccount[]>(
      `UPDATE ${this.t('accounts')} AS a SET "reserved" = a."reserved" + $2::bigint, "updated_at" = $3
         FROM ${this.t('vendors')} AS v
        WHERE a."id" = $1::uuid AND v."id" = a."vendor_id" AND v."status" = 'ACTIVE' AND ${AVAILABLE_SQL} >= $2::bigint
        RETURNING a."id", a."vendor_id", a."kind", a."currency", a."normal_side", a."balance"::text AS balance, a."reserved"::text AS reserved, a."credit_limit"::text AS credit_limit`,
      accountId,
      amount,
      now,
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async releaseReserved(tx: RawTx, accountId: string, amount: number, now: Date): Promise<AccountRow> {
    const rows = await tx.$queryRawUnsafe<RawAccount[]>(
      `UPDATE ${this.t('accounts')} SET "reserved" = "reserved" - $2::bigint, "updated_at" = $3 WHERE "id" = $1::uuid RETURNING ${ACCOUNT_COLUMNS}`,
      accountId,
      amount,
      now,
    );
    return toAccount(rows[0]!);
  }

  async findTransactionIdByKey(idempotencyKey: string, db: RawTx = this.prisma): Promise<string | null> {
    const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT "id" FROM ${this.t('ledger_transactions')} WHERE "idempotency_key" = $1`,
      idempotencyKey,
    );
    return rows[0]?.id ?? null;
  }

  /** A transaction by its idempotency key, with its description and the amount of its entry on `accountId`. */
  async findTransactionByKey(idempotencyKey: string, accountId: string, db: RawTx = this.prisma): Promise<{ id: string; description: string; amount: number } | null> {
    const rows = await db.$queryRawUnsafe<Array<{ id: string; description: string; amount: string }>>(
      `SELECT t."id", t."description", e."amount"::text AS amount
         FROM ${this.t('ledger_transactions')} t JOIN ${this.t('ledger_entries')} e ON e."transaction_id" = t."id" AND e."account_id" = $2::uuid
        WHERE t."idempotency_key" = $1`,
      idempotencyKey,
      accountId,
    );
    const r = rows[0];
    return r ? { id: r.id, description: r.description, amount: toSafeAmount(r.amount) } : null;
  }

  /** Serialises transactions that share an idempotency key (adjustments have no row to transition first). */
  async lockIdempotencyKey(tx: RawTx, idempotencyKey: string): Promise<void> {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('ttelgo.billing.posting'), hashtext($1))`, idempotencyKey);
  }

  /**
   * Writes a balanced posting whose first line is the vendor account's. `releaseReserved` moves that much of the
   * vendor account's `reserved` into the posting (a captured hold); `guard` refuses (returns null, nothing
   * written) when the vendor line would take the available balance below zero. A second posting with the same
   * idempotency key fails on the unique index and rolls the caller's transaction back: callers exclude
   * duplicates before (a guarded row transition or lockIdempotencyKey).
   */
  async post(tx: RawTx, posting: Posting, opts: { now: Date; releaseReserved?: number; guard?: boolean }): Promise<PostResult | null> {
    const [vendorLine, ...platformLines] = posting.lines;
    if (!vendorLine) throw new Error('empty posting');
    const vendorAccount = await this.applyVendorLine(tx, vendorLine.accountId, vendorLine.direction, vendorLine.amount, opts);
    if (!vendorAccount) return null;

    const transactionId = randomUUID();
    await tx.$executeRawUnsafe(
      `INSERT INTO ${this.t('ledger_transactions')} ("id", "kind", "vendor_id", "order_id", "topup_id", "idempotency_key", "description", "created_at")
       VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5::uuid, $6, $7, $8)`,
      transactionId,
      posting.kind,
      posting.vendorId,
      posting.orderId,
      posting.topupId,
      posting.idempotencyKey,
      posting.description,
      opts.now,
    );
    await this.insertEntry(tx, transactionId, vendorLine.accountId, vendorLine.direction, vendorLine.amount, posting.currency, vendorAccount.balance, opts.now);
    // Platform accounts in id order: two postings never lock them in opposite orders.
    for (const line of [...platformLines].sort((a, b) => a.accountId.localeCompare(b.accountId))) {
      const rows = await tx.$queryRawUnsafe<Array<{ balance: string }>>(
        `UPDATE ${this.t('accounts')} SET "balance" = "balance" + CASE WHEN "normal_side" = $2 THEN $3::bigint ELSE -$3::bigint END, "updated_at" = $4
          WHERE "id" = $1::uuid AND "vendor_id" IS NULL RETURNING "balance"::text AS balance`,
        line.accountId,
        line.direction,
        line.amount,
        opts.now,
      );
      if (!rows[0]) throw new Error(`platform account ${line.accountId} does not exist`);
      await this.insertEntry(tx, transactionId, line.accountId, line.direction, line.amount, posting.currency, toSafeAmount(rows[0].balance), opts.now);
    }
    return { transactionId, vendorAccount };
  }

  private async applyVendorLine(
    tx: RawTx,
    accountId: string,
    direction: Direction,
    amount: number,
    opts: { now: Date; releaseReserved?: number; guard?: boolean },
  ): Promise<AccountRow | null> {
    const delta = `CASE WHEN a."normal_side" = $2 THEN $3::bigint ELSE -$3::bigint END`;
    // The vendor's balance moves by +amount on a credit and -amount on a debit (wallet and receivable alike):
    // a guarded debit needs available >= amount, after giving back what the posting releases.
    const guard = opts.guard && direction === 'debit' ? ` AND ${AVAILABLE_SQL} + $4::bigint >= $3::bigint` : '';
    const rows = await tx.$queryRawUnsafe<RawAccount[]>(
      `UPDATE ${this.t('accounts')} AS a SET "balance" = a."balance" + ${delta}, "reserved" = a."reserved" - $4::bigint, "updated_at" = $5
        WHERE a."id" = $1::uuid AND a."vendor_id" IS NOT NULL${guard}
        RETURNING a."id", a."vendor_id", a."kind", a."currency", a."normal_side", a."balance"::text AS balance, a."reserved"::text AS reserved, a."credit_limit"::text AS credit_limit`,
      accountId,
      direction,
      amount,
      opts.releaseReserved ?? 0,
      opts.now,
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  private async insertEntry(tx: RawTx, transactionId: string, accountId: string, direction: Direction, amount: number, currency: string, balanceAfter: number, now: Date): Promise<void> {
    await tx.$executeRawUnsafe(
      `INSERT INTO ${this.t('ledger_entries')} ("id", "transaction_id", "account_id", "direction", "amount", "currency", "balance_after", "created_at")
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5::bigint, $6, $7::bigint, $8)`,
      randomUUID(),
      transactionId,
      accountId,
      direction,
      amount,
      currency,
      balanceAfter,
      now,
    );
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /** One account's entries, newest first, strictly before `beforeSeq`. */
  async listEntries(accountId: string, limit: number, beforeSeq?: string): Promise<LedgerEntryRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<
      Array<{ seq: string; transaction_id: string; kind: string; direction: string; amount: string; currency: string; balance_after: string; description: string; order_id: string | null; created_at: Date }>
    >(
      `SELECT e."seq"::text AS seq, e."transaction_id", t."kind", e."direction", e."amount"::text AS amount, e."currency",
              e."balance_after"::text AS balance_after, t."description", t."order_id", e."created_at"
         FROM ${this.t('ledger_entries')} e JOIN ${this.t('ledger_transactions')} t ON t."id" = e."transaction_id"
        WHERE e."account_id" = $1::uuid ${beforeSeq ? 'AND e."seq" < $3::bigint' : ''}
        ORDER BY e."seq" DESC LIMIT $2`,
      accountId,
      limit,
      ...(beforeSeq ? [beforeSeq] : []),
    );
    return rows.map((r) => ({
      seq: r.seq,
      transactionId: r.transaction_id,
      kind: TxKindColumn.parse(r.kind),
      direction: SideColumn.parse(r.direction),
      amount: toSafeAmount(r.amount),
      currency: r.currency,
      balanceAfter: toSafeAmount(r.balance_after),
      description: r.description,
      orderId: r.order_id,
      createdAt: r.created_at,
    }));
  }

  /**
   * For statements: the account's normal-side balance from entries before `start`, and the changes in
   * [start, end) summed per kind of transaction.
   */
  async balanceMovements(accountId: string, start: Date, end: Date): Promise<{ opening: number; byKind: Partial<Record<TransactionKind, number>> }> {
    const signed = `CASE WHEN e."direction" = a."normal_side" THEN e."amount" ELSE -e."amount" END`;
    const opening = await this.prisma.$queryRawUnsafe<Array<{ total: string }>>(
      `SELECT coalesce(sum(${signed}), 0)::text AS total
         FROM ${this.t('ledger_entries')} e JOIN ${this.t('accounts')} a ON a."id" = e."account_id"
        WHERE e."account_id" = $1::uuid AND e."created_at" < $2`,
      accountId,
      start,
    );
    const moves = await this.prisma.$queryRawUnsafe<Array<{ kind: string; total: string }>>(
      `SELECT t."kind", sum(${signed})::text AS total
         FROM ${this.t('ledger_entries')} e JOIN ${this.t('accounts')} a ON a."id" = e."account_id"
         JOIN ${this.t('ledger_transactions')} t ON t."id" = e."transaction_id"
        WHERE e."account_id" = $1::uuid AND e."created_at" >= $2 AND e."created_at" < $3
        GROUP BY t."kind"`,
      accountId,
      start,
      end,
    );
    const byKind: Partial<Record<TransactionKind, number>> = {};
    for (const m of moves) byKind[TxKindColumn.parse(m.kind)] = toSafeAmount(m.total);
    return { opening: toSafeAmount(opening[0]?.total ?? '0'), byKind };
  }
}

export type { AccountKind };
