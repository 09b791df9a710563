import pg from 'pg';
import { createPgClient } from './pg-connections';

/** What the job helpers accept as a database handle: a pg Pool, a connection string, or a Prisma client. */
export type DbHandle = pg.Pool | { databaseUrl: string } | PrismaRawClient;

export interface PrismaRawClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $transaction(fn: (tx: PrismaRawClient) => Promise<unknown>, opts?: { timeout?: number; maxWait?: number }): Promise<unknown>;
}

export function isPrisma(db: DbHandle): db is PrismaRawClient {
  return typeof (db as PrismaRawClient).$executeRawUnsafe === 'function';
}

export function isPool(db: DbHandle): db is pg.Pool {
  return db instanceof pg.Pool;
}

/** Runs one statement and returns the affected row count, whatever the handle. */
export async function execute(db: DbHandle, sql: string, values: unknown[]): Promise<number> {
  if (isPrisma(db)) return db.$executeRawUnsafe(sql, ...values);
  if (isPool(db)) return (await db.query(sql, values)).rowCount ?? 0;
  const client = createPgClient({ databaseUrl: db.databaseUrl, applicationName: 'ttelgo:sql' });
  await client.connect();
  try {
    return (await client.query(sql, values)).rowCount ?? 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}
