/**
 * Postgres side of the eSIMs we hold and the bundles on them (schema `esims`): the owner queries, usage per
 * bundle (pushed alerts and pulled reads), the eSIM's state and activation, and the QR cache. Prisma; every change
 * of a bundle runs in a transaction that first locks its eSIM's row, so the eSIM's state (derived from all of its
 * bundles) is computed from what the other writers committed. Prisma rows never leave this file.
 */
import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { EsimCursor } from '../domain/esim-cursor';
import { esimStateOf, type BundleKind, type BundleState } from '../domain/esim-bundle';
import type { EsimOwner } from '../domain/provider-order';
import type { StoredUsageFacts } from '../domain/usage-alert';
import { Prisma, type PrismaClient } from './generated/prisma/client';

/** The transaction of a bundle change (the usage-alerts consumer's inbox transaction is one). */
export type EsimTx = Prisma.TransactionClient;

export interface StoredBundle {
  id: string;
  iccid: string;
  orderId: string;
  kind: BundleKind;
  bundleName: string;
  assignmentId: string | null;
  /** eSIM Go's bundleState as last seen, UNKNOWN before. */
  providerState: string;
  state: BundleState;
  initialBytes: number | null;
  remainingBytes: number | null;
  unlimited: boolean;
  startsAt: Date | null;
  endsAt: Date | null;
  endsAtReported: boolean;
  usageSyncedAt: Date | null;
  assignedAt: Date;
  revokedAt: Date | null;
  /** eSIM Go's order reference of the order that bought it (its assignment reference). */
  providerReference: string | null;
}

/** An eSIM as stored, with its bundles oldest first, without the QR bytes (read only by the QR query). */
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
  state: BundleState;
  activatedAt: Date | null;
  createdAt: Date;
  bundles: StoredBundle[];
}

/** A usage observation of one bundle, pushed (an alert) or pulled (GET /esims/{iccid}/bundles). */
export interface BundleUsage {
  initialBytes: number | null;
  remainingBytes: number | null;
  /** eSIM Go's bundleState. */
  providerState: string;
  state: BundleState;
  unlimited?: boolean;
  startsAt?: Date | null;
  /** The end eSIM Go reported; stored as `ends_at` (reported) when present. */
  endsAt: Date | null;
  assignmentId?: string | null;
  syncedAt: Date;
}

/** A bundle the usage sync may pull, with what its decision and its compare-and-set need. */
export interface UsageSyncCandidate {
  id: string;
  iccid: string;
  bundleName: string;
  state: BundleState;
  usageSyncedAt: Date | null;
  endsAt: Date | null;
  endsAtReported: boolean;
}

/** Keyset position of the usage sync within one run: (usage_synced_at NULLS FIRST, id). */
export interface UsageSyncCursor {
  usageSyncedAt: Date | null;
  id: string;
}

const BUNDLE_STATES: readonly BundleState[] = ['QUEUED', 'ACTIVE', 'DEPLETED', 'EXPIRED', 'REVOKED'];
const FINAL: BundleState[] = ['EXPIRED', 'REVOKED'];

const BUNDLE_COLUMNS = {
  id: true,
  iccid: true,
  orderId: true,
  kind: true,
  bundleName: true,
  assignmentId: true,
  providerState: true,
  state: true,
  initialBytes: true,
  remainingBytes: true,
  unlimited: true,
  startsAt: true,
  endsAt: true,
  endsAtReported: true,
  usageSyncedAt: true,
  assignedAt: true,
  revokedAt: true,
  order: { select: { providerReference: true } },
} as const satisfies Prisma.EsimBundleSelect;

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
  state: true,
  activatedAt: true,
  createdAt: true,
  bundles: { select: BUNDLE_COLUMNS, orderBy: [{ assignedAt: 'asc' }, { id: 'asc' }] },
} as const satisfies Prisma.EsimSelect;

type BundleRow = Prisma.EsimBundleGetPayload<{ select: typeof BUNDLE_COLUMNS }>;
type EsimRow = Prisma.EsimGetPayload<{ select: typeof ESIM_COLUMNS }>;

