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
import { Prisma, type PrismaClient } from './generated/prisma/client';

export type ProvisioningTx = Prisma.TransactionClient;

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
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

export class ProvisioningRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  transaction<T>(fn: (tx: ProvisioningTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: 30_000, maxWait: 10_000 });
  }

  /** Records the order as REQUESTED unless it exists; returns the stored row either way. */
  async insertIfAbsent(request: ProvisionRequest, opts: { correlationId: string | null; nextCheckAt: Date }): Promise<ProviderOrder> {
    await this.prisma.providerOrder.createMany({
      data: [
        {
          orderId: request.orderId,
          ownerType: request.owner.type,
          ownerId: request.owner.id,
          bundleName: request.bundleName,
          quantity: request.quantity,
          state: 'REQUESTED',
          correlationId: opts.correlationId,
          requestedAt: this.now(),
          nextCheckAt: opts.nextCheckAt,
        },
      ],
      skipDuplicates: true,
    });
    const row = await this.prisma.providerOrder.findUniqueOrThrow({ where: { orderId: request.orderId } });
    return toProviderOrder(row);
  }

  async find(orderId: string): Promise<ProviderOrder | undefined> {
    const row = await this.prisma.providerOrder.findUnique({ where: { orderId } });
    return row ? toProviderOrder(row) : undefined;
  }

  /** Takes the order's lease when nobody holds a live one; the fresh row, or undefined when it is taken. */
  async acquireLease(orderId: string, token: string, leaseMs: number): Promise<ProviderOrder | undefined> {
    const now = this.now();
    const { count } = await this.prisma.providerOrder.updateMany({
      where: { orderId, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseToken: token, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    if (count === 0) return undefined;
    return this.find(orderId);
  }

  async releaseLease(orderId: string, token: string): Promise<void> {
    await this.prisma.providerOrder.updateMany({ where: { orderId, leaseToken: token }, data: { leaseToken: null, leaseUntil: null } });
  }

  /**
   * Committed BEFORE a POST /orders is sent: counts the attempt (so a crash or a lost answer leads to
   * reconciliation, not to a second purchase) and renews the lease for the length of the call. False when the
   * lease was lost or the order is no longer unfinished: then nothing may be sent.
   */
  async beginAttempt(orderId: string, token: string, leaseMs: number): Promise<boolean> {
    const now = this.now();
    const { count } = await this.prisma.providerOrder.updateMany({
      where: { orderId, leaseToken: token, leaseUntil: { gt: now }, state: { in: UNFINISHED }, providerReference: null },
      data: { attempts: { increment: 1 }, lastAttemptAt: now, leaseUntil: new Date(now.getTime() + leaseMs) },
    });
    return count === 1;
  }

  /** The eSIM Go order that serves this order (bought now or found by reconciliation). */
  async recordReference(orderId: string, token: string, reference: string): Promise<boolean> {
    try {
      const { count } = await this.prisma.providerOrder.updateMany({
        where: { orderId, leaseToken: token, state: { in: UNFINISHED } },
        data: { providerReference: reference, state: 'REQUESTED' },
      });
      return count === 1;
    } catch (err) {
      if (isUniqueViolation(err)) throw new ReferenceTakenError(`eSIM Go order ${reference} already belongs to another order`, { cause: err });
      throw err;
    }
  }

  /** Leaves the order unfinished (REQUESTED or UNKNOWN) for a later retry or the reconcile job. */
  async defer(orderId: string, token: string, state: 'REQUESTED' | 'UNKNOWN', nextCheckAt: Date): Promise<void> {
    await this.prisma.providerOrder.updateMany({
      where: { orderId, leaseToken: token, state: { in: UNFINISHED } },
      data: { state, nextCheckAt },
    });
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
    const { count } = await tx.providerOrder.updateMany({
      where: { orderId, leaseToken: token, state: { in: UNFINISHED } },
      data: { state: 'FAILED', failureCode: failure.code, failureReason: failure.reason.slice(0, 1000), completedAt: this.now() },
    });
    return count === 1;
  }

  /** In the caller's transaction: COMPLETED with its eSIMs, unless another worker already finished it. */
  async markCompleted(tx: ProvisioningTx, order: ProviderOrder, token: string, installs: EsimInstall[]): Promise<boolean> {
    const now = this.now();
    const { count } = await tx.providerOrder.updateMany({
      where: { orderId: order.orderId, leaseToken: token, state: { in: UNFINISHED }, providerReference: { not: null } },
      data: { state: 'COMPLETED', completedAt: now, failureCode: null, failureReason: null },
    });
    if (count !== 1) return false;
    await tx.esim.createMany({
      data: installs.map((e) => ({
        iccid: e.iccid,
        orderId: order.orderId,
        ownerType: order.owner.type,
        ownerId: order.owner.id,
        bundleName: order.bundleName,
        smdpAddress: e.smdpAddress,
        matchingId: e.matchingId,
        lpa: e.lpa,
        appleInstallUrl: e.appleInstallUrl,
        status: 'PROVISIONED',
        expiresAt: e.expiresAt,
        createdAt: now,
      })),
    });
    return true;
  }

  async esimsOfOrder(orderId: string): Promise<StoredEsim[]> {
    const rows = await this.prisma.esim.findMany({ where: { orderId }, select: ESIM_COLUMNS, orderBy: { iccid: 'asc' } });
    return rows.map(toStoredEsim);
  }

  /** Days of validity of a bundle from our catalogue copy (withdrawn bundles included); null if unknown. */
  async bundleDurationDays(bundleName: string): Promise<number | null> {
    const row = await this.prisma.catalogueBundle.findUnique({ where: { name: bundleName }, select: { durationDays: true } });
    return row?.durationDays ?? null;
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
  async findUsage(tx: ProvisioningTx, iccid: string): Promise<StoredUsageFacts | undefined> {
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
  async replaceUsage(tx: ProvisioningTx, iccid: string, expected: StoredUsageFacts, usage: StoredUsage): Promise<boolean> {
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
