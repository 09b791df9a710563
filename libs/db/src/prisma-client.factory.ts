import { PrismaPg } from '@prisma/adapter-pg';
import { assertSchemaName } from './schema-name';

export interface PrismaClientOptions {
  databaseUrl: string;
  /** Postgres schema of the service; every generated query is qualified with it. */
  schema: string;
  poolMax?: number;
}

/**
 * Builds a generated Prisma 7 client on the pg driver adapter. The client class is passed in because each
 * service has its own generated client (one Prisma schema per service).
 */
export function createPrismaClient<C>(Ctor: new (opts: { adapter: PrismaPg }) => C, opts: PrismaClientOptions): C {
  const schema = assertSchemaName(opts.schema);
  const adapter = new PrismaPg(
    { connectionString: opts.databaseUrl, max: opts.poolMax ?? 10, application_name: `ttelgo:${schema}` },
    { schema },
  );
  return new Ctor({ adapter });
}
