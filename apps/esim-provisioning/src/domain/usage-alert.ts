/**
 * Whether an eSIM Go usage alert may replace the usage we store. Alerts arrive late, twice and out of order
 * (eSIM Go retries; our consumer retries), and they carry no id and usually no time of their own, so two rules
 * guard the stored figure:
 *
 * 1. Time: the alert must be newer than the stored observation (`usage_synced_at`, written by alerts and by the
 *    pull refresh alike).
 * 2. Monotony: on one bundle, usage only grows. Each of our eSIMs carries the one bundle of its order (we never
 *    top up an ICCID), so an alert for the same bundle (same name and size) that reports MORE remaining data
 *    than we store describes the past, whatever its time says (a retried or replayed old alert).
 *
 * An alert about another bundle (applied outside the platform) does not describe what we sold: ignored. So is
 * any alert on an eSIM whose bundle is finished (Expired, Revoked, Lapsed; see usage-sync.ts): a late alert
 * stamped with its receipt time must not bring an ended bundle back to Active.
 */
import { isUsageFinished } from './usage-sync';

export interface StoredUsageFacts {
  bundleName: string;
  initialBytes: number | null;
  remainingBytes: number | null;
  usageState: string;
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
  if (isUsageFinished(stored.usageState)) return { apply: false, reason: 'FINISHED' };
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
