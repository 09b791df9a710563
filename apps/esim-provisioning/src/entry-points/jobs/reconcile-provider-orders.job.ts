/**
 * Runs the provider-order reconciliation every interval, in one replica at a time (advisory lock keyed by
 * schema, so services in other schemas never collide). Runs within one process are serialised.
 */
import { withAdvisoryLock, type DbHandle } from '@ttelgo/db';
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
  lockKey: string;
  intervalMs: number;
  logger: Logger;
}): ReconcileJob {
  const log = opts.logger.child({ job: 'reconcile-provider-orders' });
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const once = async (): Promise<ReconcileResult | undefined> => {
    try {
      return await withAdvisoryLock(opts.lockDb, opts.lockKey, () => opts.useCase.execute());
    } catch (err) {
      log.error({ err }, 'provider order reconciliation run failed');
      return undefined;
    }
  };

  const runNow = (): Promise<ReconcileResult | undefined> => {
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
