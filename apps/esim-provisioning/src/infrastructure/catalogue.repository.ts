/**
 * Postgres side of the catalogue (schema `esims`). Returns plain domain objects: Prisma rows are mapped (and
 * their JSON columns validated) here and never leave this file.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CountrySchema } from '@ttelgo/contracts';
import type { CatalogueBundle } from '../domain/catalogue-bundle';
import { normaliseFilters, type CatalogueFilters } from '../domain/catalogue-cursor';
import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export type CatalogueTx = Prisma.TransactionClient;

export interface CatalogueDiff {
  added: number;
  changed: number;
  removed: number;
  /** Content hash of the whole active catalogue after the replace. */
  revision: string;
  bundleCount: number;
}

export interface CatalogueSyncState {
  revision: string | null;
  syncedAt: Date | null;
  bundleCount: number;
  lastAttemptAt: Date | null;
  lastError: string | null;
}

const SYNC_STATE_ID = 1;
// Bulk writes go as ONE jsonb parameter expanded by jsonb_to_recordset: Prisma's createMany/update with
// thousands of bind parameters took seconds for a full catalogue, this takes milliseconds.
const COUNTRY_ROWS_PER_STATEMENT = 20_000;
const BUNDLES_PER_STATEMENT = 2_000;
const CountriesColumn = z.array(CountrySchema);

type BundleRow = Prisma.CatalogueBundleGetPayload<object>;

