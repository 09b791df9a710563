import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { cleanupInbox, cleanupOutbox, startRetentionJob, withAdvisoryLock } from '../src';
import { testLogger } from '@ttelgo/testing';
import { createFixtureDb, type FixtureDb } from './fixture/fixture-db';
import { DATABASE_URL, sql } from './helpers';

let db: FixtureDb;
let poolA: pg.Pool;
let poolB: pg.Pool;

beforeAll(async () => {
  db = await createFixtureDb({ prefix: 'dbjobs' });
  poolA = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  poolB = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
});
afterAll(async () => {
  await poolA.end();
  await poolB.end();
  await db.dispose();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('withAdvisoryLock', () => {
  it('runs the job in only one replica at a time and frees the lock afterwards', async () => {
    const key = `job:${randomUUID()}`;
    const release = deferred();
    const entered = deferred();
    const holder = withAdvisoryLock(poolA, key, async () => {
      entered.resolve();
      await release.promise;
      return 'done';
    });
    await entered.promise;
    let ranB = false;
    expect(await withAdvisoryLock(poolB, key, async () => (ranB = true))).toBeUndefined();
    expect(await withAdvisoryLock({ databaseUrl: DATABASE_URL }, key, async () => (ranB = true))).toBeUndefined();
    expect(await withAdvisoryLock(db.prisma, key, async () => (ranB = true))).toBeUndefined();
    expect(ranB).toBe(false);
    // Another key is independent.
    expect(await withAdvisoryLock(poolB, `${key}:other`, async () => 'other')).toBe('other');
    release.resolve();
    expect(await holder).toBe('done');
    expect(await withAdvisoryLock(poolB, key, async () => 'next')).toBe('next');
    // The pooled connection went back to the pool without the lock: nothing is left in pg_locks.
    expect(await sql(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = (hashtextextended($1, 0) & x'ffffffff'::bigint)::oid`, [key])).toEqual([
      { n: 0 },
    ]);
  });

  it('releases the lock when the job throws', async () => {
    const key = `job:${randomUUID()}`;
    await expect(withAdvisoryLock(poolA, key, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withAdvisoryLock(poolB, key, async () => 'after')).toBe('after');
  });

  it('with a Prisma client holds the lock for the job and excludes pool holders', async () => {
    const key = `job:${randomUUID()}`;
    const release = deferred();
    const entered = deferred();
    const holder = withAdvisoryLock(db.prisma, key, async () => {
      entered.resolve();
      await release.promise;
      return 42;
    });
    await entered.promise;
    expect(await withAdvisoryLock(poolA, key, async () => 'no')).toBeUndefined();
    release.resolve();
    expect(await holder).toBe(42);
    expect(await withAdvisoryLock(poolA, key, async () => 'yes')).toBe('yes');
  });
});

describe('retention', () => {
  it('deletes only outbox rows sent before the cut-off, in batches', async () => {
    const t = `"${db.schema}".outbox`;
    const ids = { oldSent: [randomUUID(), randomUUID(), randomUUID()], newSent: randomUUID(), oldUnsent: randomUUID() };
    const insert = (id: string, created: string, sent: string | null) =>
      sql(`INSERT INTO ${t} (id, type, exchange, routing_key, payload, created_at, sent_at) VALUES ($1, 'x.y.v1', 'e', 'r', '{}', $2, $3)`, [id, created, sent]);
    for (const id of ids.oldSent) await insert(id, '2020-01-01', '2020-01-02');
    await insert(ids.newSent, new Date().toISOString(), new Date().toISOString());
    await insert(ids.oldUnsent, '2020-01-01', null);
    expect(await cleanupOutbox(poolA, { schema: db.schema, olderThanDays: 7, batchSize: 2 })).toBe(3);
    const left = await sql<{ id: string }>(`SELECT id FROM ${t} WHERE id = ANY($1::uuid[]) ORDER BY id`, [[...ids.oldSent, ids.newSent, ids.oldUnsent]]);
    expect(left.map((r) => r.id).sort()).toEqual([ids.newSent, ids.oldUnsent].sort());
    expect(await cleanupOutbox(db.prisma, { schema: db.schema, olderThanDays: 7 })).toBe(0);
  });

  it('deletes inbox rows received before the cut-off, in batches', async () => {
    const t = `"${db.schema}".inbox`;
    const old = [randomUUID(), randomUUID(), randomUUID()];
    const recent = randomUUID();
    for (const id of old) await sql(`INSERT INTO ${t} (message_id, handler, received_at) VALUES ($1, 'h', now() - interval '40 days')`, [id]);
    await sql(`INSERT INTO ${t} (message_id, handler) VALUES ($1, 'h')`, [recent]);
    expect(await cleanupInbox(db.prisma, { schema: db.schema, olderThanDays: 30, batchSize: 2 })).toBe(3);
    const left = await sql<{ message_id: string }>(`SELECT message_id FROM ${t} WHERE message_id = ANY($1::uuid[])`, [[...old, recent]]);
    expect(left.map((r) => r.message_id)).toEqual([recent]);
  });

  it('runs both clean-ups from the scheduled job, and stops cleanly', async () => {
    const out = randomUUID();
    const inb = randomUUID();
    await sql(`INSERT INTO "${db.schema}".outbox (id, type, exchange, routing_key, payload, created_at, sent_at) VALUES ($1, 'x.y.v1', 'e', 'r', '{}', '2020-01-01', '2020-01-02')`, [out]);
    await sql(`INSERT INTO "${db.schema}".inbox (message_id, handler, received_at) VALUES ($1, 'h', now() - interval '40 days')`, [inb]);
    const job = startRetentionJob({ db: poolA, schema: db.schema, logger: testLogger(), intervalMs: 3_600_000 });
    await job.runNow();
    await job.stop();
    expect(await sql(`SELECT id FROM "${db.schema}".outbox WHERE id = $1`, [out])).toEqual([]);
    expect(await sql(`SELECT message_id FROM "${db.schema}".inbox WHERE message_id = $1`, [inb])).toEqual([]);
  });
});
