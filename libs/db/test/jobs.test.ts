import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { assertSchemaMatchesPrisma, cleanupInbox, cleanupOutbox, startRetentionJob, withAdvisoryLock } from '../src';
import { testLogger, waitFor } from '@ttelgo/testing';
import { createFixtureDb, FIXTURE_SCHEMA_PRISMA, type FixtureDb } from './fixture/fixture-db';
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

describe('withAdvisoryLock oncePer: scheduled jobs across replicas', () => {
  it('runs a job once per period although two replicas each try it on their own timer', async () => {
    const key = `${db.schema}:job:${randomUUID()}`;
    const periodMs = 400;
    const starts: number[] = [];
    const replica = (handle: pg.Pool | { databaseUrl: string }) => () =>
      withAdvisoryLock(handle, key, async () => void starts.push(Date.now()), { oncePer: { schema: db.schema, periodMs } });
    // Two replicas, each ticking every period, out of phase: without the claim each would run at every tick.
    const ticks = [replica(poolA), replica({ databaseUrl: DATABASE_URL })];
    const began = Date.now();
    const timers = ticks.map((tick, i) => {
      void tick();
      let timer: NodeJS.Timeout | undefined;
      setTimeout(() => (timer = setInterval(() => void tick(), periodMs)), i * (periodMs / 2));
      return () => clearInterval(timer);
    });
    await waitFor(() => Date.now() - began > 2600, { timeoutMs: 5000, intervalMs: 100 });
    timers.forEach((clear) => clear());
    const elapsed = Date.now() - began;

    // 13 ticks in all; once per period (runs at least 0.9 x period apart) allows at most elapsed / (0.9 x period) + 1.
    expect(starts.length).toBeGreaterThanOrEqual(Math.floor(elapsed / periodMs) - 1);
    expect(starts.length).toBeLessThanOrEqual(Math.floor(elapsed / (0.9 * periodMs)) + 1);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    // Local clocks see the DB's claim a few ms apart: 50 ms of slack on the 90 % rule.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0.9 * periodMs - 50);
    const [row] = await sql<{ runs: string }>(`SELECT runs FROM "${db.schema}"._job_runs WHERE job = $1`, [key]);
    expect(Number(row?.runs)).toBe(starts.length);
  });

  it('claims the period with a Prisma handle too, and a run without oncePer is never held back', async () => {
    const key = `${db.schema}:job:${randomUUID()}`;
    const once = { oncePer: { schema: db.schema, periodMs: 60_000 } };
    expect(await withAdvisoryLock(db.prisma, key, async () => 'first', once)).toBe('first');
    expect(await withAdvisoryLock(db.prisma, key, async () => 'again', once)).toBeUndefined();
    expect(await withAdvisoryLock(poolA, key, async () => 'again', once)).toBeUndefined();
    // A manual run (runNow, an operator) is not a scheduled one: it runs.
    expect(await withAdvisoryLock(poolA, key, async () => 'manual')).toBe('manual');
    // The bookkeeping table is the library's: the service's Prisma schema and its migrations still agree.
    await assertSchemaMatchesPrisma({ databaseUrl: DATABASE_URL, schema: db.schema, prismaSchemaPath: FIXTURE_SCHEMA_PRISMA });
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
