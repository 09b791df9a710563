import type { Logger } from '@ttelgo/observability';

export interface DeliveryJob {
  /** Makes idle workers look for due work now (the LISTEN wake-up calls it). */
  wake(): void;
  /** Lets attempts in progress finish and record their outcome, then returns. */
  stop(): Promise<void>;
}

/**
 * `concurrency` workers, each running one delivery attempt per transaction until none is due, then sleeping
 * until woken (LISTEN) or for `pollIntervalMs` (which is what picks up retries when they fall due). Shared by
 * the e-mail and webhook channels.
 */
export function startDeliveryJob(opts: {
  name: string;
  deliverNext: () => Promise<boolean>;
  concurrency: number;
  pollIntervalMs: number;
  logger: Logger;
}): DeliveryJob {
  const log = opts.logger.child({ job: opts.name });
  let stopping = false;
  const sleepers = new Set<() => void>();
  let wakePending = 0;

  const wake = (): void => {
    if (sleepers.size === 0) {
      // Every worker is busy; the one that finishes first looks again instead of sleeping.
      wakePending = opts.concurrency;
      return;
    }
    for (const resume of [...sleepers]) resume();
  };

  const sleep = (ms: number): Promise<void> => {
    if (stopping) return Promise.resolve();
    if (wakePending > 0) {
      wakePending -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  };

  const worker = async (index: number): Promise<void> => {
    let failures = 0;
    while (!stopping) {
      try {
        while (!stopping && (await opts.deliverNext())) failures = 0;
        failures = 0;
        await sleep(opts.pollIntervalMs);
      } catch (err) {
        failures += 1;
        log.error({ err, worker: index, failures }, 'delivery loop failed (database unreachable?); backing off');
        await sleep(Math.min(30_000, opts.pollIntervalMs * 2 ** Math.min(failures, 5)));
      }
    }
  };

  const workers = Array.from({ length: opts.concurrency }, (_, i) => worker(i));
  log.info({ concurrency: opts.concurrency, pollIntervalMs: opts.pollIntervalMs }, 'delivery job started');

  let stopped: Promise<void> | undefined;
  return {
    wake,
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        for (const resume of [...sleepers]) resume();
        await Promise.allSettled(workers);
        log.info('delivery job stopped');
      })();
      return stopped;
    },
  };
}
