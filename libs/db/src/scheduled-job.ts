/**
 * A job that runs every interval, once per interval across all replicas of its service. Each scheduled run takes a
 * Postgres advisory lock (no two runs overlap) and claims the period in `_job_runs` (./job-runs: a replica whose
 * timer fires shortly after another replica ran the job skips its turn). runNow(), for operators and tests, only
 * takes the lock: it runs even if the period was already served. Within one process runs are serialised: runNow()
 * waits for a running one instead of overlapping it. stop() aborts the run's signal and waits for it to end.
 *
 * The run's signal also aborts when the lock's connection dies mid-run (the lock went with it): a long job stops at
 * its next step; the next tick, here or in another replica, starts again.
 */
import type { Logger } from 'pino';
import { withAdvisoryLock } from './advisory-lock';
import type { DbHandle } from './sql-runner';

export type ScheduledRun<T> = { status: 'ran'; value: T } | { status: 'skipped' } | { status: 'failed'; error: string };

export interface ScheduledJob<T> {
  /** Runs the job now (after any running one), even if this period's run happened already. */
  runNow(): Promise<ScheduledRun<T>>;
  stop(): Promise<void>;
}

export interface ScheduledJobOptions<T> {
  /** For logs, and part of the lock key. */
  name: string;
  /** Where the lock and `_job_runs` live: the service's database and schema. */
  db: DbHandle;
  schema: string;
  intervalMs: number;
  /** Delay of the first scheduled run (default: one interval). 0 runs it at start. */
  firstRunDelayMs?: number;
  run: (signal: AbortSignal) => Promise<T>;
  logger: Logger;
}

export function startScheduledJob<T>(opts: ScheduledJobOptions<T>): ScheduledJob<T> {
  const log = opts.logger.child({ job: opts.name });
  // Advisory locks are database-wide: the key names the schema, so services in other schemas never collide.
  const key = `${opts.schema}:${opts.name}`;
  const shutdown = new AbortController();
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (scheduled: boolean): Promise<ScheduledRun<T>> => {
    if (shutdown.signal.aborted) return { status: 'skipped' };
    try {
      const ran = await withAdvisoryLock(opts.db, key, async (lock) => ({ value: await opts.run(AbortSignal.any([shutdown.signal, lock.signal])) }), {
        logger: log,
        ...(scheduled ? { oncePer: { schema: opts.schema, periodMs: opts.intervalMs } } : {}),
      });
      if (!ran) {
        log.debug('skipped: another replica runs it, or ran it this period');
        return { status: 'skipped' };
      }
      return { status: 'ran', value: ran.value };
    } catch (err) {
      // Postgres away, say: the next tick tries again.
      log.error({ err }, 'job run failed');
      return { status: 'failed', error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  const enqueue = (scheduled: boolean): Promise<ScheduledRun<T>> => {
    const run = chain.then(() => once(scheduled));
    chain = run.catch(() => undefined);
    return run;
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void enqueue(true).finally(() => schedule(opts.intervalMs)), delayMs);
    timer.unref();
  };
  schedule(opts.firstRunDelayMs ?? opts.intervalMs);

  return {
    runNow: () => enqueue(false),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      shutdown.abort();
      await chain;
    },
  };
}
