import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchemaName, dropSchema, testLogger } from '@ttelgo/testing';
import { MigrationError, pendingMigrations, runMigrations } from '../src';
import { FIXTURE_MIGRATIONS_DIR } from './fixture/fixture-db';
import { copyMigrations, DATABASE_URL, sql } from './helpers';

const logger = testLogger('db-migrations-test');
const INIT = '20260101000000_init';
const schemas: string[] = [];
const dirs: string[] = [];

function newSchema(): string {
  const schema = createTestSchemaName('dbmig');
  schemas.push(schema);
  return schema;
}

function tempMigrations(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ttelgo-db-mig-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), content);
  }
  return dir;
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(DATABASE_URL, schema);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('runMigrations', () => {
  it('applies pending migrations once and nothing the second time', async () => {
    const schema = newSchema();
    const opts = { databaseUrl: DATABASE_URL, schema, migrationsDir: FIXTURE_MIGRATIONS_DIR, logger };
    expect(await pendingMigrations(opts)).toEqual([INIT]);
    expect(await runMigrations(opts)).toEqual({ applied: [INIT] });
    expect(await runMigrations(opts)).toEqual({ applied: [] });
    expect(await pendingMigrations(opts)).toEqual([]);
    const tables = await sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['_prisma_migrations', 'effect', 'inbox', 'outbox']);
  });

  it("records each migration in Prisma's _prisma_migrations format", async () => {
    const schema = newSchema();
    await runMigrations({ databaseUrl: DATABASE_URL, schema, migrationsDir: FIXTURE_MIGRATIONS_DIR, logger });
    const rows = await sql(`SELECT * FROM "${schema}"."_prisma_migrations"`);
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, unknown>;
    const expectedChecksum = createHash('sha256').update(readFileSync(join(FIXTURE_MIGRATIONS_DIR, INIT, 'migration.sql'))).digest('hex');
    expect(row.migration_name).toBe(INIT);
    expect(row.checksum).toBe(expectedChecksum);
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.finished_at).toBeInstanceOf(Date);
    expect((row.finished_at as Date).getTime()).toBeGreaterThanOrEqual((row.started_at as Date).getTime());
    expect(row.rolled_back_at).toBeNull();
    expect(row.logs).toBeNull();
    expect(row.applied_steps_count).toBe(1);

    const columns = await sql<{ column_name: string; data_type: string; is_nullable: string; character_maximum_length: number | null }>(
      `SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.map((c) => [c.column_name, c.data_type, c.is_nullable, c.character_maximum_length])).toEqual([
      ['id', 'character varying', 'NO', 36],
      ['checksum', 'character varying', 'NO', 64],
      ['finished_at', 'timestamp with time zone', 'YES', null],
      ['migration_name', 'character varying', 'NO', 255],
      ['logs', 'text', 'YES', null],
      ['rolled_back_at', 'timestamp with time zone', 'YES', null],
      ['started_at', 'timestamp with time zone', 'NO', null],
      ['applied_steps_count', 'integer', 'NO', null],
    ]);
  });

  it('refuses to continue when an applied migration file was changed', async () => {
    const schema = newSchema();
    const copy = copyMigrations();
    try {
      const opts = { databaseUrl: DATABASE_URL, schema, migrationsDir: copy.dir, logger };
      await runMigrations(opts);
      appendFileSync(join(copy.dir, INIT, 'migration.sql'), '\n-- edited after release\n');
      await expect(runMigrations(opts)).rejects.toThrow(MigrationError);
      await expect(runMigrations(opts)).rejects.toThrow(/20260101000000_init was modified after it was applied/);
      await expect(pendingMigrations(opts)).rejects.toThrow(/modified/);
    } finally {
      copy.cleanup();
    }
  });

  it('applies new migrations in name order after earlier ones', async () => {
    const schema = newSchema();
    const dir = tempMigrations({ '20260101000000_a': 'CREATE TABLE t (n int);' });
    const opts = { databaseUrl: DATABASE_URL, schema, migrationsDir: dir, logger };
    expect((await runMigrations(opts)).applied).toEqual(['20260101000000_a']);
    mkdirSync(join(dir, '20260102000000_c'));
    writeFileSync(join(dir, '20260102000000_c', 'migration.sql'), 'INSERT INTO t VALUES (2);');
    mkdirSync(join(dir, '20260101120000_b'));
    writeFileSync(join(dir, '20260101120000_b', 'migration.sql'), 'INSERT INTO t VALUES (1);');
    expect(await pendingMigrations(opts)).toEqual(['20260101120000_b', '20260102000000_c']);
    expect((await runMigrations(opts)).applied).toEqual(['20260101120000_b', '20260102000000_c']);
    // search_path pointed at the schema: unqualified names landed there, in order.
    expect(await sql(`SELECT array_agg(n) AS ns FROM "${schema}".t`)).toEqual([{ ns: [1, 2] }]);
  });

  it('rolls back a failing migration completely and records nothing, so a fixed file applies later', async () => {
    const schema = newSchema();
    const dir = tempMigrations({
      '20260101000000_ok': 'CREATE TABLE a (n int);',
      '20260102000000_bad': 'CREATE TABLE b (n int);\nINSERT INTO does_not_exist VALUES (1);',
    });
    const opts = { databaseUrl: DATABASE_URL, schema, migrationsDir: dir, logger };
    await expect(runMigrations(opts)).rejects.toThrow(/20260102000000_bad failed: .*does_not_exist/);
    const recorded = await sql<{ migration_name: string }>(`SELECT migration_name FROM "${schema}"."_prisma_migrations"`);
    expect(recorded.map((r) => r.migration_name)).toEqual(['20260101000000_ok']);
    expect(await sql(`SELECT to_regclass($1) AS b`, [`"${schema}".b`])).toEqual([{ b: null }]);
    writeFileSync(join(dir, '20260102000000_bad', 'migration.sql'), 'CREATE TABLE b (n int);');
    expect((await runMigrations(opts)).applied).toEqual(['20260102000000_bad']);
  });

  it('serialises concurrent runners on one schema so each migration runs exactly once', async () => {
    const schema = newSchema();
    const dir = tempMigrations({
      '20260101000000_create': 'CREATE TABLE runs (migration text);',
      // Slow enough that both runners are certainly waiting on each other.
      '20260102000000_slow': "INSERT INTO runs VALUES ('slow'); SELECT pg_sleep(0.5);",
      '20260103000000_last': "INSERT INTO runs VALUES ('last');",
    });
    const opts = { databaseUrl: DATABASE_URL, schema, migrationsDir: dir, logger };
    const results = await Promise.all([runMigrations(opts), runMigrations(opts), runMigrations(opts)]);
    const applied = results.flatMap((r) => r.applied).sort();
    expect(applied).toEqual(['20260101000000_create', '20260102000000_slow', '20260103000000_last']);
    expect(await sql(`SELECT migration, count(*)::int AS n FROM "${schema}".runs GROUP BY migration ORDER BY migration`)).toEqual([
      { migration: 'last', n: 1 },
      { migration: 'slow', n: 1 },
    ]);
    expect(await sql(`SELECT count(*)::int AS n FROM "${schema}"."_prisma_migrations"`)).toEqual([{ n: 3 }]);
  });

  it('rejects schema names that are not plain identifiers', async () => {
    await expect(
      runMigrations({ databaseUrl: DATABASE_URL, schema: 'x"; DROP SCHEMA public; --', migrationsDir: FIXTURE_MIGRATIONS_DIR, logger }),
    ).rejects.toThrow(/invalid schema name/);
    await expect(runMigrations({ databaseUrl: DATABASE_URL, schema: 'Upper', migrationsDir: FIXTURE_MIGRATIONS_DIR, logger })).rejects.toThrow(
      /invalid schema name/,
    );
  });
});
