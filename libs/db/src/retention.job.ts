import type { Logger } from '@ttelgo/observability';
import { withAdvisoryLock } from './advisory-lock';
import { cleanupInbox, cleanupOutbox } from './retention';
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
 * Outbox and inbox clean-up (DESIGN.md §6), one replica at a time through an advisory lock keyed on the schema.
 * Returns a stop function that waits for a run in progress.
 */
export function startRetentionJob(opts: RetentionJobOptions): { stop(): Promise<void>; runNow(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 3_600_000;
  let running: Promise<void> | undefined;
  const run = (): Promise<void> => {
    running ??= (async () => {
      try {
        await withAdvisoryLock(opts.db, `${opts.schema}:retention`, async () => {
          const outbox = await cleanupOutbox(opts.db, { schema: opts.schema, olderThanDays: opts.outboxDays ?? 7 });
          const inbox = await cleanupInbox(opts.db, { schema: opts.schema, olderThanDays: opts.inboxDays ?? 14 });
          if (outbox + inbox > 0) opts.logger.info({ outbox, inbox }, 'retention: old outbox and inbox rows deleted');
        });
      } catch (err) {
        opts.logger.warn({ err }, 'retention run failed; next run in an interval');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return {
    runNow: run,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
