/**
 * Runs the provider-order reconciliation every interval, once per interval across the replicas (startScheduledJob
 * of @ttelgo/db: an advisory lock keyed by schema, and the period claimed in `_job_runs`). Runs within one process
 * are serialised.
 */
import { startScheduledJob, type DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { ReconcileProviderOrdersUseCase, ReconcileResult } from '../../application/reconcile-provider-orders.use-case';

export interface ReconcileJob {
  /** Runs now (after any running one); undefined when another replica holds the lock or the run failed. */
  runNow(): Promise<ReconcileResult | undefined>;
  stop(): Promise<void>;
}

export function startReconcileProviderOrdersJob(opts: {
  useCase: ReconcileProviderOrdersUseCase;
  lockDb: DbHandle;
  /** The service's schema: the lock key and `_job_runs` are in it. */
  schema: string;
  intervalMs: number;
  logger: Logger;
}): ReconcileJob {
  const job = startScheduledJob({
    name: 'reconcile-provider-orders',
    db: opts.lockDb,
    schema: opts.schema,
    intervalMs: opts.intervalMs,
    run: () => opts.useCase.execute(),
    logger: opts.logger,
  });
  return {
    runNow: async () => {
      const run = await job.runNow();
      return run.status === 'ran' ? run.value : undefined;
    },
    stop: () => job.stop(),
  };
}
