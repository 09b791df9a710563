/**
 * What the daily usage sync does with one bundle on one of our eSIMs (each bundle, top-ups included, is its own
 * eSIM Go assignment with its own usage and end):
 *
 * - Finished (EXPIRED, REVOKED): nothing changes any more; never asked again.
 * - Its end has passed and that end was REPORTED by eSIM Go (a push or a pull stored it): EXPIRED, without a
 *   call. An estimated end (assignment time + the catalogue's duration) does not count: eSIM Go starts a bundle
 *   at its first use, so the estimate is only a lower bound; such a bundle is pulled like any other and eSIM Go
 *   says whether it ended.
 * - Usage older than the threshold (or never synced): pulled from eSIM Go.
 * - Otherwise it is fresh (a recent alert, read or sync): left alone.
 *
 * The repository's queries select by the same rules (final states); this function is the reference and the use
 * case checks every selected row with it.
 */
import { isFinalBundleState, type BundleState } from './esim-bundle';

/** eSIM Go bundle states after which an assignment's usage can no longer change. */
export const FINISHED_USAGE_STATES: readonly string[] = ['Expired', 'Revoked', 'Lapsed'];

export function isUsageFinished(usageState: string): boolean {
  return FINISHED_USAGE_STATES.includes(usageState);
}

export interface UsageSyncFacts {
  state: BundleState;
  usageSyncedAt: Date | null;
  endsAt: Date | null;
  endsAtReported: boolean;
}

export type UsageSyncDecision = 'FINISHED' | 'EXPIRE' | 'PULL' | 'FRESH';

export function decideUsageSync(bundle: UsageSyncFacts, now: Date, staleAfterMs: number): UsageSyncDecision {
  if (isFinalBundleState(bundle.state)) return 'FINISHED';
  if (bundle.endsAtReported && bundle.endsAt !== null && bundle.endsAt.getTime() <= now.getTime()) return 'EXPIRE';
  if (bundle.usageSyncedAt === null || bundle.usageSyncedAt.getTime() < usageSyncCutoff(now, staleAfterMs).getTime()) return 'PULL';
  return 'FRESH';
}

/** Usage synced before this instant is stale. */
export function usageSyncCutoff(now: Date, staleAfterMs: number): Date {
  return new Date(now.getTime() - staleAfterMs);
}

/** How long to wait before the next eSIM Go call so the sync stays at `callsPerSecond` (0 = go now). */
export function pacingDelayMs(lastCallAtMs: number | undefined, nowMs: number, callsPerSecond: number): number {
  if (lastCallAtMs === undefined) return 0;
  const interval = 1000 / callsPerSecond;
  return Math.max(0, Math.ceil(lastCallAtMs + interval - nowMs));
}
