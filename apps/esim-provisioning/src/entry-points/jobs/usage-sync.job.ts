/**
 * Runs the eSIM usage and expiry sync a little after start and then every interval (daily by default), in one
 * replica at a time (advisory lock keyed by schema, so services in other schemas never collide); a replica that
 * finds the lock taken skips its run. Runs within one process are serialised. stop() aborts a running sync
 * between two eSIMs (a run can last many minutes) and waits for it to end.
 */
import { withAdvisoryLock, type DbHandle } from '@ttelgo/db';
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
  lockKey: string;
  intervalMs: number;
  /** The first run after start: soon, but not in the middle of a rolling deploy's start-up. */
  firstRunDelayMs: number;
  logger: Logger;
}): UsageSyncJob {
  const log = opts.logger.child({ job: 'usage-sync' });
  const shutdown = new AbortController();
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<UsageSyncRunResult> => {
    if (shutdown.signal.aborted) return { status: 'skipped' };
    try {
      const result = await withAdvisoryLock(opts.lockDb, opts.lockKey, () => opts.useCase.execute(shutdown.signal));
      if (!result) {
        log.info('usage sync skipped: another replica holds the lock');
        return { status: 'skipped' };
      }
      return result;
    } catch (err) {
      // Postgres unreachable for the lock or a query: the next run starts again from the oldest.
      log.error({ err }, 'usage sync run failed');
      return { status: 'failed', error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  const runNow = (): Promise<UsageSyncRunResult> => {
    const run = chain.then(once);
    chain = run.catch(() => undefined);
    return run;
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runNow().finally(() => schedule(opts.intervalMs));
    }, delayMs);
    timer.unref();
  };
  schedule(opts.firstRunDelayMs);

  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      shutdown.abort();
      await chain;
    },
  };
}
