/**
 * A job that runs every interval, in one replica at a time (DESIGN.md §6): each run takes a Postgres advisory
 * lock and is skipped where another replica holds it. Within one process runs are serialised, so runNow()
 * waits for a running one instead of overlapping it.
 */
import { withAdvisoryLock, type DbHandle } from '@ttelgo/db';
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
  /** Advisory locks are database-wide: the key includes the schema, so other schemas' services never collide. */
  lockKey: string;
  run: () => Promise<unknown>;
  logger: Logger;
}): PeriodicJob {
  const log = opts.logger.child({ job: opts.name });
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<void> => {
    try {
      const result = await withAdvisoryLock(opts.lockDb, opts.lockKey, async () => ({ ran: true, value: await opts.run() }));
      if (!result) log.debug('skipped: another replica holds the lock');
    } catch (err) {
      // Postgres away, say: the next run tries again.
      log.error({ err }, 'job run failed');
    }
  };

  const runNow = (): Promise<void> => {
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
