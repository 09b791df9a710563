/** Small helpers for the raw SQL of the repositories (raw SQL is not rewritten by the adapter: it names the schema). */
import { assertSchemaName, quoteIdent, type OutboxTx, type SqlTx } from '@ttelgo/db';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export type BillingTx = Prisma.TransactionClient;
/** A transaction, or the client itself for single-statement reads. */
export type Db = BillingTx | PrismaClient;

/**
 * What the ledger's raw SQL and the funds path (reserve, capture, release) need of a transaction or client: raw
 * statements and the outbox. A Prisma transaction or client satisfies it, and so does `rawTx()` over a node-postgres
 * transaction, which the funds commands consumer uses (see service.ts).
 */
export interface RawTx extends OutboxTx {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** The RawTx face of a node-postgres transaction (PgTransactions of @ttelgo/db). */
export function rawTx(tx: SqlTx): RawTx {
  return {
    $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await tx.query(query, values)).rows as T,
    $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await tx.query(query, values)).rowCount,
    outboxMessage: tx.outboxMessage,
  };
}

export function tableNamer(schema: string): (table: string) => string {
  const s = quoteIdent(assertSchemaName(schema));
  return (table) => `${s}.${quoteIdent(table)}`;
}
