/** Outbox and inbox clean-up of schema `billing`, one replica at a time (startRetentionJob of @ttelgo/db). */
import { startRetentionJob, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';

export function startBillingRetentionJob(opts: { db: DbHandle; schema: string; intervalMs: number; logger: Logger }): { stop(): Promise<void>; runNow(): Promise<void> } {
  return startRetentionJob({ db: opts.db, schema: opts.schema, intervalMs: opts.intervalMs, logger: opts.logger.child({ job: 'retention' }) });
}