/** sha256 of the bundle's normalised content, in a fixed field order so equal bundles always hash equal. */
export function bundleContentHash(b: CatalogueBundle): string {
  const canonical = JSON.stringify([
    b.name,
    b.description,
    // Networks only when present, so bundles stored before network data keep their hash.
    b.countries.map((c) => (c.networks ? [c.iso, c.name, c.region, c.networks.map((n) => [n.name, n.brandName, n.mcc, n.mnc, n.speeds])] : [c.iso, c.name, c.region])),
    b.regions,
    b.dataMb,
    b.durationDays,
    b.unlimited,
    b.cost.amount,
    b.cost.currency,
    b.groups,
    b.speed,
    b.autostart,
    b.billingType,
    b.roamingEnabled.map((c) => [c.iso, c.name, c.region]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Revision of a catalogue: hash over its (name, content hash) pairs in name order. */
export function catalogueRevision(entries: ReadonlyArray<{ name: string; hash: string }>): string {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = createHash('sha256');
  for (const e of sorted) hash.update(`${e.name}\u0000${e.hash}\n`);
  return hash.digest('hex').slice(0, 32);
}

function toRecord(b: CatalogueBundle, hash: string) {
  return {
    name: b.name,
    description: b.description,
    dataMb: b.dataMb,
    durationDays: b.durationDays,
    unlimited: b.unlimited,
    costAmount: b.cost.amount,
    costCurrency: b.cost.currency,
    countries: b.countries,
    regions: b.regions,
    groups: b.groups,
    speed: b.speed,
    autostart: b.autostart,
    billingType: b.billingType,
    roamingEnabled: b.roamingEnabled,
    contentHash: hash,
  };
}

function countryRows(b: CatalogueBundle) {
  return b.countries.map((c) => ({ bundleName: b.name, iso: c.iso, region: c.region }));
}

function toDomain(row: BundleRow): CatalogueBundle {
  return {
    name: row.name,
    description: row.description,
    countries: CountriesColumn.parse(row.countries),
    regions: row.regions,
    dataMb: row.dataMb,
    durationDays: row.durationDays,
    unlimited: row.unlimited,
    cost: { amount: row.costAmount, currency: row.costCurrency },
    groups: row.groups,
    speed: row.speed,
    autostart: row.autostart,
    billingType: row.billingType,
    roamingEnabled: CountriesColumn.parse(row.roamingEnabled),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class CatalogueRepository {
  private readonly schema: string;

  constructor(
    private readonly prisma: PrismaClient,
    /** Raw SQL is not rewritten by the adapter, so it names the schema itself. */
    schema: string,
  ) {
    this.schema = assertSchemaName(schema);
  }

  private table(name: string): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(name)}`;
  }

  /** Inserts new bundles and overwrites changed or returning ones (withdrawn_at cleared), in one statement. */
  private async upsertBundles(tx: CatalogueTx, part: ReadonlyArray<{ bundle: CatalogueBundle; hash: string }>, now: Date): Promise<void> {
    const textArray = (column: string): string => `ARRAY(SELECT jsonb_array_elements_text(x."${column}"))`;
    await tx.$executeRawUnsafe(
      `INSERT INTO ${this.table('catalogue_bundle')} ("name", "description", "data_mb", "duration_days", "unlimited", "cost_amount",
         "cost_currency", "countries", "regions", "groups", "speed", "autostart", "billing_type", "roaming_enabled", "content_hash",
         "first_seen_at", "updated_at", "withdrawn_at")
       SELECT x."name", x."description", x."dataMb", x."durationDays", x."unlimited", x."costAmount", x."costCurrency", x."countries",
         ${textArray('regions')}, ${textArray('groups')}, ${textArray('speed')}, x."autostart", x."billingType", x."roamingEnabled",
         x."contentHash", $2::timestamptz, $2::timestamptz, NULL
       FROM jsonb_to_recordset($1::jsonb) AS x("name" text, "description" text, "dataMb" int, "durationDays" int, "unlimited" boolean,
         "costAmount" int, "costCurrency" text, "countries" jsonb, "regions" jsonb, "groups" jsonb, "speed" jsonb, "autostart" boolean,
         "billingType" text, "roamingEnabled" jsonb, "contentHash" text)
       ON CONFLICT ("name") DO UPDATE SET
         "description" = EXCLUDED."description", "data_mb" = EXCLUDED."data_mb", "duration_days" = EXCLUDED."duration_days",
         "unlimited" = EXCLUDED."unlimited", "cost_amount" = EXCLUDED."cost_amount", "cost_currency" = EXCLUDED."cost_currency",
         "countries" = EXCLUDED."countries", "regions" = EXCLUDED."regions", "groups" = EXCLUDED."groups", "speed" = EXCLUDED."speed",
         "autostart" = EXCLUDED."autostart", "billing_type" = EXCLUDED."billing_type", "roaming_enabled" = EXCLUDED."roaming_enabled",
         "content_hash" = EXCLUDED."content_hash", "updated_at" = EXCLUDED."updated_at", "withdrawn_at" = NULL`,
      JSON.stringify(part.map((u) => toRecord(u.bundle, u.hash))),
      now.toISOString(),
    );
  }

  /** One transaction for a whole sync: replace, sync state and outbox row commit together or not at all. */
  transaction<T>(fn: (tx: CatalogueTx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: 60_000, maxWait: 10_000 });
  }

  /**
   * Makes `bundles` the active catalogue: new ones are inserted, changed ones (content hash) or withdrawn ones
   * that came back are updated, and active ones missing from `bundles` are withdrawn (kept, not deleted).
   * Callers never pass an empty list: an empty fetch is not a reason to withdraw everything.
   */
  async replaceCatalogue(bundles: readonly CatalogueBundle[], tx: CatalogueTx, now = new Date()): Promise<CatalogueDiff> {
    const existing = await tx.catalogueBundle.findMany({ select: { name: true, contentHash: true, withdrawnAt: true } });
    const known = new Map(existing.map((row) => [row.name, row]));
    const incoming = new Set<string>();
    const hashes: Array<{ name: string; hash: string }> = [];
    const toInsert: CatalogueBundle[] = [];
    const toUpdate: Array<{ bundle: CatalogueBundle; hash: string }> = [];
    let added = 0;
    let changed = 0;
    for (const bundle of bundles) {
      if (incoming.has(bundle.name)) continue;
      incoming.add(bundle.name);
      const hash = bundleContentHash(bundle);
      hashes.push({ name: bundle.name, hash });
      const row = known.get(bundle.name);
      if (!row) {
        toInsert.push(bundle);
        added += 1;
      } else if (row.withdrawnAt !== null) {
        // Back on sale: from the buyer's point of view it is a new bundle.
        toUpdate.push({ bundle, hash });
        added += 1;
      } else if (row.contentHash !== hash) {
        toUpdate.push({ bundle, hash });
        changed += 1;
      }
    }
    const toWithdraw = existing.filter((row) => row.withdrawnAt === null && !incoming.has(row.name)).map((row) => row.name);

    const upserts = [...toInsert.map((bundle) => ({ bundle, hash: bundleContentHash(bundle) })), ...toUpdate];
    for (const part of chunks(upserts, BUNDLES_PER_STATEMENT)) await this.upsertBundles(tx, part, now);
    if (toUpdate.length > 0) {
      await tx.$executeRawUnsafe(`DELETE FROM ${this.table('catalogue_bundle_country')} WHERE "bundle_name" = ANY($1::text[])`, toUpdate.map((u) => u.bundle.name));
    }
    const rows = upserts.flatMap((u) => countryRows(u.bundle));
    for (const part of chunks(rows, COUNTRY_ROWS_PER_STATEMENT)) {
      await tx.$executeRawUnsafe(
        `INSERT INTO ${this.table('catalogue_bundle_country')} ("bundle_name", "iso", "region")
         SELECT x."bundleName", x."iso", x."region" FROM jsonb_to_recordset($1::jsonb) AS x("bundleName" text, "iso" text, "region" text)`,
        JSON.stringify(part),
      );
    }
    if (toWithdraw.length > 0) {
      await tx.$executeRawUnsafe(
        `UPDATE ${this.table('catalogue_bundle')} SET "withdrawn_at" = $2::timestamptz, "updated_at" = $2::timestamptz WHERE "name" = ANY($1::text[])`,
        toWithdraw,
        now.toISOString(),
      );
    }
    return { added, changed, removed: toWithdraw.length, revision: catalogueRevision(hashes), bundleCount: incoming.size };
  }

  async recordSyncSuccess(tx: CatalogueTx, s: { revision: string; bundleCount: number; at: Date }): Promise<void> {
    const data = { revision: s.revision, bundleCount: s.bundleCount, syncedAt: s.at, lastAttemptAt: s.at, lastError: null };
    await tx.catalogueSyncState.upsert({ where: { id: SYNC_STATE_ID }, create: { id: SYNC_STATE_ID, ...data }, update: data });
  }

  /** The stored catalogue and its revision stay as they are; only the failure is remembered. */
  async recordSyncFailure(error: string, at: Date): Promise<void> {
    const data = { lastError: error.slice(0, 2000), lastAttemptAt: at };
    await this.prisma.catalogueSyncState.upsert({ where: { id: SYNC_STATE_ID }, create: { id: SYNC_STATE_ID, ...data }, update: data });
  }

  async readSyncState(): Promise<CatalogueSyncState | null> {
    const row = await this.prisma.catalogueSyncState.findUnique({ where: { id: SYNC_STATE_ID } });
    return row
      ? { revision: row.revision, syncedAt: row.syncedAt, bundleCount: row.bundleCount, lastAttemptAt: row.lastAttemptAt, lastError: row.lastError }
      : null;
  }

  async readRevision(): Promise<string | null> {
    const row = await this.prisma.catalogueSyncState.findUnique({ where: { id: SYNC_STATE_ID }, select: { revision: true } });
    return row?.revision ?? null;
  }

  /**
   * The revision first, then the bundles: if a sync commits in between, the snapshot is labelled with the older
   * revision, so the next revision check reloads it. The other order could hide a change until the next sync.
   */
  async loadActive(): Promise<{ revision: string | null; bundles: CatalogueBundle[] }> {
    const revision = await this.readRevision();
    const rows = await this.prisma.catalogueBundle.findMany({ where: { withdrawnAt: null }, orderBy: { name: 'asc' } });
    return { revision, bundles: rows.map(toDomain) };
  }

  /** Active bundles matching the filters with a name after `after`, in name order (keyset pagination). */
  async list(filters: CatalogueFilters, after: string | undefined, limit: number): Promise<CatalogueBundle[]> {
    const f = normaliseFilters(filters);
    const inRegion = f.region === undefined ? undefined : { region: { equals: f.region, mode: 'insensitive' as const } };
    // Same meaning as the in-memory index: covers the country; ALL covered countries are in the region.
    const conditions: Prisma.CatalogueBundleWhereInput[] = [];
    if (f.country !== undefined) conditions.push({ countryRows: { some: { iso: f.country } } });
    if (inRegion) conditions.push({ countryRows: { some: inRegion } }, { countryRows: { every: inRegion } });
    const rows = await this.prisma.catalogueBundle.findMany({
      where: {
        withdrawnAt: null,
        ...(after === undefined ? {} : { name: { gt: after } }),
        ...(conditions.length > 0 ? { AND: conditions } : {}),
      },
      orderBy: { name: 'asc' },
      take: limit,
    });
    return rows.map(toDomain);
  }

  async getByName(name: string): Promise<CatalogueBundle | undefined> {
    const row = await this.prisma.catalogueBundle.findFirst({ where: { name, withdrawnAt: null } });
    return row ? toDomain(row) : undefined;
  }
}
