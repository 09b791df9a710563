import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { FIXTURE_DATABASE_URL, FIXTURE_MIGRATIONS_DIR } from './fixture/fixture-db';

export const DATABASE_URL = FIXTURE_DATABASE_URL;

/** Runs one query on a short-lived connection (for assertions, outside the code under test). */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A writable copy of the fixture migrations (tests that modify or add migration files). */
export function copyMigrations(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ttelgo-db-migrations-'));
  cpSync(FIXTURE_MIGRATIONS_DIR, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export { sleep } from '@ttelgo/testing';
