import { PrismaPg } from '@prisma/adapter-pg';
import type { Logger } from 'pino';
import { createPgPool } from './pg-connections';
import { assertSchemaName } from './schema-name';

export interface PrismaClientOptions {
  databaseUrl: string;
  /** Postgres schema of the service; every generated query is qualified with it. */
  schema: string;
  poolMax?: number;
  /** Where a lost connection is reported. */
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Builds a generated Prisma 7 client on the pg driver adapter. The client class is passed in because each
 * service has its own generated client (one Prisma schema per service).
 *
 * The adapter gets our pool (./pg-connections) rather than building its own: the adapter listens on idle clients
 * and on a client only while an interactive transaction holds it, whereas ours listen from construction on, so a
 * connection dying while the adapter runs a single query on it fails that query and nothing else.
 */
export function createPrismaClient<C>(Ctor: new (opts: { adapter: PrismaPg }) => C, opts: PrismaClientOptions): C {
  const schema = assertSchemaName(opts.schema);
  const pool = createPgPool({ databaseUrl: opts.databaseUrl, max: opts.poolMax ?? 10, applicationName: `ttelgo:${schema}`, logger: opts.logger });
  // disposeExternalPool: $disconnect() ends the pool, as it ends a pool the adapter built itself.
  const adapter = new PrismaPg(pool, { schema, disposeExternalPool: true });
  return new Ctor({ adapter });
}
