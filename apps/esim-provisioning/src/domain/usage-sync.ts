/**
 * What the daily usage sync does with one of our eSIMs. Usage states are eSIM Go's bundleState names, stored
 * as they come (the public `usage.state` is that string, or UNKNOWN before the first sync):
 *
 * - Finished (Expired, Revoked, Lapsed): nothing changes any more; never asked again.
 * - Its bundle end has passed and that end was REPORTED by eSIM Go (a push or a pull stored it): Expired, without
 *   a call. An estimated end (provisioning time + the catalogue's duration) does not count: eSIM Go starts a
 *   bundle at its first use, so the estimate is only a lower bound; such an eSIM is pulled like any other and
 *   eSIM Go says whether it ended.
 * - Usage older than the threshold (or never synced): pulled from eSIM Go.
 * - Otherwise it is fresh (a recent alert, read or sync): left alone.
 *
 * The repository's queries select by the same rules (FINISHED_USAGE_STATES); this function is the reference and
 * the use case checks every selected row with it.
 */

/** eSIM Go bundle states after which usage can no longer change (we never top up an ICCID). */
export const FINISHED_USAGE_STATES: readonly string[] = ['Expired', 'Revoked', 'Lapsed'];
/** The state the sync gives an eSIM whose reported end has passed: eSIM Go's own name for it. */
export const EXPIRED_USAGE_STATE = 'Expired';

export function isUsageFinished(usageState: string): boolean {
  return FINISHED_USAGE_STATES.includes(usageState);
}

export interface UsageSyncFacts {
  usageState: string;
  usageSyncedAt: Date | null;
  expiresAt: Date | null;
  expiresAtReported: boolean;
}

export type UsageSyncDecision = 'FINISHED' | 'EXPIRE' | 'PULL' | 'FRESH';

export function decideUsageSync(esim: UsageSyncFacts, now: Date, staleAfterMs: number): UsageSyncDecision {
  if (isUsageFinished(esim.usageState)) return 'FINISHED';
  if (esim.expiresAtReported && esim.expiresAt !== null && esim.expiresAt.getTime() <= now.getTime()) return 'EXPIRE';
  if (esim.usageSyncedAt === null || esim.usageSyncedAt.getTime() < usageSyncCutoff(now, staleAfterMs).getTime()) return 'PULL';
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
