import pg from 'pg';
import { isPool, isPrisma, type DbHandle } from './sql-runner';

export interface AdvisoryLockOptions {
  /** Only for a Prisma handle: the lock lives in an interactive transaction that may run this long. */
  transactionTimeoutMs?: number;
}

/**
 * Runs `fn` only if no other replica holds the lock `key`; returns undefined without running it otherwise
 * (for scheduled jobs: the replica that gets the lock does the work, the others skip this round).
 *
 * With a pg Pool or a connection string the lock is a session lock on one dedicated connection, so it is
 * released with that session if the process dies. A Prisma client cannot pin a connection outside a
 * transaction, so there the lock is transaction-scoped (pg_try_advisory_xact_lock) inside an interactive
 * transaction that stays open while `fn` runs; `fn` should then use its own connections, not that one.
 */
export async function withAdvisoryLock<T>(
  db: DbHandle,
  key: string,
  fn: () => Promise<T>,
  opts: AdvisoryLockOptions = {},
): Promise<T | undefined> {
  if (isPrisma(db)) {
    let result: T | undefined;
    await db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ locked: boolean }[]>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', key);
        if (!rows[0]?.locked) return;
        result = await fn();
      },
      { timeout: opts.transactionTimeoutMs ?? 10 * 60_000, maxWait: 10_000 },
    );
    return result;
  }

  const pooled = isPool(db);
  const client: pg.ClientBase = pooled
    ? await db.connect()
    : new pg.Client({ connectionString: db.databaseUrl, application_name: `ttelgo:lock:${key}`.slice(0, 63) });
  // A connection whose lock state is unknown is destroyed, never handed back to the pool.
  const done = async (broken?: Error): Promise<void> => {
    if (pooled) (client as pg.PoolClient).release(broken ?? false);
    else await (client as pg.Client).end().catch(() => undefined);
  };
  let locked = false;
  try {
    if (!pooled) await (client as pg.Client).connect();
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    locked = rows[0]?.locked === true;
  } catch (err) {
    await done(err as Error);
    throw err;
  }
  if (!locked) {
    await done();
    return undefined;
  }
  try {
    return await fn();
  } finally {
    const unlockError = await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).then(
      () => undefined,
      (err: Error) => err,
    );
    await done(unlockError);
  }
}
