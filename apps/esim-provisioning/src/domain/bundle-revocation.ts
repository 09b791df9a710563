/**
 * Taking the bundles of a refunded order back from eSIM Go. Pure: from what we store and what eSIM Go shows now,
 * what to do with each bundle, and the outcome the order is told.
 *
 * Per bundle (our row, and eSIM Go's assignment for it):
 *   ours REVOKED, or eSIM Go says Revoked          -> nothing to do: REVOKED (a repeated command, or a revoke whose
 *                                                      answer was lost)
 *   no assignment found at eSIM Go (or no answer)  -> FAILED
 *   Expired, Lapsed (its time is over)             -> USED: nothing left to take back (no call)
 *   not started (Processing, Queued) and no data used -> revoke with a refund to our balance
 *   started or data used                           -> USED: revoked without a refund only when forced
 * Outcome: FAILED if any bundle failed, else ALREADY_USED if any was used, else REVOKED. A refund that is not forced
 * is all or nothing: when one bundle is used (or one failed), none is revoked, because the order is not refunded.
 */
export type RevocationOutcome = 'REVOKED' | 'ALREADY_USED' | 'FAILED';
/** KEPT: an unused bundle left alone because the refund is not made (another one was used or failed). */
export type BundleRevocationResult = 'REVOKED' | 'USED' | 'KEPT' | 'FAILED';

export interface RevocationCandidate {
  bundleId: string;
  iccid: string;
  bundleName: string;
  /** Our public state of the bundle. */
  revokedByUs: boolean;
  /** eSIM Go's assignment for it, as read now; null when none was found or eSIM Go did not answer. */
  assignment: { assignmentId: string | null; state: string; initialBytes: number | null; remainingBytes: number | null } | null;
}

export type BundleAction =
  | { kind: 'NONE'; result: BundleRevocationResult; why: string }
  | { kind: 'REVOKE'; refundToBalance: boolean; assignmentId: string; usedResult: boolean };

const NOT_STARTED = ['Processing', 'Queued'];
const ENDED = ['Expired', 'Lapsed'];

export function isUsed(a: NonNullable<RevocationCandidate['assignment']>): boolean {
  if (!NOT_STARTED.includes(a.state)) return true;
  return a.initialBytes !== null && a.remainingBytes !== null && a.remainingBytes < a.initialBytes;
}

/** What to do with one bundle, before the all-or-nothing rule. */
export function actionFor(c: RevocationCandidate, force: boolean): BundleAction {
  if (c.revokedByUs || c.assignment?.state === 'Revoked') return { kind: 'NONE', result: 'REVOKED', why: 'already revoked' };
  if (!c.assignment || !c.assignment.assignmentId) return { kind: 'NONE', result: 'FAILED', why: 'eSIM Go shows no such assignment on the eSIM' };
  if (ENDED.includes(c.assignment.state)) return { kind: 'NONE', result: 'USED', why: `its time is over (${c.assignment.state})` };
  if (!isUsed(c.assignment)) return { kind: 'REVOKE', refundToBalance: true, assignmentId: c.assignment.assignmentId, usedResult: false };
  if (force) return { kind: 'REVOKE', refundToBalance: false, assignmentId: c.assignment.assignmentId, usedResult: true };
  return { kind: 'NONE', result: 'USED', why: `already used (${c.assignment.state})` };
}

export interface RevocationPlan {
  actions: Map<string, BundleAction>;
  /** Set when nothing may be revoked: the refund does not go ahead. */
  blockedBy: 'ALREADY_USED' | 'FAILED' | null;
}

export function planRevocation(candidates: readonly RevocationCandidate[], force: boolean): RevocationPlan {
  const actions = new Map(candidates.map((c) => [c.bundleId, actionFor(c, force)] as const));
  if (force) return { actions, blockedBy: null };
  const results = [...actions.values()].flatMap((a) => (a.kind === 'NONE' ? [a.result] : []));
  const blockedBy = results.includes('FAILED') ? 'FAILED' : results.includes('USED') ? 'ALREADY_USED' : null;
  if (blockedBy) {
    for (const [id, a] of actions) if (a.kind === 'REVOKE') actions.set(id, { kind: 'NONE', result: a.usedResult ? 'USED' : 'KEPT', why: 'left alone: the refund is not made' });
  }
  return { actions, blockedBy };
}

/** The order's outcome from each bundle's result (after the calls were made). */
export function revocationOutcome(results: readonly BundleRevocationResult[]): RevocationOutcome {
  if (results.length === 0 || results.includes('FAILED')) return 'FAILED';
  if (results.includes('USED') || results.includes('KEPT')) return 'ALREADY_USED';
  return 'REVOKED';
}
