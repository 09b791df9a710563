import { pendingMigrations } from './migration.runner';

/**
 * The Postgres half of a service's /health/ready: the database answers, and every migration of its schema is
 * applied (checked until true once, then remembered — applied migrations stay applied).
 */
export function postgresReadiness(opts: {
  prisma: { $queryRawUnsafe(sql: string): Promise<unknown> };
  databaseUrl: string;
  schema: string;
  migrationsDir: string;
}): { postgres: () => Promise<boolean>; migrations: () => Promise<boolean> } {
  let migrationsApplied = false;
  return {
    postgres: async () => {
      await opts.prisma.$queryRawUnsafe('SELECT 1');
      return true;
    },
    migrations: async () => {
      if (!migrationsApplied) {
        migrationsApplied = (await pendingMigrations({ databaseUrl: opts.databaseUrl, schema: opts.schema, migrationsDir: opts.migrationsDir })).length === 0;
      }
      return migrationsApplied;
    },
  };
}
