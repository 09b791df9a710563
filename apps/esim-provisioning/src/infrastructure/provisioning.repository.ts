/**
 * Postgres side of provisioning (schema `esims`): provider orders with their lease, and the eSIMs bought.
 * Returns plain domain objects; Prisma rows never leave this file. Every write that belongs to a worker's
 * attempt is conditional on its lease token, so a worker whose lease expired cannot overwrite the work of the
 * one that took over.
 */
import type { EsimInstall } from '../domain/esim-install';
import type { EsimCursor } from '../domain/esim-cursor';
import type { EsimOwner, ProviderOrder, ProviderOrderState, ProvisionRequest } from '../domain/provider-order';
import type { StoredUsageFacts } from '../domain/usage-alert';
import { EXPIRED_USAGE_STATE, FINISHED_USAGE_STATES, type UsageSyncFacts } from '../domain/usage-sync';
import { assertSchemaName, quoteIdent, sqlArray as pgArray, type PgTransactions, type SqlTx } from '@ttelgo/db';
import { Prisma, type PrismaClient } from './generated/prisma/client';

/** The provisioning write path runs on node-postgres directly (PgTransactions of @ttelgo/db); reads stay on Prisma. */
export type ProvisioningTx = SqlTx;
/** The usage-alerts consumer's inbox transaction (Prisma: a low-volume path, not worth hand-written SQL). */
export type UsageTx = Prisma.TransactionClient;

type ProviderOrderRow = Prisma.ProviderOrderGetPayload<object>;
type EsimRow = Prisma.EsimGetPayload<object>;

/** An eSIM as stored, without the QR bytes (read only by the QR query). */
export interface StoredEsim {
  iccid: string;
  orderId: string;
  owner: EsimOwner;
  bundleName: string;
  smdpAddress: string;
  matchingId: string;
  lpa: string;
  appleInstallUrl: string;
  status: string;
  expiresAt: Date | null;
  initialBytes: number | null;
  remainingBytes: number | null;
  usageState: string;
  usageSyncedAt: Date | null;
  createdAt: Date;
  providerReference: string | null;
}

export interface StoredUsage {
  initialBytes: number | null;
  remainingBytes: number | null;
  state: string;
  /** The bundle's end as eSIM Go reports it; stored as `expires_at` (reported) when present. */
  endsAt: Date | null;
  syncedAt: Date;
}

/** An eSIM the usage sync may pull, with what its decision and its compare-and-set need. */
export interface UsageSyncCandidate extends UsageSyncFacts {
  iccid: string;
  bundleName: string;
  providerReference: string | null;
}

/** Keyset position of the usage sync within one run: (usage_synced_at NULLS FIRST, iccid). */
export interface UsageSyncCursor {
  usageSyncedAt: Date | null;
  iccid: string;
}

/** Another of our provider orders already holds that eSIM Go order reference. */
export class ReferenceTakenError extends Error {
  override readonly name = 'ReferenceTakenError';
}

const UNFINISHED: ProviderOrderState[] = ['REQUESTED', 'UNKNOWN'];
const ESIM_COLUMNS = {
  iccid: true,
  orderId: true,
  ownerType: true,
  ownerId: true,
  bundleName: true,
  smdpAddress: true,
  matchingId: true,
  lpa: true,
  appleInstallUrl: true,
  status: true,
  expiresAt: true,
  initialBytes: true,
  remainingBytes: true,
  usageState: true,
  usageSyncedAt: true,
  createdAt: true,
  order: { select: { providerReference: true } },
} as const;

function toOwner(type: string, id: string): EsimOwner {
  if (type !== 'customer' && type !== 'vendor') throw new Error(`unexpected owner type in the database: ${type}`);
  return { type, id };
}

