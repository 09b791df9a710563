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

/**
 * eSIM Go's answer to a pull carries no end (and no start): the end is the bundle's start plus its duration. The
 * start is the one a callback or an earlier read reported, else the first use this observation shows (its time is
 * no earlier than the real first use, so the end computed from it is never early: a bundle is never ended before
 * eSIM Go ends it). An unused bundle keeps its estimate: its duration has not started.
 */
export function withComputedEnd(usage: BundleUsage, bundle: Pick<StoredBundle, 'startsAt' | 'endsAt' | 'endsAtReported'>, durationDays: number | null): BundleUsage {
  if (usage.endsAt || durationDays === null) return usage;
  const startsAt = usage.startsAt ?? bundle.startsAt ?? firstUseSeen(usage);
  if (!startsAt) return usage;
  // A start seen earlier keeps the end it gave (an end reported by eSIM Go is never replaced by ours).
  if (bundle.endsAtReported && bundle.endsAt) return { ...usage, startsAt };
  return { ...usage, startsAt, endsAt: new Date(startsAt.getTime() + durationDays * 86_400_000) };
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
  deps: { repository: Pick<EsimsRepository, 'transaction' | 'lockEsim' | 'durationDays'>; writer: BundleUsageWriter },
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
    const durations = await deps.repository.durationDays(tx, esim.bundles.map((b) => b.bundleName));
    for (const [bundleId, expected] of readBefore) {
      const bundle = esim.bundles.find((b) => b.id === bundleId);
      const assignment = pairs.get(bundleId);
      if (!bundle || !assignment) {
        result.notFound.push(bundleId);
        continue;
      }
      const usage = withComputedEnd(usageOfAssignment(assignment, pulledAt), bundle, durations.get(bundle.bundleName) ?? null);
      const written = await deps.writer.write(tx, bundle, usage, { kind: 'synced-at', expected });
      (written ? result.refreshed : result.superseded).push(bundleId);
    }
    return result;
  });
}
