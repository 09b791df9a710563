/**
 * Which notices one bundle assignment is due, from what we store about it now and the notices already sent.
 * Pure: the caller locks the eSIM, calls this after every change of the bundle (an eSIM Go alert, a pulled read,
 * the sync's expiry step), records the notices it returns in the same transaction as their outbox events, and so
 * sends each (bundle, notice) at most once whatever the order or number of observations.
 *
 * Notices (their keys are what esim_bundle_notices stores):
 *   USAGE_<p>  p % of the bundle's data used (USAGE_NOTICE_THRESHOLDS, default 80 and 100). A limited bundle with
 *              figures only; DEPLETED counts as 100 %. When one observation crosses several thresholds at once
 *              (50 % -> 100 %), only the highest is told, and the lower ones are recorded as passed: a traveller
 *              with no data left does not need "80 % used" as well.
 *   EXPIRING   the end is within EXPIRING_WINDOW_MS, the end is one eSIM Go reported (our estimate is only a
 *              lower bound: eSIM Go starts a bundle at its first use), and the bundle still has data to lose
 *              (QUEUED or ACTIVE).
 *   EXPIRED    the bundle is EXPIRED. A revoked bundle gets no notice (the refund tells its own story).
 * A finished bundle (EXPIRED, REVOKED) gets no usage or expiring notice any more, and an expired one no EXPIRING.
 */
import type { BundleState } from './esim-bundle';

export const EXPIRING_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_USAGE_NOTICE_THRESHOLDS: readonly number[] = [80, 100];

export type BundleNoticeKey = `USAGE_${number}` | 'EXPIRING' | 'EXPIRED';

export interface BundleNoticeFacts {
  state: BundleState;
  initialBytes: number | null;
  remainingBytes: number | null;
  unlimited: boolean;
  endsAt: Date | null;
  endsAtReported: boolean;
}

export type DueNotice = { key: `USAGE_${number}`; kind: 'USAGE_THRESHOLD'; threshold: number } | { key: 'EXPIRING'; kind: 'EXPIRING' } | { key: 'EXPIRED'; kind: 'EXPIRED' };

export interface NoticeDecision {
  /** To send (an outbox event each), in the order they happened. */
  send: DueNotice[];
  /** Passed at the same time as a higher threshold: recorded, never sent. */
  passed: DueNotice[];
}

export function usageNoticeKey(threshold: number): `USAGE_${number}` {
  return `USAGE_${threshold}`;
}

/** Parses `80,100` into sorted distinct whole percentages in 1..100; throws on anything else. */
export function parseUsageThresholds(raw: string): number[] {
  const parts = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error('expected at least one percentage, e.g. 80,100');
  const values = parts.map((p) => {
    if (!/^\d{1,3}$/.test(p)) throw new Error(`"${p}" is not a whole percentage`);
    const n = Number(p);
    if (n < 1 || n > 100) throw new Error(`${n} is not between 1 and 100`);
    return n;
  });
  return [...new Set(values)].sort((a, b) => a - b);
}

/** The percentage of the data used (0..100, rounded down), or null when it cannot be told. */
export function usedPercent(facts: Pick<BundleNoticeFacts, 'state' | 'initialBytes' | 'remainingBytes' | 'unlimited'>): number | null {
  if (facts.unlimited) return null;
  if (facts.state === 'DEPLETED') return 100;
  if (facts.initialBytes === null || facts.remainingBytes === null || facts.initialBytes <= 0) return null;
  const used = Math.max(0, facts.initialBytes - Math.min(facts.remainingBytes, facts.initialBytes));
  return Math.floor((used * 100) / facts.initialBytes);
}

export function decideBundleNotices(
  facts: BundleNoticeFacts,
  alreadySent: ReadonlySet<string>,
  now: Date,
  thresholds: readonly number[] = DEFAULT_USAGE_NOTICE_THRESHOLDS,
): NoticeDecision {
  const decision: NoticeDecision = { send: [], passed: [] };
  if (facts.state === 'REVOKED') return decision;

  if (facts.state !== 'EXPIRED') {
    const percent = usedPercent(facts);
    if (percent !== null) {
      const crossed = thresholds.filter((t) => percent >= t && !alreadySent.has(usageNoticeKey(t)));
      const highest = crossed[crossed.length - 1];
      for (const t of crossed) {
        const notice: DueNotice = { key: usageNoticeKey(t), kind: 'USAGE_THRESHOLD', threshold: t };
        (t === highest ? decision.send : decision.passed).push(notice);
      }
    }
    const hasDataToLose = facts.state === 'ACTIVE' || facts.state === 'QUEUED';
    if (
      hasDataToLose &&
      facts.endsAtReported &&
      facts.endsAt !== null &&
      facts.endsAt.getTime() > now.getTime() &&
      facts.endsAt.getTime() - now.getTime() <= EXPIRING_WINDOW_MS &&
      !alreadySent.has('EXPIRING')
    ) {
      decision.send.push({ key: 'EXPIRING', kind: 'EXPIRING' });
    }
  } else if (!alreadySent.has('EXPIRED')) {
    decision.send.push({ key: 'EXPIRED', kind: 'EXPIRED' });
  }
  return decision;
}
