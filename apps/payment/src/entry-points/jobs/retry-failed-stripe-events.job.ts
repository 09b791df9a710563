/**
 * Runs the Stripe event retry every interval (DESIGN.md §6: every 5 min), in one replica at a time: the run takes
 * a Postgres advisory lock and is skipped where another replica holds it. Runs within one process are
 * serialised, so runNow() waits for a running one.
 */
import { withAdvisoryLock, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { RetryFailedStripeEventsUseCase, RetryResult } from '../../application/retry-failed-stripe-events.use-case';

export type RetryRun = RetryResult | { skipped: true } | { error: string };

export interface RetryFailedStripeEventsJob {
  runNow(): Promise<RetryRun>;
  stop(): Promise<void>;
}

export function startRetryFailedStripeEventsJob(opts: {
  useCase: RetryFailedStripeEventsUseCase;
  lockDb: DbHandle;
  /** Advisory locks are database-wide: the key names the schema. */
  lockKey: string;
  intervalMs: number;
  logger: Logger;
}): RetryFailedStripeEventsJob {
  const log = opts.logger.child({ job: 'retry-failed-stripe-events' });
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<RetryRun> => {
    try {
      return (await withAdvisoryLock(opts.lockDb, opts.lockKey, () => opts.useCase.execute())) ?? { skipped: true };
    } catch (err) {
      log.error({ err }, 'Stripe event retry run failed');
      return { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  };

  const runNow = (): Promise<RetryRun> => {
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
