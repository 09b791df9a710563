/**
 * Hourly housekeeping (DESIGN.md §6): expired idempotency records (24 h) and refresh tokens expired for a week.
 * One replica at a time: the run takes a Postgres advisory lock and is skipped where another replica holds it.
 */
import { withAdvisoryLock, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';

export interface CleanupJobOptions {
  lockDb: DbHandle;
  /** Advisory locks are database-wide: the key includes the schema. */
  lockKey: string;
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
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<Record<string, number> | undefined> => {
    try {
      const result = await withAdvisoryLock(opts.lockDb, opts.lockKey, async () => {
        const deleted: Record<string, number> = {};
        for (const [name, task] of Object.entries(opts.tasks)) deleted[name] = await task();
        return deleted;
      });
      if (result) log.info({ deleted: result }, 'cleanup done');
      return result;
    } catch (err) {
      log.error({ err }, 'cleanup run failed');
      return undefined;
    }
  };

  const runNow = (): Promise<Record<string, number> | undefined> => {
    const run = chain.then(once);
    chain = run.catch(() => undefined);
    return run;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void runNow().finally(schedule), opts.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    runNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain;
    },
  };
}
