/**
 * Runs the catalogue sync at start and every interval. One replica at a time (DESIGN.md §6): the run takes a
 * Postgres advisory lock and is skipped where another replica holds it. Within one process, runs (the timer
 * and syncCatalogueNow()) are serialised, so a manual sync waits for a running one instead of being skipped.
 */
import { withAdvisoryLock, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { SyncCatalogueUseCase, SyncResult } from '../../application/sync-catalogue.use-case';

export interface CatalogueSyncJobOptions {
  useCase: SyncCatalogueUseCase;
  /** Where the advisory lock lives: the service's database. */
  lockDb: DbHandle;
  /** Advisory locks are database-wide: the key includes the schema, so other schemas' services never collide. */
  lockKey: string;
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
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<SyncResult> => {
    try {
      const result =
        (await withAdvisoryLock(opts.lockDb, opts.lockKey, () => opts.useCase.execute())) ??
        ({ status: 'skipped', reason: 'another replica is syncing the catalogue' } as const);
      if (result.status === 'skipped') log.info('catalogue sync skipped: another replica holds the lock');
      if (result.status === 'synced') await opts.afterSync?.(result);
      return result;
    } catch (err) {
      // Postgres unreachable for the lock or the transaction: the next run tries again.
      log.error({ err }, 'catalogue sync run failed');
      return { status: 'failed', error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  const runNow = (): Promise<SyncResult> => {
    const run = chain.then(once);
    chain = run.catch(() => undefined);
    return run;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  };

  void runNow().finally(schedule);

  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain;
    },
  };
}
