/**
 * The bundles on one of our eSIMs. An eSIM is bought with one bundle (kind NEW) and may be topped up with more
 * (kind TOPUP): each is its own eSIM Go assignment with its own usage, end, state and notices. eSIM Go uses them
 * one after the other (a top-up waits Queued until the running bundle is Depleted or Expired).
 *
 * Public states (what owners see), from eSIM Go's bundleState:
 *   Processing, Queued (or not seen yet) -> QUEUED     assigned, not used yet
 *   Active                               -> ACTIVE     in use, data left, within its duration
 *   Depleted                             -> DEPLETED   no data left, within its duration
 *   Expired, Lapsed                      -> EXPIRED    its duration is over (Lapsed: it was never used)
 *   Revoked                              -> REVOKED    taken back (by us on a refund, or at eSIM Go)
 * EXPIRED and REVOKED are final: nothing an alert or a read says changes them again.
 */
export type BundleKind = 'NEW' | 'TOPUP';
export type BundleState = 'QUEUED' | 'ACTIVE' | 'DEPLETED' | 'EXPIRED' | 'REVOKED';

export const FINAL_BUNDLE_STATES: readonly BundleState[] = ['EXPIRED', 'REVOKED'];

/** What eSIM Go calls a bundle we hold no figures for yet. */
export const UNKNOWN_PROVIDER_STATE = 'UNKNOWN';

export function publicBundleState(providerState: string): BundleState {
  switch (providerState) {
    case 'Active':
      return 'ACTIVE';
    case 'Depleted':
      return 'DEPLETED';
    case 'Expired':
    case 'Lapsed':
      return 'EXPIRED';
    case 'Revoked':
      return 'REVOKED';
    default:
      // Processing, Queued, UNKNOWN, or a state eSIM Go adds later: nothing says it is in use.
      return 'QUEUED';
  }
}

export function isFinalBundleState(state: BundleState): boolean {
  return FINAL_BUNDLE_STATES.includes(state);
}

/** Precedence of the eSIM's state: in use beats waiting beats used up beats over beats taken back. */
const ESIM_STATE_ORDER: readonly BundleState[] = ['ACTIVE', 'QUEUED', 'DEPLETED', 'EXPIRED', 'REVOKED'];

/** The eSIM's state from its bundles: ACTIVE if one is in use, else QUEUED if one waits, else DEPLETED, EXPIRED, REVOKED. */
export function esimStateOf(states: readonly BundleState[]): BundleState {
  for (const candidate of ESIM_STATE_ORDER) if (states.includes(candidate)) return candidate;
  return 'QUEUED';
}

export interface BundleFacts {
  id: string;
  bundleName: string;
  state: BundleState;
  assignedAt: Date;
  /** eSIM Go's assignment reference: the reference of the eSIM Go order that bought it. */
  providerReference: string | null;
  assignmentId: string | null;
}

/**
 * The bundle whose usage the eSIM shows as its current one: the one in use, else the next one waiting (the oldest
 * queued), else the last one assigned.
 */
export function currentBundle<B extends Pick<BundleFacts, 'state' | 'assignedAt'>>(bundles: readonly B[]): B | undefined {
  const byAge = [...bundles].sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime());
  return byAge.find((b) => b.state === 'ACTIVE') ?? byAge.find((b) => b.state === 'QUEUED') ?? byAge[byAge.length - 1];
}

/**
 * Which of our bundles on an eSIM an eSIM Go assignment (an alert's `bundle`, an entry of GET /esims/{iccid}/bundles)
 * is about: the one bought by the eSIM Go order of that reference (eSIM Go's assignment reference), else the one
 * with that assignment id, else the oldest unfinished bundle of that name not yet tied to another assignment id
 * (eSIM Go uses the oldest first; its docs do not promise that the assignment reference is the order reference,
 * so a reference we do not know is not proof of a foreign bundle — the account is used by this service only).
 * None: an assignment of a bundle we did not sell on that eSIM.
 */
export function bundleForAssignment<B extends BundleFacts>(
  bundles: readonly B[],
  assignment: { bundleName: string; reference: string | null; assignmentId: string | null },
): B | undefined {
  const named = bundles.filter((b) => b.bundleName === assignment.bundleName);
  const byReference = assignment.reference ? named.find((b) => b.providerReference === assignment.reference) : undefined;
  if (byReference) return byReference;
  const byId = assignment.assignmentId ? named.find((b) => b.assignmentId === assignment.assignmentId) : undefined;
  if (byId) return byId;
  return [...named]
    .sort((a, b) => a.assignedAt.getTime() - b.assignedAt.getTime())
    .find((b) => !isFinalBundleState(b.state) && (b.assignmentId === null || assignment.assignmentId === null));
}

/**
 * Pairs our bundles on an eSIM with eSIM Go's assignments (GET /esims/{iccid}/bundles): first every exact match on
 * the reference, then the rest by bundleForAssignment among what is left, so a fallback never takes a bundle that
 * another assignment names exactly. Returns bundle id -> assignment.
 */
export function pairAssignments<B extends BundleFacts, A extends { bundleName: string; reference: string | null; assignmentId: string | null }>(
  bundles: readonly B[],
  assignments: readonly A[],
): Map<string, A> {
  const paired = new Map<string, A>();
  const left = [...assignments];
  for (const a of assignments) {
    const exact = a.reference ? bundles.find((b) => b.bundleName === a.bundleName && b.providerReference === a.reference && !paired.has(b.id)) : undefined;
    if (exact) {
      paired.set(exact.id, a);
      left.splice(left.indexOf(a), 1);
    }
  }
  for (const a of left) {
    const b = bundleForAssignment(
      bundles.filter((x) => !paired.has(x.id)),
      a,
    );
    if (b) paired.set(b.id, a);
  }
  return paired;
}
