import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createPgClient } from './pg-connections';
import { assertSchemaName, qualified, quoteIdent } from './schema-name';

export interface MigrationOptions {
  databaseUrl: string;
  schema: string;
  /** Prisma layout: `<dir>/<timestamp>_<name>/migration.sql`. */
  migrationsDir: string;
  logger: Logger;
}

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

// Same DDL as Prisma's migrate engine, so `prisma migrate status/deploy` read our records as their own.
function migrationsTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_prisma_migrations')} (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
  )`;
}

/** Checksum exactly as Prisma computes it: sha256 of the raw bytes of migration.sql, lower-case hex. */
export function migrationChecksum(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * `prisma/<service>/migrations` of the repository (or image) that holds `fromDir`: the nearest ancestor of
 * `fromDir` that has it. A service calls it with its own `__dirname`, which is `apps/<service>/src` when run from
 * the sources (tsx, jest) and `dist/apps/<service>` when run from its compiled bundle, in a checkout and in the
 * image alike.
 */
export function findMigrationsDir(fromDir: string, service: string): string {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'prisma', service, 'migrations');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new MigrationError(`no prisma/${service}/migrations above ${fromDir}`);
  }
}

export function readMigrations(migrationsDir: string): LocalMigration[] {
  if (!existsSync(migrationsDir)) throw new MigrationError(`migrations directory not found: ${migrationsDir}`);
  return readdirSync(migrationsDir)
    .filter((entry) => statSync(join(migrationsDir, entry)).isDirectory())
    .sort()
    .flatMap((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) return [];
      const bytes = readFileSync(file);
      return [{ name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) }];
    });
}

// The two-key form keeps migration locks out of the single-bigint key space used by job locks.
const LOCK_SQL_ARGS = 'hashtext($1), hashtext($2)';
const LOCK_NAMESPACE = 'ttelgo:migrate';

async function loadApplied(client: pg.ClientBase, schema: string): Promise<AppliedRow[]> {
  const exists = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = '_prisma_migrations') AS found`,
    [schema],
  );
  if (!exists.rows[0]?.found) return [];
  const res = await client.query<AppliedRow>(
    `SELECT id, checksum, migration_name, finished_at, rolled_back_at FROM ${qualified(schema, '_prisma_migrations')} ORDER BY started_at, migration_name`,
  );
  return res.rows;
}

/** Pending migrations, or an error that tells why the history cannot be continued. */
function plan(local: LocalMigration[], applied: AppliedRow[], schema: string, logger?: Logger): LocalMigration[] {
  const live = applied.filter((row) => row.rolled_back_at === null);
  const failed = live.filter((row) => row.finished_at === null);
  if (failed.length > 0) {
    throw new MigrationError(
      `schema ${schema}: migration(s) ${failed.map((r) => r.migration_name).join(', ')} started but never finished; resolve them before migrating`,
    );
  }
  const done = new Map(live.map((row) => [row.migration_name, row]));
  for (const migration of local) {
    const row = done.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      throw new MigrationError(
        `schema ${schema}: migration ${migration.name} was modified after it was applied (checksum ${row.checksum} in the database, ${migration.checksum} on disk)`,
      );
    }
  }
  const known = new Set(local.map((m) => m.name));
  const unknown = live.filter((row) => !known.has(row.migration_name)).map((row) => row.migration_name);
  if (unknown.length > 0) logger?.warn({ schema, migrations: unknown }, 'applied migrations missing from the migrations directory');
  return local.filter((m) => !done.has(m.name));
}

/**
 * Applies pending migrations in name order. One dedicated connection holds a per-schema advisory lock for
 * the whole run, so replicas starting together serialise and each migration runs once. Each migration is a
 * transaction of its own (DDL is transactional in Postgres), and its `_prisma_migrations` row is written in
 * that same transaction: a failed migration leaves neither schema changes nor a half-finished record, so a
 * fixed release can simply run again. Migrations that cannot run in a transaction (CREATE INDEX
 * CONCURRENTLY) are therefore not supported.
 */
export async function runMigrations(opts: MigrationOptions): Promise<{ applied: string[] }> {
  const schema = assertSchemaName(opts.schema);
  const local = readMigrations(opts.migrationsDir);
  const log = opts.logger.child({ schema, component: 'migrations' });
  const client = createPgClient({ databaseUrl: opts.databaseUrl, applicationName: `ttelgo:migrate:${schema}`, logger: log });
  await client.connect();
  const applied: string[] = [];
  try {
    // Nothing pending: done, without DDL or lock. This is also what lets a service start under its own role,
    // which may read its schema but create nothing (grantServiceRole), once `migrate` has run before it.
    if (plan(local, await loadApplied(client, schema), schema, log).length === 0) {
      log.debug('no pending migrations');
      return { applied };
    }
    await client.query(`SELECT pg_advisory_lock(${LOCK_SQL_ARGS})`, [LOCK_NAMESPACE, schema]);
    try {
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await client.query(migrationsTableSql(schema));
      } catch (err) {
        if ((err as { code?: string }).code !== '42501') throw err;
        throw new MigrationError(
          `schema ${schema} has pending migrations and this database role may not apply them (${(err as Error).message}): run \`migrate\` with the migrating role first`,
          { cause: err },
        );
      }
      const pending = plan(local, await loadApplied(client, schema), schema, log);
      for (const migration of pending) {
        const started = Date.now();
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
          const id = randomUUID();
          await client.query(
            `INSERT INTO ${qualified(schema, '_prisma_migrations')} (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
            [id, migration.checksum, migration.name],
          );
          await client.query(migration.sql);
          await client.query(
            `UPDATE ${qualified(schema, '_prisma_migrations')} SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
            [id],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          log.error({ err, migration: migration.name }, 'migration failed');
          throw new MigrationError(`schema ${schema}: migration ${migration.name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(migration.name);
        log.info({ migration: migration.name, ms: Date.now() - started }, 'migration applied');
      }
      if (applied.length === 0) log.debug('no pending migrations');
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK_SQL_ARGS})`, [LOCK_NAMESPACE, schema]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return { applied };
}

/**
 * Names of migrations on disk that are not applied yet (for a readiness check). Throws like runMigrations
 * when an applied migration was modified or a migration is stuck half-applied.
 */
export async function pendingMigrations(opts: Omit<MigrationOptions, 'logger'> & { logger?: Logger }): Promise<string[]> {
  const schema = assertSchemaName(opts.schema);
  const local = readMigrations(opts.migrationsDir);
  const client = createPgClient({ databaseUrl: opts.databaseUrl, applicationName: `ttelgo:migrate-check:${schema}`, logger: opts.logger });
  await client.connect();
  try {
    return plan(local, await loadApplied(client, schema), schema, opts.logger).map((m) => m.name);
  } finally {
    await client.end().catch(() => undefined);
  }
}
