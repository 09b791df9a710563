/**
 * The one way a bundle's usage, end or state changes, whoever observed it (an eSIM Go alert, get-esim's refresh,
 * the usage sync, the expiry step): in the caller's transaction, after the eSIM's row was locked, write the bundle
 * (conditionally on what the decision was made on), then what follows from it on the eSIM: its state from all of
 * its bundles, its activation the first time a use is seen, and the usage/expiry notices it makes due.
 */
import { pairAssignments, publicBundleState } from '../domain/esim-bundle';
import type { BundleUsage, EsimTx, EsimsRepository, StoredBundle } from '../infrastructure/esims.repository';
import { usageFactsOf } from '../infrastructure/esims.repository';
import type { ProviderAssignment } from './provisioning-provider.port';
import type { BundleNoticeRecorder } from './record-bundle-notices';

export type WriteCondition =
  /** A pushed alert: written only if the bundle still holds exactly what the decision was made on. */
  | { kind: 'unchanged-since-read' }
  /** A pulled read: written only if no newer observation was stored while eSIM Go answered. */
  | { kind: 'synced-at'; expected: Date | null };

/** When this observation shows the bundle was first used (its start, else the observation's time), or null. */
export function firstUseSeen(usage: BundleUsage): Date | null {
  if (usage.startsAt) return usage.startsAt;
  const figuresShowUse = usage.initialBytes !== null && usage.remainingBytes !== null && usage.remainingBytes < usage.initialBytes;
  // Not Expired: that may be Lapsed-like (ended unused) without figures.
  if (figuresShowUse || usage.providerState === 'Active' || usage.providerState === 'Depleted') return usage.syncedAt;
  return null;
}

export class BundleUsageWriter {
  constructor(
    private readonly repository: Pick<EsimsRepository, 'replaceUsage' | 'replacePulledUsage' | 'refreshEsim'>,
    /** Usage and expiry notices the change makes due (absent: none are sent, e.g. in tests of the figures alone). */
    private readonly notices?: Pick<BundleNoticeRecorder, 'afterChange'>,
  ) {}

  /** False when the condition failed (another writer was first); nothing is written then. */
  async write(tx: EsimTx, bundle: StoredBundle, usage: BundleUsage, condition: WriteCondition): Promise<boolean> {
    const written =
      condition.kind === 'unchanged-since-read'
        ? await this.repository.replaceUsage(tx, bundle.id, usageFactsOf(bundle), usage)
        : await this.repository.replacePulledUsage(tx, bundle.id, condition.expected, usage);
    if (!written) return false;
    await this.repository.refreshEsim(tx, bundle.iccid, firstUseSeen(usage));
    await this.notices?.afterChange(tx, bundle.id);
    return true;
  }
}

/** One of eSIM Go's assignments as the usage we store for the bundle it is about. */
export function usageOfAssignment(a: ProviderAssignment, syncedAt: Date): BundleUsage {
  return {
    initialBytes: a.initialBytes,
    remainingBytes: a.remainingBytes,
    providerState: a.state,
    state: publicBundleState(a.state),
    ...(a.unlimited === null ? {} : { unlimited: a.unlimited }),
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    assignmentId: a.assignmentId,
    syncedAt,
  };
}

export interface PulledWrite {
  /** Written (an observation newer than what was read before the call, and the bundle not final). */
  refreshed: string[];
  /** A newer observation was stored while eSIM Go answered (or the bundle became final): kept. */
  superseded: string[];
  /** Bundles of ours eSIM Go showed no assignment for. */
  notFound: string[];
}

/**
 * Writes what one GET /esims/{iccid}/bundles said about the given bundles of the eSIM, in one transaction under
 * the eSIM's lock. `readBefore` is each bundle's usage_synced_at as read before the call: a bundle changed since
 * then keeps its newer value. The stored time is when the call started (eSIM Go's answer describes that moment or
 * later, so any alert after it may apply).
 */
export async function writePulledUsage(
  deps: { repository: Pick<EsimsRepository, 'transaction' | 'lockEsim'>; writer: BundleUsageWriter },
  iccid: string,
  readBefore: ReadonlyMap<string, Date | null>,
  assignments: readonly ProviderAssignment[],
  pulledAt: Date,
): Promise<PulledWrite> {
  return deps.repository.transaction(async (tx) => {
    const result: PulledWrite = { refreshed: [], superseded: [], notFound: [] };
    const esim = await deps.repository.lockEsim(tx, iccid);
    if (!esim) return result;
    const pairs = pairAssignments(esim.bundles, assignments);
    for (const [bundleId, expected] of readBefore) {
      const bundle = esim.bundles.find((b) => b.id === bundleId);
      const assignment = pairs.get(bundleId);
      if (!bundle || !assignment) {
        result.notFound.push(bundleId);
        continue;
      }
      const written = await deps.writer.write(tx, bundle, usageOfAssignment(assignment, pulledAt), { kind: 'synced-at', expected });
      (written ? result.refreshed : result.superseded).push(bundleId);
    }
    return result;
  });
}
