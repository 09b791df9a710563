/**
 * billing.low-balance.v1 fires once per crossing: when the available balance goes below the threshold while
 * the vendor is armed; it re-arms when the available balance is back at or above the threshold. A threshold
 * of 0 means off (and re-arms, so raising it later starts clean).
 */
export type LowBalanceDecision = 'alert' | 'rearm' | 'none';

export function lowBalanceDecision(s: { threshold: number; alerted: boolean; available: number }): LowBalanceDecision {
  if (s.threshold <= 0) return s.alerted ? 'rearm' : 'none';
  if (s.available < s.threshold) return s.alerted ? 'none' : 'alert';
  return s.alerted ? 'rearm' : 'none';
}

/** Which way the latch should be after a change (the repository flips it only if it is not there yet). */
export function lowBalanceTarget(threshold: number, available: number): 'alerted' | 'armed' {
  return threshold > 0 && available < threshold ? 'alerted' : 'armed';
}
