/**
 * Runs the Stripe event retry every interval (every 5 min: docs/architecture.md#jobs), once per interval across the replicas
 * (startScheduledJob of @ttelgo/db: an advisory lock, and the period claimed in `_job_runs`). runNow() waits for a
 * running one.
 */
import { startScheduledJob, type DbHandle } from '@ttelgo/db';
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
  /** The service's schema: the lock key and `_job_runs` are in it. */
  schema: string;
  intervalMs: number;
  logger: Logger;
}): RetryFailedStripeEventsJob {
  const job = startScheduledJob({
    name: 'stripe-event-retry',
    db: opts.lockDb,
    schema: opts.schema,
    intervalMs: opts.intervalMs,
    run: () => opts.useCase.execute(),
    logger: opts.logger,
  });
  return {
    async runNow() {
      const run = await job.runNow();
      if (run.status === 'ran') return run.value;
      return run.status === 'skipped' ? { skipped: true } : { error: run.error };
    },
    stop: () => job.stop(),
  };
}