function toOwner(type: string, id: string): EsimOwner {
  if (type !== 'customer' && type !== 'vendor') throw new Error(`unexpected owner type in the database: ${type}`);
  return { type, id };
}

function toState(state: string): BundleState {
  if (!(BUNDLE_STATES as readonly string[]).includes(state)) throw new Error(`unexpected bundle state in the database: ${state}`);
  return state as BundleState;
}

const num = (v: bigint | null): number | null => (v === null ? null : Number(v));
const big = (v: number | null): bigint | null => (v === null ? null : BigInt(v));

function toBundle(row: BundleRow): StoredBundle {
  return {
    id: row.id,
    iccid: row.iccid,
    orderId: row.orderId,
    kind: row.kind === 'TOPUP' ? 'TOPUP' : 'NEW',
    bundleName: row.bundleName,
    assignmentId: row.assignmentId,
    providerState: row.providerState,
    state: toState(row.state),
    initialBytes: num(row.initialBytes),
    remainingBytes: num(row.remainingBytes),
    unlimited: row.unlimited,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    endsAtReported: row.endsAtReported,
    usageSyncedAt: row.usageSyncedAt,
    assignedAt: row.assignedAt,
    revokedAt: row.revokedAt,
    providerReference: row.order.providerReference,
  };
}

function toEsim(row: EsimRow): StoredEsim {
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
    state: toState(row.state),
    activatedAt: row.activatedAt,
    createdAt: row.createdAt,
    bundles: row.bundles.map(toBundle),
  };
}

export function usageFactsOf(b: StoredBundle): StoredUsageFacts {
  return {
    bundleName: b.bundleName,
    initialBytes: b.initialBytes,
    remainingBytes: b.remainingBytes,
    usageState: b.providerState,
    state: b.state,
    usageSyncedAt: b.usageSyncedAt,
  };
}

/** The usage columns of a stored observation; an end reported by eSIM Go replaces our estimate. */
function usageColumns(usage: BundleUsage): Prisma.EsimBundleUpdateManyMutationInput {
  return {
    initialBytes: big(usage.initialBytes),
    remainingBytes: big(usage.remainingBytes),
    providerState: usage.providerState,
    state: usage.state,
    usageSyncedAt: usage.syncedAt,
    ...(usage.unlimited !== undefined ? { unlimited: usage.unlimited } : {}),
    ...(usage.startsAt ? { startsAt: usage.startsAt } : {}),
    ...(usage.endsAt ? { endsAt: usage.endsAt, endsAtReported: true } : {}),
    ...(usage.assignmentId ? { assignmentId: usage.assignmentId } : {}),
  };
}

export class EsimsRepository {
  private readonly esimsTable: string;

  constructor(
    private readonly prisma: PrismaClient,
    schema: string,
  ) {
    this.esimsTable = `${quoteIdent(assertSchemaName(schema))}."esims"`;
  }

