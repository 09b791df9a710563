/**
 * Postgres side of provisioning (schema `esims`): provider orders with their lease, and what they bought (new
 * eSIMs and their first bundle, or a top-up's bundle on an eSIM we hold). Returns plain domain objects; Prisma rows
 * never leave this file. Every write that belongs to a worker's attempt is conditional on its lease token, so a
 * worker whose lease expired cannot overwrite the work of the one that took over. The eSIMs' own queries and
 * usage are in esims.repository.ts.
 */
import { randomUUID } from 'node:crypto';
import type { EsimInstall } from '../domain/esim-install';
import type { EsimOwner, ProviderOrder, ProviderOrderState, ProvisionKind, ProvisionRequest } from '../domain/provider-order';
import { assertSchemaName, quoteIdent, sqlArray as pgArray, type PgTransactions, type SqlTx } from '@ttelgo/db';
import { Prisma, type PrismaClient } from './generated/prisma/client';

/** The provisioning write path runs on node-postgres directly (PgTransactions of @ttelgo/db); reads stay on Prisma. */
export type ProvisioningTx = SqlTx;

type ProviderOrderRow = Prisma.ProviderOrderGetPayload<object>;

/** The install data of an eSIM we hold (what esim.provisioned.v1 carries). */
export interface StoredInstall {
  iccid: string;
  smdpAddress: string;
  matchingId: string;
  lpa: string;
  appleInstallUrl: string;
  /** The latest end among its bundles that are not revoked (estimated until eSIM Go reports it). */
  expiresAt: Date | null;
}

/** What provisioning needs to know of a bundle from our catalogue copy (withdrawn ones included). */
export interface BundleTerms {
  durationDays: number | null;
  unlimited: boolean;
  /** The bundle's data in bytes (1 MB = 10^6 bytes, as eSIM Go counts); null when unlimited or unknown. */
  dataBytes: number | null;
}

/** Another of our provider orders already holds that eSIM Go order reference. */
export class ReferenceTakenError extends Error {
  override readonly name = 'ReferenceTakenError';
}

const UNFINISHED: ProviderOrderState[] = ['REQUESTED', 'UNKNOWN'];

function toOwner(type: string, id: string): EsimOwner {
  if (type !== 'customer' && type !== 'vendor') throw new Error(`unexpected owner type in the database: ${type}`);
  return { type, id };
}

const toKind = (kind: string): ProvisionKind => (kind === 'TOPUP' ? 'TOPUP' : 'NEW');

