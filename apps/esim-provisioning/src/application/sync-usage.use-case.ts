/**
 * The daily eSIM usage and expiry sync (docs/architecture.md#jobs), behind the usage callbacks and get-esim's refresh-on-read.
 * It works on bundles (each eSIM's own and every top-up: one eSIM Go assignment each):
 *
 * 1. Expiry, no eSIM Go call: unfinished bundles whose end REPORTED by eSIM Go has passed become EXPIRED
 *    (domain/usage-sync.ts), in batches. Later runs skip them, and alerts no longer change them. Then the
 *    bundles whose reported end is within 24 hours get their "expires soon" notice (domain/bundle-notices.ts).
 * 2. Pull: unfinished bundles whose usage is older than `staleAfterMs` (never synced first, then the oldest), in
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
import type { EsimsRepository, UsageSyncCursor } from '../infrastructure/esims.repository';
import { EXPIRING_WINDOW_MS } from '../domain/bundle-notices';
import { BundleUsageWriter, writePulledUsage } from './bundle-usage';
import type { BundleNoticeRecorder } from './record-bundle-notices';
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
  repository: Pick<
    EsimsRepository,
    'reportedEndsBy' | 'markExpired' | 'endingUnwarned' | 'dueForUsageSync' | 'transaction' | 'durationDays' | 'lockEsim' | 'replaceUsage' | 'replacePulledUsage' | 'refreshEsim'
  >;
  /** Usage and expiry notices (absent: none are sent). */
  notices?: Pick<BundleNoticeRecorder, 'afterChange'>;
  provider: Pick<ProvisioningProvider, 'bundles'>;
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
  /** Bundles whose reported end is within 24 hours, looked at for an "expires soon" notice without a call. */
  endingSoon: number;
  /** eSIM Go calls made. */
  pulled: number;
  /** Pulled and stored. */
  refreshed: number;
  /** Pulled, but a newer value (callback, read refresh) was stored meanwhile: kept. */
  superseded: number;
  /** eSIM Go shows no such bundle on the eSIM (or we hold no such eSIM any more): left as is. */
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
  private readonly writer: BundleUsageWriter;

  constructor(private readonly deps: SyncUsageDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = new BundleUsageWriter(deps.repository, deps.notices);
  }

  async execute(signal?: AbortSignal): Promise<SyncUsageResult> {
    const { repository, batchSize, maxPerRun, staleAfterMs, logger } = this.deps;
    const result: SyncUsageResult = { status: 'completed', expired: 0, endingSoon: 0, pulled: 0, refreshed: 0, superseded: 0, notFound: 0, failed: 0, stoppedBy: 'done' };
    const startedAt = this.now();

    let endedAfter: { endsAt: Date; id: string } | undefined;
    for (;;) {
      if (signal?.aborted) return this.finish(result, 'shutdown');
      const due = await repository.reportedEndsBy(startedAt, batchSize, endedAfter);
      const ended: string[] = [];
      for (const bundle of due) {
        endedAfter = { endsAt: bundle.endsAt, id: bundle.id };
        const expired = await repository.transaction(async (tx) => {
          if (!(await repository.lockEsim(tx, bundle.iccid))) return false;
          if (!(await repository.markExpired(tx, bundle.id, startedAt))) return false;
          await repository.refreshEsim(tx, bundle.iccid, null);
          await this.deps.notices?.afterChange(tx, bundle.id);
          return true;
        });
        if (expired) ended.push(bundle.iccid);
      }
      result.expired += ended.length;
      if (ended.length > 0) logger.info({ iccids: ended }, 'bundles expired: their end reported by eSIM Go has passed');
      if (due.length < batchSize) break;
    }

    // "Expires within 24 hours", without a call: the end eSIM Go reported is stored (a daily run sees each one).
    if (this.deps.notices) {
      const notices = this.deps.notices;
      let endingAfter: { endsAt: Date; id: string } | undefined;
      for (;;) {
        if (signal?.aborted) return this.finish(result, 'shutdown');
        const ending = await repository.endingUnwarned(startedAt, new Date(startedAt.getTime() + EXPIRING_WINDOW_MS), batchSize, endingAfter);
        for (const bundle of ending) {
          endingAfter = { endsAt: bundle.endsAt, id: bundle.id };
          await repository.transaction(async (tx) => {
            if (await repository.lockEsim(tx, bundle.iccid)) await notices.afterChange(tx, bundle.id);
          });
        }
        result.endingSoon += ending.length;
        if (ending.length < batchSize) break;
      }
    }

    const syncedBefore = usageSyncCutoff(startedAt, staleAfterMs);
    let after: UsageSyncCursor | undefined;
    let lastCallAtMs: number | undefined;
    for (;;) {
      const limit = Math.min(batchSize, maxPerRun - result.pulled);
      if (limit <= 0) return this.finish(result, 'max-per-run');
      const batch = await repository.dueForUsageSync({ syncedBefore, limit, ...(after ? { after } : {}) });
      if (batch.length === 0) return this.finish(result, 'done');
      for (const bundle of batch) {
        after = { usageSyncedAt: bundle.usageSyncedAt, id: bundle.id };
        // Selected by the same rule; a bundle that ended since the expiry step is left to eSIM Go's answer.
        const decision = decideUsageSync(bundle, startedAt, staleAfterMs);
        if (decision === 'FINISHED' || decision === 'FRESH') continue;
        if (signal?.aborted) return this.finish(result, 'shutdown');
        if (this.deps.providerUnavailable()) return this.finish(result, 'breaker-open');
        await sleep(pacingDelayMs(lastCallAtMs, Date.now(), this.deps.callsPerSecond), signal);
        if (signal?.aborted) return this.finish(result, 'shutdown');
        lastCallAtMs = Date.now();
        const pulledAt = this.now();
        result.pulled += 1;
        let assignments;
        try {
          assignments = await this.deps.provider.bundles(bundle.iccid);
        } catch (err) {
          result.failed += 1;
          logger.warn({ err, iccid: bundle.iccid, bundleId: bundle.id }, 'usage sync: eSIM Go call failed; left for the next run');
          continue;
        }
        const written = await writePulledUsage(
          { repository, writer: this.writer },
          bundle.iccid,
          new Map([[bundle.id, bundle.usageSyncedAt]]),
          assignments,
          pulledAt,
        );
        if (written.notFound.length > 0) {
          result.notFound += 1;
          logger.warn({ iccid: bundle.iccid, bundleId: bundle.id, bundleName: bundle.bundleName }, 'usage sync: eSIM Go shows no such bundle on the eSIM');
        } else if (written.refreshed.length > 0) result.refreshed += 1;
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
