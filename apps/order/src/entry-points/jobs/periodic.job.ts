/**
 * A job that runs every interval, once per interval across the replicas (startScheduledJob of @ttelgo/db: an
 * advisory lock, and the period claimed in the schema's `_job_runs`). runNow() waits for a running one.
 */
import { startScheduledJob, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';

export interface PeriodicJob {
  /** Runs the job now (after any running one); resolves when that run ended, successfully or not. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startPeriodicJob(opts: {
  name: string;
  intervalMs: number;
  lockDb: DbHandle;
  /** The service's schema: the lock key and `_job_runs` are in it. */
  schema: string;
  run: () => Promise<unknown>;
  logger: Logger;
}): PeriodicJob {
  const job = startScheduledJob({ name: opts.name, db: opts.lockDb, schema: opts.schema, intervalMs: opts.intervalMs, run: opts.run, logger: opts.logger });
  return {
    runNow: async () => void (await job.runNow()),
    stop: () => job.stop(),
  };
}