function toProviderOrder(row: ProviderOrderRow): ProviderOrder {
  return {
    orderId: row.orderId,
    owner: toOwner(row.ownerType, row.ownerId),
    kind: toKind(row.kind),
    iccid: row.iccid,
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
  kind: string;
  iccid: string | null;
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
    kind: toKind(r.kind),
    iccid: r.iccid,
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

const PROVIDER_ORDER_COLUMNS = `"order_id", "owner_type", "owner_id", "kind", "iccid", "bundle_name", "quantity", "state", "attempts", "provider_reference",
  "failure_code", "failure_reason", "correlation_id", "requested_at", "last_attempt_at", "completed_at"`;

/**
 * The per-order path of provisioning (record, lease, attempt, reference, outcome, duration lookup) is raw SQL on
 * node-postgres (prepared statements; the insert and the lease each read the row back in the same statement);
 * lists, reconciliation scans and the eSIM queries use Prisma.
 */
export class ProvisioningRepository {
  private readonly orders: string;
  private readonly esims: string;
  private readonly esimBundles: string;
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
    this.esimBundles = `${s}."esim_bundles"`;
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
         INSERT INTO ${this.orders} ("order_id", "owner_type", "owner_id", "kind", "iccid", "bundle_name", "quantity", "state", "correlation_id", "requested_at", "next_check_at")
         VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, 'REQUESTED', $8, $9, $10) ON CONFLICT DO NOTHING RETURNING ${PROVIDER_ORDER_COLUMNS})
       SELECT ${PROVIDER_ORDER_COLUMNS} FROM ins`,
      [
        request.orderId,
        request.owner.type,
        request.owner.id,
        request.kind,
        request.iccid,
        request.bundleName,
        request.quantity,
        opts.correlationId,
        this.now(),
        opts.nextCheckAt,
      ],
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

  /** A POST that eSIM Go answered with a refusal bought nothing: it no longer counts as an attempt. */
  async revertAttempt(orderId: string, token: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE ${this.orders} SET "attempts" = "attempts" - 1
        WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "attempts" > 0 AND "state" IN ('REQUESTED', 'UNKNOWN') AND "provider_reference" IS NULL`,
      [orderId, token],
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

  /**
   * In the caller's transaction: COMPLETED with what it bought, unless another worker already finished it. NEW:
   * the eSIMs and, on each, the order's bundle (its end estimated: assignment + the catalogue's duration). TOPUP:
   * the bundle on the eSIM it applied to, after that eSIM's row is locked (its state may change: a QUEUED top-up
   * on a DEPLETED eSIM makes it QUEUED again).
   */
  async markCompleted(tx: ProvisioningTx, order: ProviderOrder, token: string, installs: EsimInstall[], terms: BundleTerms): Promise<boolean> {
    const now = this.now();
    const { rowCount } = await tx.query(
      `UPDATE ${this.orders} SET "state" = 'COMPLETED', "completed_at" = $3, "failure_code" = NULL, "failure_reason" = NULL
        WHERE "order_id" = $1::uuid AND "lease_token" = $2::uuid AND "state" IN ('REQUESTED', 'UNKNOWN') AND "provider_reference" IS NOT NULL`,
      [order.orderId, token, now],
    );
    if (rowCount !== 1) return false;
    const iccids = installs.map((e) => e.iccid);
    if (order.kind === 'NEW') {
      // All eSIMs of the order in one statement (arrays as Postgres arrays: the values go to pg as they are).
      await tx.query(
        `INSERT INTO ${this.esims} ("iccid", "order_id", "owner_type", "owner_id", "bundle_name", "smdp_address", "matching_id", "lpa", "apple_install_url", "status", "state", "created_at")
         SELECT e.iccid, $1::uuid, $2, $3, $4, e.smdp, e.matching, e.lpa, e.apple, 'PROVISIONED', 'QUEUED', $5
           FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) AS e(iccid, smdp, matching, lpa, apple)`,
        [
          order.orderId,
          order.owner.type,
          order.owner.id,
          order.bundleName,
          now,
          pgArray(iccids),
          pgArray(installs.map((e) => e.smdpAddress)),
          pgArray(installs.map((e) => e.matchingId)),
          pgArray(installs.map((e) => e.lpa)),
          pgArray(installs.map((e) => e.appleInstallUrl)),
        ],
      );
    } else {
      await tx.query(`SELECT "iccid" FROM ${this.esims} WHERE "iccid" = ANY($1::text[]) FOR UPDATE`, [pgArray(iccids)]);
    }
    await tx.query(
      `INSERT INTO ${this.esimBundles} ("id", "iccid", "order_id", "kind", "bundle_name", "unlimited", "initial_bytes", "remaining_bytes", "ends_at", "assigned_at")
       SELECT e.id, e.iccid, $1::uuid, $2, $3, $4, $9::bigint, $9::bigint, e.ends, $5 FROM unnest($6::uuid[], $7::text[], $8::timestamptz[]) AS e(id, iccid, ends)`,
      [
        order.orderId,
        order.kind,
        order.bundleName,
        terms.unlimited,
        now,
        pgArray(installs.map(() => randomUUID())),
        pgArray(iccids),
        pgArray(installs.map((e) => e.expiresAt)),
        // Unused so far: the whole bundle is left (the catalogue's figure until eSIM Go reports its own).
        terms.dataBytes,
      ],
    );
    if (order.kind === 'TOPUP') {
      // Only a finished eSIM (DEPLETED, EXPIRED, REVOKED) comes back to QUEUED: an ACTIVE one stays in use.
      await tx.query(`UPDATE ${this.esims} SET "state" = 'QUEUED' WHERE "iccid" = ANY($1::text[]) AND "state" IN ('DEPLETED', 'EXPIRED', 'REVOKED')`, [
        pgArray(iccids),
      ]);
    }
    return true;
  }

  /** The install data of the eSIMs an order provisioned (NEW) or topped up (TOPUP), in ICCID order. */
  async installsOfOrder(orderId: string): Promise<StoredInstall[]> {
    const bundles = await this.prisma.esimBundle.findMany({ where: { orderId }, select: { iccid: true }, orderBy: { iccid: 'asc' } });
    return this.installsOf(bundles.map((b) => b.iccid));
  }

  /** The install data of eSIMs we hold (any owner), in ICCID order. */
  async installsOf(iccids: string[]): Promise<StoredInstall[]> {
    if (iccids.length === 0) return [];
    const rows = await this.prisma.esim.findMany({
      where: { iccid: { in: iccids } },
      select: {
        iccid: true,
        smdpAddress: true,
        matchingId: true,
        lpa: true,
        appleInstallUrl: true,
        bundles: { where: { state: { not: 'REVOKED' } }, select: { endsAt: true } },
      },
      orderBy: { iccid: 'asc' },
    });
    return rows.map((r) => ({
      iccid: r.iccid,
      smdpAddress: r.smdpAddress,
      matchingId: r.matchingId,
      lpa: r.lpa,
      appleInstallUrl: r.appleInstallUrl,
      expiresAt: latest(r.bundles.map((b) => b.endsAt)),
    }));
  }

  /** The owner of an eSIM we hold, or undefined. */
  async ownerOfEsim(iccid: string): Promise<EsimOwner | undefined> {
    const row = await this.prisma.esim.findUnique({ where: { iccid }, select: { ownerType: true, ownerId: true } });
    return row ? toOwner(row.ownerType, row.ownerId) : undefined;
  }

  /** Which of these ICCIDs are eSIMs we already hold. */
  async knownIccids(iccids: string[]): Promise<Set<string>> {
    if (iccids.length === 0) return new Set();
    const rows = await this.prisma.esim.findMany({ where: { iccid: { in: iccids } }, select: { iccid: true } });
    return new Set(rows.map((r) => r.iccid));
  }

  /** Duration and unlimited flag of a bundle from our catalogue copy (withdrawn bundles included). */
  async bundleTerms(bundleName: string): Promise<BundleTerms> {
    const { rows } = await this.db.query<{ duration_days: number; unlimited: boolean; data_mb: number }>(
      `SELECT "duration_days", "unlimited", "data_mb" FROM ${this.bundles} WHERE "name" = $1`,
      [bundleName],
    );
    const row = rows[0];
    if (!row) return { durationDays: null, unlimited: false, dataBytes: null };
    return { durationDays: row.duration_days, unlimited: row.unlimited, dataBytes: row.unlimited || row.data_mb <= 0 ? null : row.data_mb * 1_000_000 };
  }

  /** Unfinished orders recorded before `requestedBefore` (those past the provisioning deadline). */
  async countUnfinishedSince(requestedBefore: Date): Promise<number> {
    return this.prisma.providerOrder.count({ where: { state: { in: UNFINISHED }, requestedAt: { lt: requestedBefore } } });
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
}

function latest(dates: Array<Date | null>): Date | null {
  const known = dates.filter((d): d is Date => d !== null);
  return known.length === 0 ? null : new Date(Math.max(...known.map((d) => d.getTime())));
}
