import { execute, type DbHandle } from './sql-runner';
import { assertSchemaName, qualified } from './schema-name';

export interface RetentionOptions {
  schema: string;
  olderThanDays: number;
  /** Rows per DELETE: short statements keep locks and WAL bursts small on a busy table. */
  batchSize?: number;
  /** Upper bound of DELETE statements per call, so one run cannot take unbounded time. */
  maxBatches?: number;
}

async function deleteInBatches(db: DbHandle, sql: string, opts: RetentionOptions): Promise<number> {
  if (!Number.isFinite(opts.olderThanDays) || opts.olderThanDays < 0) throw new Error(`invalid olderThanDays ${opts.olderThanDays}`);
  const batchSize = opts.batchSize ?? 1000;
  const maxBatches = opts.maxBatches ?? 1000;
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const deleted = await execute(db, sql, [opts.olderThanDays, batchSize]);
    total += deleted;
    if (deleted < batchSize) break;
  }
  return total;
}

/** Deletes outbox rows that were sent more than `olderThanDays` ago. Unsent rows are never deleted. */
export async function cleanupOutbox(db: DbHandle, opts: RetentionOptions): Promise<number> {
  const table = qualified(assertSchemaName(opts.schema), 'outbox');
  return deleteInBatches(
    db,
    `DELETE FROM ${table} WHERE id IN (
       SELECT id FROM ${table}
        WHERE sent_at IS NOT NULL AND sent_at < now() - $1::float8 * interval '1 day'
        LIMIT $2::int)`,
    opts,
  );
}

/**
 * Deletes inbox rows received more than `olderThanDays` ago. Keep this longer than the longest window in
 * which a message can be redelivered or replayed (retries, DLQ replays), or a late duplicate runs again.
 */
export async function cleanupInbox(db: DbHandle, opts: RetentionOptions): Promise<number> {
  const table = qualified(assertSchemaName(opts.schema), 'inbox');
  return deleteInBatches(
    db,
    `DELETE FROM ${table} WHERE (message_id, handler) IN (
       SELECT message_id, handler FROM ${table}
        WHERE received_at < now() - $1::float8 * interval '1 day'
        LIMIT $2::int)`,
    opts,
  );
}