function toProviderOrder(row: ProviderOrderRow): ProviderOrder {
  return {
    orderId: row.orderId,
    owner: toOwner(row.ownerType, row.ownerId),
    bundleName: row.bundleName,
    quantity: row.quantity,
    state: row.state as ProviderOrderState,
    attempts: row.attempts,
    providerReference: row.providerReference,
    failureCode: row.failureCode,
    failureReason: row.failureReason,
    correlationId: row.correlationId,
    requestedAt: row.requestedAt,
    lastAttemptAt: row.lastAttemptAt,
    completedAt: row.completedAt,
  };
}

type EsimWithOrder = Omit<EsimRow, 'qrPng' | 'expiresAtReported'> & { order: { providerReference: string | null } };

function toStoredEsim(row: EsimWithOrder): StoredEsim {
  return {
    iccid: row.iccid,
    orderId: row.orderId,
    owner: toOwner(row.ownerType, row.ownerId),
    bundleName: row.bundleName,
    smdpAddress: row.smdpAddress,
    matchingId: row.matchingId,
    lpa: row.lpa,
    appleInstallUrl: row.appleInstallUrl,
    status: row.status,
    expiresAt: row.expiresAt,
    initialBytes: row.initialBytes === null ? null : Number(row.initialBytes),
    remainingBytes: row.remainingBytes === null ? null : Number(row.remainingBytes),
    usageState: row.usageState,
    usageSyncedAt: row.usageSyncedAt,
    createdAt: row.createdAt,
    providerReference: row.order.providerReference,
  };
}

/** The usage columns of a stored observation; an end reported by eSIM Go replaces our estimate. */
function usageColumns(usage: StoredUsage): Prisma.EsimUpdateManyMutationInput {
  return {
    initialBytes: usage.initialBytes === null ? null : BigInt(usage.initialBytes),
    remainingBytes: usage.remainingBytes === null ? null : BigInt(usage.remainingBytes),
    usageState: usage.state,
    usageSyncedAt: usage.syncedAt,
    ...(usage.endsAt ? { expiresAt: usage.endsAt, expiresAtReported: true } : {}),
  };
}

