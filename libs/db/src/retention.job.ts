import type { Logger } from '@ttelgo/observability';
import { cleanupInbox, cleanupOutbox } from './retention';
import { startScheduledJob } from './scheduled-job';
import type { DbHandle } from './sql-runner';

export interface RetentionJobOptions {
  db: DbHandle;
  schema: string;
  logger: Logger;
  /** Default hourly. */
  intervalMs?: number;
  /** Sent outbox rows are kept this long for diagnosis. Default 7 days. */
  outboxDays?: number;
  /**
   * Inbox rows are the duplicate filter: keep them longer than any redelivery or DLQ replay can take.
   * Default 14 days.
   */
  inboxDays?: number;
}

/**
 * Outbox and inbox clean-up (docs/architecture.md#jobs), once per interval across the replicas (startScheduledJob: an advisory
 * lock keyed on the schema, and the period claimed in `_job_runs`). stop() waits for a run in progress.
 */
export function startRetentionJob(opts: RetentionJobOptions): { stop(): Promise<void>; runNow(): Promise<void> } {
  const job = startScheduledJob({
    name: 'retention',
    db: opts.db,
    schema: opts.schema,
    intervalMs: opts.intervalMs ?? 3_600_000,
    logger: opts.logger,
    run: async () => {
      const outbox = await cleanupOutbox(opts.db, { schema: opts.schema, olderThanDays: opts.outboxDays ?? 7 });
      const inbox = await cleanupInbox(opts.db, { schema: opts.schema, olderThanDays: opts.inboxDays ?? 14 });
      if (outbox + inbox > 0) opts.logger.info({ outbox, inbox }, 'retention: old outbox and inbox rows deleted');
    },
  });
  return { runNow: async () => void (await job.runNow()), stop: () => job.stop() };
}
