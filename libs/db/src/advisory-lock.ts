import type pg from 'pg';
import { claimJobPeriod, type JobPeriod } from './job-runs';
import { createPgClient } from './pg-connections';
import { isPool, isPrisma, type DbHandle } from './sql-runner';

export interface AdvisoryLockOptions {
  /** Only for a Prisma handle: the lock lives in an interactive transaction that may run this long. */
  transactionTimeoutMs?: number;
  /** Where a lock connection lost while the job runs is reported. */
  logger?: { warn(obj: object, msg: string): void };
  /**
   * For a scheduled run: run only if no replica started this job within the period (see ./job-runs). Without it
   * the lock only keeps runs from overlapping, and N replicas each run the job once per interval.
   */
  oncePer?: JobPeriod;
}

/** What the job learns about its lock while it runs. */
export interface HeldLock {
  /**
   * Aborted when the connection that holds the lock dies (database restart, network cut): Postgres has released
   * the lock with the session, so another replica may start the same job. A job that must not overlap stops at
   * its next step; every job here is idempotent, so finishing the step in progress is safe.
   */
  signal: AbortSignal;
}

/**
 * Runs `fn` only if no other replica holds the lock `key` (and, with `oncePer`, no replica started the job within
 * the period); returns undefined without running it otherwise (for scheduled jobs: the replica that gets the lock
 * does the work, the others skip this round).
 *
 * With a pg Pool or a connection string the lock is a session lock on one dedicated connection, so it is
 * released with that session if the process dies. A Prisma client cannot pin a connection outside a
 * transaction, so there the lock is transaction-scoped (pg_try_advisory_xact_lock) inside an interactive
 * transaction that stays open while `fn` runs; `fn` should then use its own connections, not that one.
 *
 * The lock's connection listens for 'error' for as long as it is held: its loss aborts `signal`, and never
 * reaches the process as an uncaught exception.
 */
export async function withAdvisoryLock<T>(
  db: DbHandle,
  key: string,
  fn: (lock: HeldLock) => Promise<T>,
  opts: AdvisoryLockOptions = {},
): Promise<T | undefined> {
  const lost = new AbortController();
  const onLost = (err: Error): void => {
    if (lost.signal.aborted) return;
    opts.logger?.warn({ err, lock: key }, 'advisory lock connection lost while the job runs; another replica may take the lock');
    lost.abort(err);
  };

  if (isPrisma(db)) {
    let result: T | undefined;
    await db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ locked: boolean }[]>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', key);
        if (!rows[0]?.locked) return;
        if (opts.oncePer && !(await claimJobPeriod(async (text, values) => (await tx.$queryRawUnsafe<unknown[]>(text, ...values)).length, key, opts.oncePer))) return;
        result = await fn({ signal: lost.signal });
      },
      { timeout: opts.transactionTimeoutMs ?? 10 * 60_000, maxWait: 10_000 },
    );
    return result;
  }

  const pooled = isPool(db);
  const client: pg.ClientBase = pooled ? await db.connect() : createPgClient({ databaseUrl: db.databaseUrl, applicationName: `ttelgo:lock:${key}`, onError: onLost });
  // A checked-out pool client has no listener of the pool's: this one covers it while the lock is held.
  if (pooled) client.on('error', onLost);
  // A connection whose lock state is unknown is destroyed, never handed back to the pool.
  const done = async (broken?: Error): Promise<void> => {
    if (pooled) {
      client.removeListener('error', onLost);
      (client as pg.PoolClient).release(broken ?? (lost.signal.aborted ? (lost.signal.reason as Error) : false));
    } else await (client as pg.Client).end().catch(() => undefined);
  };
  let locked = false;
  let due = true;
  try {
    if (!pooled) await (client as pg.Client).connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    locked = rows[0]?.locked === true;
    if (locked && opts.oncePer) due = await claimJobPeriod(async (text, values) => (await client.query(text, values)).rowCount ?? 0, key, opts.oncePer);
  } catch (err) {
    await done(err as Error);
    throw err;
  }
  if (!locked) {
    await done();
    return undefined;
  }
  if (!due) {
    const unlockError = await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).then(
      () => undefined,
      (err: Error) => err,
    );
    await done(unlockError);
    return undefined;
  }
  try {
    return await fn({ signal: lost.signal });
  } finally {
    const unlockError = lost.signal.aborted
      ? (lost.signal.reason as Error)
      : await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).then(
          () => undefined,
          (err: Error) => err,
        );
    await done(unlockError);
  }
}