  transaction<T>(fn: (tx: EsimTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  // --- owner queries ---------------------------------------------------------------------------------------

  async findEsim(owner: EsimOwner, iccid: string): Promise<StoredEsim | undefined> {
    const row = await this.prisma.esim.findFirst({ where: { iccid, ownerType: owner.type, ownerId: owner.id }, select: ESIM_COLUMNS });
    return row ? toEsim(row) : undefined;
  }

  /** One page of an owner's eSIMs (in one state, when asked), newest first, after the cursor position. */
  async listEsims(owner: EsimOwner, limit: number, after?: EsimCursor, state?: BundleState): Promise<StoredEsim[]> {
    const rows = await this.prisma.esim.findMany({
      where: {
        ownerType: owner.type,
        ownerId: owner.id,
        ...(state ? { state } : {}),
        ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, iccid: { lt: after.iccid } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { iccid: 'desc' }],
      take: limit,
      select: ESIM_COLUMNS,
    });
    return rows.map(toEsim);
  }

  // --- bundle changes ---------------------------------------------------------------------------------------

  /** Days each bundle lasts from its first use, from our catalogue copy (withdrawn bundles included). */
  async durationDays(tx: EsimTx, bundleNames: string[]): Promise<Map<string, number>> {
    if (bundleNames.length === 0) return new Map();
    const rows = await tx.catalogueBundle.findMany({ where: { name: { in: [...new Set(bundleNames)] } }, select: { name: true, durationDays: true } });
    return new Map(rows.map((r) => [r.name, r.durationDays]));
  }

  /**
   * In the caller's transaction: locks the eSIM's row (every bundle change of one eSIM runs one after the other)
   * and reads it with its bundles; undefined when we hold no such eSIM (whatever its owner).
   */
  async lockEsim(tx: EsimTx, iccid: string): Promise<StoredEsim | undefined> {
    const locked = await tx.$queryRawUnsafe<Array<{ iccid: string }>>(`SELECT "iccid" FROM ${this.esimsTable} WHERE "iccid" = $1 FOR UPDATE`, iccid);
    if (locked.length === 0) return undefined;
    const row = await tx.esim.findUnique({ where: { iccid }, select: ESIM_COLUMNS });
    return row ? toEsim(row) : undefined;
  }

  /**
   * Compare-and-set of one bundle's usage, in the caller's transaction: written only if the row still holds
   * `expected` (what the decision was made on). False when another writer changed it in between.
   */
  async replaceUsage(tx: EsimTx, bundleId: string, expected: StoredUsageFacts, usage: BundleUsage): Promise<boolean> {
    const { count } = await tx.esimBundle.updateMany({
      where: {
        id: bundleId,
        usageSyncedAt: expected.usageSyncedAt,
        initialBytes: big(expected.initialBytes),
        remainingBytes: big(expected.remainingBytes),
        providerState: expected.usageState,
        state: expected.state,
      },
      data: usageColumns(usage),
    });
    return count === 1;
  }

  /**
   * A pulled usage (get-esim's refresh, the usage sync), written only if `usage_synced_at` still holds what was
   * read before the call and the bundle is not final: an alert or another pull stored while eSIM Go answered is
   * newer and wins. False when it did.
   */
  async replacePulledUsage(tx: EsimTx, bundleId: string, expectedSyncedAt: Date | null, usage: BundleUsage): Promise<boolean> {
    const { count } = await tx.esimBundle.updateMany({
      where: { id: bundleId, usageSyncedAt: expectedSyncedAt, state: { notIn: FINAL } },
      data: usageColumns(usage),
    });
    return count === 1;
  }

  /** The eSIM's state from its bundles as they are now in this transaction, and its activation when first seen. */
  async refreshEsim(tx: EsimTx, iccid: string, activatedAt: Date | null): Promise<void> {
    const bundles = await tx.esimBundle.findMany({ where: { iccid }, select: { state: true } });
    const state = esimStateOf(bundles.map((b) => toState(b.state)));
    await tx.esim.update({ where: { iccid }, data: { state } });
    if (activatedAt) await tx.esim.updateMany({ where: { iccid, activatedAt: null }, data: { activatedAt } });
  }

  /**
   * In the caller's transaction: the eSIM's first network attach. It is its activation unless an earlier one is
   * stored (a replayed attach, or a first use seen before it, keeps the earliest). False when nothing changed.
   */
  async recordAttachment(tx: EsimTx, iccid: string, attachedAt: Date): Promise<boolean> {
    const { count } = await tx.esim.updateMany({
      where: { iccid, OR: [{ activatedAt: null }, { activatedAt: { gt: attachedAt } }] },
      data: { activatedAt: attachedAt },
    });
    return count === 1;
  }

  // --- notices ----------------------------------------------------------------------------------------------

  /** In the caller's transaction (the eSIM locked): one bundle as it is now, its eSIM's owner, the notices already sent. */
  async noticeSubject(tx: EsimTx, bundleId: string): Promise<{ bundle: StoredBundle; owner: EsimOwner; sent: Set<string> } | undefined> {
    const row = await tx.esimBundle.findUnique({
      where: { id: bundleId },
      select: { ...BUNDLE_COLUMNS, esim: { select: { ownerType: true, ownerId: true } }, notices: { select: { notice: true } } },
    });
    if (!row) return undefined;
    return { bundle: toBundle(row), owner: toOwner(row.esim.ownerType, row.esim.ownerId), sent: new Set(row.notices.map((n) => n.notice)) };
  }

  /** Records notices as sent (ON CONFLICT DO NOTHING); returns the ones this call recorded. */
  async recordNotices(tx: EsimTx, bundleId: string, notices: readonly string[], at: Date): Promise<Set<string>> {
    const recorded = new Set<string>();
    for (const notice of notices) {
      const { count } = await tx.esimBundleNotice.createMany({ data: [{ bundleId, notice, sentAt: at }], skipDuplicates: true });
      if (count === 1) recorded.add(notice);
    }
    return recorded;
  }

  /**
   * Unfinished bundles whose REPORTED end falls in (after, until] and that were not warned yet: the usage sync's
   * "expires within 24 hours" step.
   */
  async endingUnwarned(after: Date, until: Date, limit: number, cursor?: { endsAt: Date; id: string }): Promise<Array<{ id: string; iccid: string; endsAt: Date }>> {
    const rows = await this.prisma.esimBundle.findMany({
      where: {
        endsAtReported: true,
        endsAt: { gt: after, lte: until },
        state: { notIn: FINAL },
        notices: { none: { notice: 'EXPIRING' } },
        ...(cursor ? { OR: [{ endsAt: { gt: cursor.endsAt } }, { endsAt: cursor.endsAt, id: { gt: cursor.id } }] } : {}),
      },
      select: { id: true, iccid: true, endsAt: true },
      orderBy: [{ endsAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map((r) => ({ id: r.id, iccid: r.iccid, endsAt: r.endsAt! }));
  }

  // --- usage sync --------------------------------------------------------------------------------------------

  /**
   * Up to `limit` unfinished bundles whose usage is older than `syncedBefore` (never synced first, then the
   * oldest), after the cursor position.
   */
  async dueForUsageSync(q: { syncedBefore: Date; limit: number; after?: UsageSyncCursor }): Promise<UsageSyncCandidate[]> {
    const { after } = q;
    const keyset: Prisma.EsimBundleWhereInput[] = !after
      ? []
      : after.usageSyncedAt === null
        ? [{ OR: [{ usageSyncedAt: null, id: { gt: after.id } }, { usageSyncedAt: { not: null } }] }]
        : [{ OR: [{ usageSyncedAt: after.usageSyncedAt, id: { gt: after.id } }, { usageSyncedAt: { gt: after.usageSyncedAt } }] }];
    const rows = await this.prisma.esimBundle.findMany({
      where: {
        state: { notIn: FINAL },
        AND: [{ OR: [{ usageSyncedAt: null }, { usageSyncedAt: { lt: q.syncedBefore } }] }, ...keyset],
      },
      orderBy: [{ usageSyncedAt: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
      take: q.limit,
      select: { id: true, iccid: true, bundleName: true, state: true, usageSyncedAt: true, endsAt: true, endsAtReported: true },
    });
    return rows.map((r) => ({ ...r, state: toState(r.state) }));
  }

  /** Unfinished bundles whose REPORTED end is at or before `endsBy`, the soonest first (ids and ICCIDs). */
  async reportedEndsBy(endsBy: Date, limit: number, after?: { endsAt: Date; id: string }): Promise<Array<{ id: string; iccid: string; endsAt: Date }>> {
    const rows = await this.prisma.esimBundle.findMany({
      where: {
        endsAtReported: true,
        endsAt: { lte: endsBy },
        state: { notIn: FINAL },
        ...(after ? { OR: [{ endsAt: { gt: after.endsAt } }, { endsAt: after.endsAt, id: { gt: after.id } }] } : {}),
      },
      select: { id: true, iccid: true, endsAt: true },
      orderBy: [{ endsAt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map((r) => ({ id: r.id, iccid: r.iccid, endsAt: r.endsAt! }));
  }

  /** In the caller's transaction: the bundle ended (its reported end passed); false when it changed meanwhile. */
  async markExpired(tx: EsimTx, bundleId: string, at: Date): Promise<boolean> {
    const { count } = await tx.esimBundle.updateMany({
      where: { id: bundleId, endsAtReported: true, endsAt: { lte: at }, state: { notIn: FINAL } },
      data: { providerState: 'Expired', state: 'EXPIRED', usageSyncedAt: at },
    });
    return count === 1;
  }

  // --- QR code -----------------------------------------------------------------------------------------------

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
