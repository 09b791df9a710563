import type { DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { ReconcileStuckOrdersUseCase } from '../../application/reconcile-stuck-orders.use-case';
import { startPeriodicJob, type PeriodicJob } from './periodic.job';

/** Every ORDER_RECONCILE_INTERVAL_MS: orders stuck longer than ORDER_STUCK_AFTER_MS are re-driven. */
export function startReconcileStuckOrdersJob(opts: { useCase: ReconcileStuckOrdersUseCase; lockDb: DbHandle; schema: string; intervalMs: number; logger: Logger }): PeriodicJob {
  return startPeriodicJob({
    name: 'reconcile-stuck-orders',
    intervalMs: opts.intervalMs,
    lockDb: opts.lockDb,
    schema: opts.schema,
    run: () => opts.useCase.execute(),
    logger: opts.logger,
  });
}