function isUniqueViolation(err: unknown): boolean {
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code === 'P2002';
  // node-postgres: SQLSTATE unique_violation
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** A `provider_orders` row as node-postgres returns it. */
interface RawProviderOrder {
  order_id: string;
  owner_type: string;
  owner_id: string;
  bundle_name: string;
  quantity: number;
  state: string;
  attempts: number;
  provider_reference: string | null;
  failure_code: string | null;
  failure_reason: string | null;
  correlation_id: string | null;
  requested_at: Date;
  last_attempt_at: Date | null;
  completed_at: Date | null;
}

function fromRaw(r: RawProviderOrder): ProviderOrder {
  return {
    orderId: r.order_id,
    owner: toOwner(r.owner_type, r.owner_id),
    bundleName: r.bundle_name,
    quantity: r.quantity,
    state: r.state as ProviderOrderState,
    attempts: r.attempts,
    providerReference: r.provider_reference,
    failureCode: r.failure_code,
    failureReason: r.failure_reason,
    correlationId: r.correlation_id,
    requestedAt: r.requested_at,
    lastAttemptAt: r.last_attempt_at,
    completedAt: r.completed_at,
  };
}

const PROVIDER_ORDER_COLUMNS = `"order_id", "owner_type", "owner_id", "bundle_name", "quantity", "state", "attempts", "provider_reference",
  "failure_code", "failure_reason", "correlation_id", "requested_at", "last_attempt_at", "completed_at"`;

/**
 * The per-order path of provisioning (record, lease, attempt, reference, outcome, duration lookup) is raw SQL on
 * node-postgres (prepared statements; the insert and the lease each read the row back in the same statement);
 * lists, reconciliation scans and the eSIM queries use Prisma.
 */
export class ProvisioningRepository {
  private readonly orders: string;
  private readonly esims: string;
  private readonly bundles: string;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: PgTransactions,
    schema: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    const s = quoteIdent(assertSchemaName(schema));
    this.orders = `${s}."provider_orders"`;
    this.esims = `${s}."esims"`;
    this.bundles = `${s}."catalogue_bundle"`;
  }

  transaction<T>(fn: (tx: ProvisioningTx) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** Records the order as REQUESTED unless it exists; returns the stored row either way. */
  async insertIfAbsent(request: ProvisionRequest, opts: { correlationId: string | null; nextCheckAt: Date }): Promise<ProviderOrder> {
    // A concurrent twin's insert makes ours do nothing (it waits for that one to commit); the row is then read.
    const { rows } = await this.db.query<RawProviderOrder>(
      `WITH ins AS (
         INSERT INTO ${this.orders} ("order_id", "owner_type", "owner_id", "bundle_name", "quantity", "state", "correlation_id", "requested_at", "next_check_at")
         VALUES ($1::uuid, $2, $3, $4, $5, 'REQUESTED', $6, $7, $8) ON CONFLICT DO NOTHING RETURNING ${PROVIDER_ORDER_COLUMNS})
       SELECT ${PROVIDER_ORDER_COLUMNS} FROM ins`,
      [request.orderId, request.owner.type, request.owner.id, request.bundleName, request.quantity, opts.correlationId, this.now(), opts.nextCheckAt],
    );
    if (rows[0]) return fromRaw(rows[0]);
    const existing = await this.find(request.orderId);
    if (!existing) throw new Error(`provider order ${request.orderId} vanished after a conflicting insert`);
    return existing;
  }

  async find(orderId: string): Promise<ProviderOrder | undefined> {
    const { rows } = await this.db.query<RawProviderOrder>(`SELECT ${PROVIDER_ORDER_COLUMNS} FROM ${this.orders} WHERE "order_id" = $1::uuid`, [orderId]);
    return rows[0] ? fromRaw(rows[0]) : undefined;
  }

  /** Takes the order's lease when nobody holds a live one; the fresh row, or undefined when it is taken. */
  async acquireLease(orderId: string, token: string, leaseMs: number): Promise<ProviderOrder | undefined> {
    const now = this.now();
    const { rows } = await this.db.query<RawProviderOrder>(
      `UPDATE ${this.orders} SET "lease_token" = $2::uuid, "lease_until" = $3
        WHERE "order_id" = $1::uuid AND ("lease_until" IS NULL OR "lease_until" < $4)
        RETURNING ${PROVIDER_ORDER_COLUMNS}`,
      [orderId, token, new Date(now.getTime() + leaseMs), now],
    );
    return rows[0] ? fromRaw(rows[0]) : undefined;
  }

  async releaseLease(orderId: string, token: string): Promise<void> {
    await this.db.query(`UPDATE ${this.orders} SET "lease_token" = NULL, "lease_until" = NULL WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid`, [orderId, token]);
  }

  /**
   * Committed BEFORE a POST /orders is sent: counts the attempt (so a crash or a lost answer leads to
   * reconciliation, not to a second purchase) and renews the lease for the length of the call. False when the
   * lease was lost or the order is no longer unfinished: then nothing may be sent.
   */
  async beginAttempt(orderId: string, token: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const { rowCount } = await this.db.query(
      `UPDATE ${this.orders} SET "attempts" = "attempts" + 1, "last_attempt_at" = $3, "lease_until" = $4
        WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "lease_until" > $3 AND "state" IN ('REQUESTED', 'UNKNOWN') AND "provider_reference" IS NULL`,
      [orderId, token, now, new Date(now.getTime() + leaseMs)],
    );
    return rowCount === 1;
  }

  /** The eSIM Go order that serves this order (bought now or found by reconciliation). */
  async recordReference(orderId: string, token: string, reference: string): Promise<boolean> {
    try {
      const { rowCount } = await this.db.query(
        `UPDATE ${this.orders} SET "provider_reference" = $3, "state" = 'REQUESTED'
          WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "state" IN ('REQUESTED', 'UNKNOWN')`,
        [orderId, token, reference],
      );
      return rowCount === 1;
    } catch (err) {
      if (isUniqueViolation(err)) throw new ReferenceTakenError(`eSIM Go order ${reference} already belongs to another order`, { cause: err });
      throw err;
    }
  }

  /** Leaves the order unfinished (REQUESTED or UNKNOWN) for a later retry or the reconcile job. */
  async defer(orderId: string, token: string, state: 'REQUESTED' | 'UNKNOWN', nextCheckAt: Date): Promise<void> {
    await this.db.query(
      `UPDATE ${this.orders} SET "state" = $3, "next_check_at" = $4
        WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "state" IN ('REQUESTED', 'UNKNOWN')`,
      [orderId, token, state, nextCheckAt],
    );
  }

  /** Which of these eSIM Go order references are already held by one of our orders. */
  async takenReferences(references: string[]): Promise<Set<string>> {
    if (references.length === 0) return new Set();
    const rows = await this.prisma.providerOrder.findMany({
      where: { providerReference: { in: references } },
      select: { providerReference: true },
    });
    return new Set(rows.map((r) => r.providerReference).filter((r): r is string => r !== null));
  }

  /** In the caller's transaction: FAILED, unless another worker already finished it. */
  async markFailed(tx: ProvisioningTx, orderId: string, token: string, failure: { code: string; reason: string }): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE ${this.orders} SET "state" = 'FAILED', "failure_code" = $3, "failure_reason" = $4, "completed_at" = $5
        WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "state" IN ('REQUESTED', 'UNKNOWN')`,
      [orderId, token, failure.code, failure.reason.slice(0, 1000), this.now()],
    );
    return rowCount === 1;
  }

  /** In the caller's transaction: COMPLETED with its eSIMs, unless another worker already finished it. */
  async markCompleted(tx: ProvisioningTx, order: ProviderOrder, token: string, installs: EsimInstall[]): Promise<boolean> {
    const now = this.now();
    const { rowCount } = await tx.query(
      `UPDATE ${this.orders} SET "state" = 'COMPLETED', "completed_at" = $3, "failure_code" = NULL, "failure_reason" = NULL
        WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "state" IN ('REQUESTED', 'UNKNOWN') AND "provider_reference" IS NOT NULL`,
      [order.orderId, token, now],
    );
    if (rowCount !== 1) return false;
    // All eSIMs of the order in one statement (arrays as Postgres arrays: the values go to pg as they are).
    await tx.query(
      `INSERT INTO ${this.esims} ("iccid", "order_id", "owner_type", "owner_id", "bundle_name", "smdp_address", "matching_id", "lpa", "apple_install_url", "status", "expires_at", "created_at")
       SELECT e.iccid, $1::uuid, $2, $3, $4, e.smdp, e.matching, e.lpa, e.apple, 'PROVISIONED', e.expires, $5
         FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::timestamptz[]) AS e(iccid, smdp, matching, lpa, apple, expires)`,
      [
        order.orderId,
        order.owner.type,
        order.owner.id,
        order.bundleName,
        now,
        pgArray(installs.map((e) => e.iccid)),
        pgArray(installs.map((e) => e.smdpAddress)),
        pgArray(installs.map((e) => e.matchingId)),
        pgArray(installs.map((e) => e.lpa)),
        pgArray(installs.map((e) => e.appleInstallUrl)),
        pgArray(installs.map((e) => e.expiresAt)),
      ],
    );
    return true;
  }

  async esimsOfOrder(orderId: string): Promise<StoredEsim[]> {
    const rows = await this.prisma.esim.findMany({ where: { orderId }, select: ESIM_COLUMNS, orderBy: { iccid: 'asc' } });
    return rows.map(toStoredEsim);
  }

  /** Days of validity of a bundle from our catalogue copy (withdrawn bundles included); null if unknown. */
  async bundleDurationDays(bundleName: string): Promise<number | null> {
    const { rows } = await this.db.query<{ duration_days: number }>(`SELECT "duration_days" FROM ${this.bundles} WHERE "name" = $1`, [bundleName]);
    return rows[0]?.duration_days ?? null;
  }

  /** Unfinished orders whose next check is due and that no live worker holds, oldest first. */
  async dueForReconciliation(limit: number): Promise<ProviderOrder[]> {
    const now = this.now();
    const rows = await this.prisma.providerOrder.findMany({
      where: {
        state: { in: UNFINISHED },
        nextCheckAt: { lte: now },
        OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
      },
      orderBy: { nextCheckAt: 'asc' },
      take: limit,
    });
    return rows.map(toProviderOrder);
  }

  // --- eSIM queries ---------------------------------------------------------------------------------------

  async findEsim(owner: EsimOwner, iccid: string): Promise<StoredEsim | undefined> {
    const row = await this.prisma.esim.findFirst({ where: { iccid, ownerType: owner.type, ownerId: owner.id }, select: ESIM_COLUMNS });
    return row ? toStoredEsim(row) : undefined;
  }

  /** One page of an owner's eSIMs, newest first, after the cursor position. */
  async listEsims(owner: EsimOwner, limit: number, after?: EsimCursor): Promise<StoredEsim[]> {
    const rows = await this.prisma.esim.findMany({
      where: {
        ownerType: owner.type,
        ownerId: owner.id,
        ...(after
          ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, iccid: { lt: after.iccid } }] }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { iccid: 'desc' }],
      take: limit,
      select: ESIM_COLUMNS,
    });
    return rows.map(toStoredEsim);
  }

  /**
   * A pulled usage (get-esim's refresh, the usage sync), written only if `usage_synced_at` still holds what was
   * read before the call: an alert or another pull stored while eSIM Go answered is newer and wins. False when
   * it did.
   */
  async replacePulledUsage(iccid: string, expectedSyncedAt: Date | null, usage: StoredUsage): Promise<boolean> {
    const { count } = await this.prisma.esim.updateMany({ where: { iccid, usageSyncedAt: expectedSyncedAt }, data: usageColumns(usage) });
    return count === 1;
  }

  /**
   * Up to `limit` unfinished eSIMs whose usage is older than `syncedBefore` (never synced first, then the oldest),
   * after the cursor position.
   */
  async dueForUsageSync(q: { syncedBefore: Date; limit: number; after?: UsageSyncCursor }): Promise<UsageSyncCandidate[]> {
    const { after } = q;
    const keyset: Prisma.EsimWhereInput[] = !after
      ? []
      : after.usageSyncedAt === null
        ? [{ OR: [{ usageSyncedAt: null, iccid: { gt: after.iccid } }, { usageSyncedAt: { not: null } }] }]
        : [{ OR: [{ usageSyncedAt: after.usageSyncedAt, iccid: { gt: after.iccid } }, { usageSyncedAt: { gt: after.usageSyncedAt } }] }];
    const rows = await this.prisma.esim.findMany({
      where: {
        usageState: { notIn: [...FINISHED_USAGE_STATES] },
        AND: [{ OR: [{ usageSyncedAt: null }, { usageSyncedAt: { lt: q.syncedBefore } }] }, ...keyset],
      },
      orderBy: [{ usageSyncedAt: { sort: 'asc', nulls: 'first' } }, { iccid: 'asc' }],
      take: q.limit,
      select: {
        iccid: true,
        bundleName: true,
        usageState: true,
        usageSyncedAt: true,
        expiresAt: true,
        expiresAtReported: true,
        order: { select: { providerReference: true } },
      },
    });
    return rows.map((r) => ({
      iccid: r.iccid,
      bundleName: r.bundleName,
      providerReference: r.order.providerReference,
      usageState: r.usageState,
      usageSyncedAt: r.usageSyncedAt,
      expiresAt: r.expiresAt,
      expiresAtReported: r.expiresAtReported,
    }));
  }

  /**
   * Up to `limit` unfinished eSIMs whose REPORTED end is at or before `now` become Expired (usage figures kept,
   * `usage_synced_at` = now). Returns their ICCIDs. The UPDATE re-checks the condition, so a row changed in
   * between (or ended by another run) is left alone.
   */
  async expireReportedEnds(now: Date, limit: number): Promise<string[]> {
    const ended = { expiresAtReported: true, expiresAt: { lte: now }, usageState: { notIn: [...FINISHED_USAGE_STATES] } } satisfies Prisma.EsimWhereInput;
    const due = await this.prisma.esim.findMany({ where: ended, select: { iccid: true }, orderBy: { expiresAt: 'asc' }, take: limit });
    if (due.length === 0) return [];
    const iccids = due.map((r) => r.iccid);
    await this.prisma.esim.updateMany({ where: { ...ended, iccid: { in: iccids } }, data: { usageState: EXPIRED_USAGE_STATE, usageSyncedAt: now } });
    return iccids;
  }

  /** The usage columns of an eSIM whatever its owner (usage alerts name only the ICCID), in the caller's transaction. */
  async findUsage(tx: UsageTx, iccid: string): Promise<StoredUsageFacts | undefined> {
    const row = await tx.esim.findUnique({
      where: { iccid },
      select: { bundleName: true, initialBytes: true, remainingBytes: true, usageState: true, usageSyncedAt: true },
    });
    if (!row) return undefined;
    return {
      bundleName: row.bundleName,
      initialBytes: row.initialBytes === null ? null : Number(row.initialBytes),
      remainingBytes: row.remainingBytes === null ? null : Number(row.remainingBytes),
      usageState: row.usageState,
      usageSyncedAt: row.usageSyncedAt,
    };
  }

  /**
   * Compare-and-set of the usage, in the caller's transaction: written only if the row still holds `expected`
   * (what the decision was made on). False when a concurrent alert or pull refresh changed it in between.
   */
  async replaceUsage(tx: UsageTx, iccid: string, expected: StoredUsageFacts, usage: StoredUsage): Promise<boolean> {
    const { count } = await tx.esim.updateMany({
      where: {
        iccid,
        usageSyncedAt: expected.usageSyncedAt,
        initialBytes: expected.initialBytes === null ? null : BigInt(expected.initialBytes),
        remainingBytes: expected.remainingBytes === null ? null : BigInt(expected.remainingBytes),
        usageState: expected.usageState,
      },
      data: usageColumns(usage),
    });
    return count === 1;
  }

  /** The cached QR PNG of an owner's eSIM: undefined if no such eSIM, null if not rendered yet. */
  async findQr(owner: EsimOwner, iccid: string): Promise<{ lpa: string; png: Buffer | null } | undefined> {
    const row = await this.prisma.esim.findFirst({
      where: { iccid, ownerType: owner.type, ownerId: owner.id },
      select: { lpa: true, qrPng: true },
    });
    if (!row) return undefined;
    return { lpa: row.lpa, png: row.qrPng ? Buffer.from(row.qrPng) : null };
  }

  /**
   * Stores the PNG only if none is stored yet and returns the one stored: two first requests racing each other
   * both answer with the same bytes.
   */
  async storeQrIfAbsent(iccid: string, png: Buffer): Promise<Buffer> {
    await this.prisma.esim.updateMany({ where: { iccid, qrPng: null }, data: { qrPng: new Uint8Array(png) } });
    const row = await this.prisma.esim.findUniqueOrThrow({ where: { iccid }, select: { qrPng: true } });
    return row.qrPng ? Buffer.from(row.qrPng) : png;
  }
}
