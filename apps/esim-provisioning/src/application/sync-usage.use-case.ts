/**
 * The daily eSIM usage and expiry sync (DESIGN.md §6), behind the usage callbacks and get-esim's refresh-on-read:
 *
 * 1. Expiry, no eSIM Go call: unfinished eSIMs whose end REPORTED by eSIM Go has passed become Expired
 *    (domain/usage-sync.ts), in batches. Later runs skip them, and alerts no longer change them.
 * 2. Pull: unfinished eSIMs whose usage is older than `staleAfterMs` (never synced first, then the oldest), in
 *    keyset batches, one eSIM Go call at a time through the shared client (rate limit, breaker, retries), paced
 *    at `callsPerSecond` so purchases and reads keep most of eSIM Go's 10 requests/s; at most `maxPerRun` calls.
 *    A run stops early when the breaker is open (eSIM Go is down: the next run catches up) or on shutdown.
 *
 * A pull never overwrites a newer value: the write is conditional on `usage_synced_at` still being what was read
 * before the call (a callback or a get-esim refresh that landed meanwhile wins), and stores the time the call
 * started as `usage_synced_at` (eSIM Go's answer describes that moment or later, so any alert after it may apply).
 */
import type { Logger } from '@ttelgo/observability';
import { decideUsageSync, pacingDelayMs, usageSyncCutoff } from '../domain/usage-sync';
import type { ProvisioningRepository, UsageSyncCursor } from '../infrastructure/provisioning.repository';
import type { ProvisioningProvider } from './provisioning-provider.port';

export interface SyncUsageOptions {
  /** Usage older than this is pulled (e.g. 20 h for a daily run). */
  staleAfterMs: number;
  /** At most this many eSIM Go calls per run. */
  maxPerRun: number;
  /** Rows read per query. */
  batchSize: number;
  /** The run's own pace, below the shared eSIM Go budget. */
  callsPerSecond: number;
}

export interface SyncUsageDeps extends SyncUsageOptions {
  repository: Pick<ProvisioningRepository, 'expireReportedEnds' | 'dueForUsageSync' | 'replacePulledUsage'>;
  provider: Pick<ProvisioningProvider, 'usage'>;
  /** True while the eSIM Go breaker is open: calls would fail fast, so the run stops. */
  providerUnavailable: () => boolean;
  logger: Logger;
  now?: () => Date;
}

export type SyncUsageStop = 'done' | 'max-per-run' | 'breaker-open' | 'shutdown';

export interface SyncUsageResult {
  status: 'completed';
  /** Ended without a call (reported end passed). */
  expired: number;
  /** eSIM Go calls made. */
  pulled: number;
  /** Pulled and stored. */
  refreshed: number;
  /** Pulled, but a newer value (callback, read refresh) was stored meanwhile: kept. */
  superseded: number;
  /** eSIM Go shows no such bundle on the eSIM: left as is. */
  notFound: number;
  /** The call failed (after the client's retries): left stale for the next run. */
  failed: number;
  stoppedBy: SyncUsageStop;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class SyncUsageUseCase {
  private readonly now: () => Date;

  constructor(private readonly deps: SyncUsageDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async execute(signal?: AbortSignal): Promise<SyncUsageResult> {
    const { repository, batchSize, maxPerRun, staleAfterMs, logger } = this.deps;
    const result: SyncUsageResult = { status: 'completed', expired: 0, pulled: 0, refreshed: 0, superseded: 0, notFound: 0, failed: 0, stoppedBy: 'done' };
    const startedAt = this.now();

    for (;;) {
      if (signal?.aborted) return this.finish(result, 'shutdown');
      const ended = await repository.expireReportedEnds(startedAt, batchSize);
      result.expired += ended.length;
      if (ended.length > 0) logger.info({ iccids: ended }, 'eSIMs expired: their bundle end reported by eSIM Go has passed');
      if (ended.length < batchSize) break;
    }

    const syncedBefore = usageSyncCutoff(startedAt, staleAfterMs);
    let after: UsageSyncCursor | undefined;
    let lastCallAtMs: number | undefined;
    for (;;) {
      const limit = Math.min(batchSize, maxPerRun - result.pulled);
      if (limit <= 0) return this.finish(result, 'max-per-run');
      const batch = await repository.dueForUsageSync({ syncedBefore, limit, ...(after ? { after } : {}) });
      if (batch.length === 0) return this.finish(result, 'done');
      for (const esim of batch) {
        after = { usageSyncedAt: esim.usageSyncedAt, iccid: esim.iccid };
        // Selected by the same rule; an eSIM that ended since the expiry step is left to eSIM Go's answer.
        const decision = decideUsageSync(esim, startedAt, staleAfterMs);
        if (decision === 'FINISHED' || decision === 'FRESH') continue;
        if (signal?.aborted) return this.finish(result, 'shutdown');
        if (this.deps.providerUnavailable()) return this.finish(result, 'breaker-open');
        await sleep(pacingDelayMs(lastCallAtMs, Date.now(), this.deps.callsPerSecond), signal);
        if (signal?.aborted) return this.finish(result, 'shutdown');
        lastCallAtMs = Date.now();
        const pulledAt = this.now();
        result.pulled += 1;
        let usage;
        try {
          usage = await this.deps.provider.usage(esim.iccid, esim.bundleName, esim.providerReference);
        } catch (err) {
          result.failed += 1;
          logger.warn({ err, iccid: esim.iccid }, 'usage sync: eSIM Go call failed; left for the next run');
          continue;
        }
        if (!usage) {
          result.notFound += 1;
          logger.warn({ iccid: esim.iccid, bundleName: esim.bundleName }, 'usage sync: eSIM Go shows no such bundle on the eSIM');
          continue;
        }
        const written = await repository.replacePulledUsage(esim.iccid, esim.usageSyncedAt, { ...usage, syncedAt: pulledAt });
        if (written) result.refreshed += 1;
        else result.superseded += 1;
      }
    }
  }

  private finish(result: SyncUsageResult, stoppedBy: SyncUsageStop): SyncUsageResult {
    result.stoppedBy = stoppedBy;
    const level = stoppedBy === 'breaker-open' ? 'warn' : 'info';
    this.deps.logger[level](result, stoppedBy === 'breaker-open' ? 'usage sync stopped early: eSIM Go breaker open' : 'usage sync run finished');
    return result;
  }
}
