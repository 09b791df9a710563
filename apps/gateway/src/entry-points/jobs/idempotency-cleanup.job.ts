/**
 * Hourly housekeeping (docs/architecture.md#jobs): expired idempotency records (24 h) and refresh tokens expired for a week.
 * Once per interval across the replicas (startScheduledJob of @ttelgo/db: an advisory lock, and the period claimed
 * in `_job_runs`).
 */
import { startScheduledJob, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';

export interface CleanupJobOptions {
  lockDb: DbHandle;
  /** The service's schema: the lock key and `_job_runs` are in it. */
  schema: string;
  intervalMs: number;
  logger: Logger;
  tasks: Record<string, () => Promise<number>>;
}

export interface CleanupJob {
  /** Runs now (after a running one); undefined when another replica holds the lock. */
  runNow(): Promise<Record<string, number> | undefined>;
  stop(): Promise<void>;
}

export function startCleanupJob(opts: CleanupJobOptions): CleanupJob {
  const log = opts.logger.child({ job: 'gateway-cleanup' });
  const job = startScheduledJob({
    name: 'gateway-cleanup',
    db: opts.lockDb,
    schema: opts.schema,
    intervalMs: opts.intervalMs,
    logger: opts.logger,
    run: async () => {
      const deleted: Record<string, number> = {};
      for (const [name, task] of Object.entries(opts.tasks)) deleted[name] = await task();
      log.info({ deleted }, 'cleanup done');
      return deleted;
    },
  });
  return {
    runNow: async () => {
      const run = await job.runNow();
      return run.status === 'ran' ? run.value : undefined;
    },
    stop: () => job.stop(),
  };
}
