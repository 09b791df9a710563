/**
 * Whether an eSIM Go usage alert may replace the usage we store. Alerts arrive late, twice and out of order
 * (eSIM Go retries; our consumer retries), and they carry no id and usually no time of their own, so two rules
 * guard the stored figure:
 *
 * 1. Time: the alert must be newer than the stored observation (`usage_synced_at`, written by alerts and by the
 *    pull refresh alike).
 * 2. Monotony: on one bundle assignment, usage only grows. The alert is matched to one of the eSIM's bundles
 *    first (esim-bundle.ts: a top-up is an assignment of its own), so an alert for that bundle (same name and
 *    size) that reports MORE remaining data than we store describes the past, whatever its time says (a
 *    retried or replayed old alert).
 *
 * An alert about a bundle we did not sell on that eSIM (applied outside the platform) is ignored. So is any
 * alert about a bundle that is finished (EXPIRED, REVOKED; eSIM Go's Expired, Revoked, Lapsed): a late alert
 * stamped with its receipt time must not bring an ended bundle back to Active.
 */
import { isFinalBundleState, type BundleState } from './esim-bundle';
import { isUsageFinished } from './usage-sync';

export interface StoredUsageFacts {
  bundleName: string;
  initialBytes: number | null;
  remainingBytes: number | null;
  /** eSIM Go's bundleState as stored (UNKNOWN before the first observation). */
  usageState: string;
  /** Our public state of the bundle (REVOKED also when we revoked it). */
  state: BundleState;
  usageSyncedAt: Date | null;
}

export interface UsageAlertFacts {
  bundleName: string;
  initialBytes: number;
  remainingBytes: number;
  state: string;
  alertedAt: Date;
}

export type UsageAlertDecision =
  | { apply: true }
  | { apply: false; reason: 'OTHER_BUNDLE' | 'FINISHED' | 'NOT_NEWER' | 'USAGE_WOULD_GO_BACK' | 'UNCHANGED' };

export function decideUsageAlert(stored: StoredUsageFacts, alert: UsageAlertFacts): UsageAlertDecision {
  if (alert.bundleName !== stored.bundleName) return { apply: false, reason: 'OTHER_BUNDLE' };
  if (isFinalBundleState(stored.state) || isUsageFinished(stored.usageState)) return { apply: false, reason: 'FINISHED' };
  if (stored.usageSyncedAt !== null && alert.alertedAt.getTime() <= stored.usageSyncedAt.getTime()) return { apply: false, reason: 'NOT_NEWER' };
  if (stored.remainingBytes !== null && stored.initialBytes === alert.initialBytes && alert.remainingBytes > stored.remainingBytes) {
    return { apply: false, reason: 'USAGE_WOULD_GO_BACK' };
  }
  if (
    stored.usageSyncedAt !== null &&
    stored.initialBytes === alert.initialBytes &&
    stored.remainingBytes === alert.remainingBytes &&
    stored.usageState === alert.state
  ) {
    return { apply: false, reason: 'UNCHANGED' };
  }
  return { apply: true };
}
