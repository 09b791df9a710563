import type { DbHandle } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import type { ExpireUnpaidOrdersUseCase } from '../../application/expire-unpaid-orders.use-case';
import { startPeriodicJob, type PeriodicJob } from './periodic.job';

/** Every EXPIRY_SWEEP_INTERVAL_MS: unpaid orders past ORDER_PAYMENT_TIMEOUT_MS are CANCELLED. */
export function startExpireUnpaidOrdersJob(opts: { useCase: ExpireUnpaidOrdersUseCase; lockDb: DbHandle; schema: string; intervalMs: number; logger: Logger }): PeriodicJob {
  return startPeriodicJob({
    name: 'expire-unpaid-orders',
    intervalMs: opts.intervalMs,
    lockDb: opts.lockDb,
    schema: opts.schema,
    run: () => opts.useCase.execute(),
    logger: opts.logger,
  });
}
