/**
 * Runs the catalogue sync at start and every interval, once per interval across the replicas (startScheduledJob of
 * @ttelgo/db: an advisory lock, and the period claimed in `_job_runs`): a replica that starts shortly after another
 * one synced does not sync again; the snapshot of every replica follows the synced revision within seconds. Within
 * one process, runs (the timer and syncCatalogueNow()) are serialised, so a manual sync waits for a running one
 * instead of being skipped.
 */
import { startScheduledJob, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { SyncCatalogueUseCase, SyncResult } from '../../application/sync-catalogue.use-case';

export interface CatalogueSyncJobOptions {
  useCase: SyncCatalogueUseCase;
  /** Where the advisory lock lives: the service's database. */
  lockDb: DbHandle;
  /** The service's schema: the lock key and `_job_runs` are in it. */
  schema: string;
  intervalMs: number;
  logger: Logger;
  /** Called after a successful sync of this replica (to refresh the in-memory snapshot at once). */
  afterSync?: (result: SyncResult) => Promise<void>;
}

export interface CatalogueSyncJob {
  /** Runs a sync now (after any running one); 'skipped' when another replica is syncing. */
  runNow(): Promise<SyncResult>;
  stop(): Promise<void>;
}

export function startCatalogueSyncJob(opts: CatalogueSyncJobOptions): CatalogueSyncJob {
  const log = opts.logger.child({ job: 'catalogue-sync' });
  const job = startScheduledJob({
    name: 'catalogue-sync',
    db: opts.lockDb,
    schema: opts.schema,
    intervalMs: opts.intervalMs,
    firstRunDelayMs: 0,
    logger: opts.logger,
    run: async () => {
      const result = await opts.useCase.execute();
      if (result.status === 'synced') await opts.afterSync?.(result);
      return result;
    },
  });
  return {
    async runNow() {
      const run = await job.runNow();
      if (run.status === 'ran') return run.value;
      if (run.status === 'failed') return { status: 'failed', error: run.error };
      log.info('catalogue sync skipped: another replica holds the lock');
      return { status: 'skipped', reason: 'another replica is syncing the catalogue' };
    },
    stop: () => job.stop(),
  };
}
