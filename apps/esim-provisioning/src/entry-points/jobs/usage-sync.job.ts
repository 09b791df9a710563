/**
 * Runs the eSIM usage and expiry sync a little after start and then every interval (daily by default), once per
 * interval across the replicas (startScheduledJob of @ttelgo/db: an advisory lock keyed by schema, and the period
 * claimed in `_job_runs`). Runs within one process are serialised. stop() aborts a running sync between two eSIMs
 * (a run can last many minutes) and waits for it to end; so does losing the lock's connection mid-run.
 */
import { startScheduledJob, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { SyncUsageResult, SyncUsageUseCase } from '../../application/sync-usage.use-case';

export type UsageSyncRunResult = SyncUsageResult | { status: 'skipped' } | { status: 'failed'; error: string };

export interface UsageSyncJob {
  /** Runs a sync now (after any running one); 'skipped' when another replica holds the lock. */
  runNow(): Promise<UsageSyncRunResult>;
  stop(): Promise<void>;
}

export function startUsageSyncJob(opts: {
  useCase: SyncUsageUseCase;
  lockDb: DbHandle;
  /** The service's schema: the lock key and `_job_runs` are in it. */
  schema: string;
  intervalMs: number;
  /** The first run after start: soon, but not in the middle of a rolling deploy's start-up. */
  firstRunDelayMs: number;
  logger: Logger;
}): UsageSyncJob {
  const job = startScheduledJob({
    name: 'usage-sync',
    db: opts.lockDb,
    schema: opts.schema,
    intervalMs: opts.intervalMs,
    firstRunDelayMs: opts.firstRunDelayMs,
    run: (signal) => opts.useCase.execute(signal),
    logger: opts.logger,
  });
  return {
    async runNow() {
      const run = await job.runNow();
      if (run.status === 'ran') return run.value;
      return run;
    },
    stop: () => job.stop(),
  };
}
