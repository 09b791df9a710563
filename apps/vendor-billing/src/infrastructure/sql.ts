/** Small helpers for the raw SQL of the repositories (raw SQL is not rewritten by the adapter: it names the schema). */
import { assertSchemaName, quoteIdent } from '@ttelgo/db';
import type { Prisma, PrismaClient } from './generated/prisma/client';

export type BillingTx = Prisma.TransactionClient;
/** A transaction, or the client itself for single-statement reads. */
export type Db = BillingTx | PrismaClient;

export function tableNamer(schema: string): (table: string) => string {
  const s = quoteIdent(assertSchemaName(schema));
  return (table) => `${s}.${quoteIdent(table)}`;
}
