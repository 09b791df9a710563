/**
 * esim.revoke-bundles.v1, the first step of an admin refund of a COMPLETED order: take the order's bundles back
 * from eSIM Go, refunded to our balance while unused, and tell the order what happened (esim.bundles-revoked.v1).
 *
 * 1. Read what we hold: the bundles the order bought (an unknown order is FAILED: nothing to revoke).
 * 2. Read eSIM Go's state of each eSIM (GET /esims/{iccid}/bundles): it says whether a bundle was used, and whether
 *    an earlier revoke whose answer was lost already happened (so nothing is revoked twice).
 * 3. Decide (domain/bundle-revocation.ts): without `force` a used bundle leaves everything alone (ALREADY_USED);
 *    with it, used bundles are revoked without a refund.
 * 4. Revoke, one DELETE per bundle, each sent once (no answer = FAILED this time; the next command reads the state).
 * 5. One transaction: revoked bundles REVOKED, the eSIM's state, the outcome on the provider order, the event.
 * Calls to eSIM Go happen outside any transaction; a repeated command runs the same story and finds the bundles
 * revoked (ours, or eSIM Go's state), so it answers REVOKED without revoking again.
 */
import type { DataOf, RevokeBundlesV1 } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { pairAssignments } from '../domain/esim-bundle';
import { planRevocation, revocationOutcome, type BundleRevocationResult, type RevocationCandidate } from '../domain/bundle-revocation';
import type { BundlesRevoked, RevocationsRepository } from '../infrastructure/revocations.repository';
import type { ProvisioningProvider } from './provisioning-provider.port';

export type RevokeBundlesCommand = DataOf<typeof RevokeBundlesV1>;

export interface RevocationProvider {
  /** Revokes one assignment, sent once; throws when eSIM Go refused or did not answer. */
  revoke(q: { iccid: string; bundleName: string; assignmentId: string; refundToBalance: boolean }): Promise<{ refundedToBalance: boolean }>;
}

export class RevokeBundlesUseCase {
  constructor(
    private readonly deps: {
      repository: Pick<RevocationsRepository, 'subject' | 'record'>;
      reader: Pick<ProvisioningProvider, 'bundles'>;
      revoker: RevocationProvider;
      producer: string;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  async execute(command: RevokeBundlesCommand, meta: { correlationId?: string } = {}): Promise<BundlesRevoked> {
    const { orderId, force } = command;
    const log = this.deps.logger.child({ orderId, force });
    const subject = await this.deps.repository.subject(orderId);
    const sameOwner = subject && subject.owner.type === command.owner.type && subject.owner.id === command.owner.id;
    if (!subject || !sameOwner || subject.bundles.length === 0) {
      log.warn({ known: Boolean(subject) }, 'revocation asked for an order whose bundles we do not hold');
      const event = this.event(command, 'FAILED', [], 'no bundles of this order are held by esim-provisioning');
      await this.deps.repository.record(orderId, [], event, this.meta(meta));
      return event;
    }

    // 2. eSIM Go's view of each eSIM (one read per eSIM; a failed read fails the bundles on it).
    const candidates: RevocationCandidate[] = [];
    for (const esim of subject.esims) {
      const mine = esim.bundles.filter((b) => b.orderId === orderId);
      let paired: Map<string, { assignmentId: string | null; state: string; initialBytes: number | null; remainingBytes: number | null }> | undefined;
      if (mine.some((b) => b.state !== 'REVOKED')) {
        try {
          paired = pairAssignments(esim.bundles, await this.deps.reader.bundles(esim.iccid));
        } catch (err) {
          log.warn({ err, iccid: esim.iccid }, 'revocation: reading the eSIM at eSIM Go failed');
        }
      }
      for (const b of mine) {
        candidates.push({ bundleId: b.id, iccid: b.iccid, bundleName: b.bundleName, revokedByUs: b.state === 'REVOKED', assignment: paired?.get(b.id) ?? null });
      }
    }

    // 3. + 4.
    const plan = planRevocation(candidates, force);
    const results: Array<{ candidate: RevocationCandidate; result: BundleRevocationResult; refundedToBalance: boolean; revokedNow: boolean; why: string | null }> = [];
    for (const c of candidates) {
      const action = plan.actions.get(c.bundleId)!;
      if (action.kind === 'NONE') {
        results.push({ candidate: c, result: action.result, refundedToBalance: false, revokedNow: action.result === 'REVOKED' && !c.revokedByUs, why: action.why });
        continue;
      }
      try {
        const done = await this.deps.revoker.revoke({ iccid: c.iccid, bundleName: c.bundleName, assignmentId: action.assignmentId, refundToBalance: action.refundToBalance });
        results.push({ candidate: c, result: action.usedResult ? 'USED' : 'REVOKED', refundedToBalance: done.refundedToBalance, revokedNow: true, why: null });
      } catch (err) {
        log.warn({ err, iccid: c.iccid, bundleName: c.bundleName }, 'revocation: eSIM Go did not revoke the bundle');
        results.push({ candidate: c, result: 'FAILED', refundedToBalance: false, revokedNow: false, why: (err as Error).message });
      }
    }

    // 5.
    const outcome = plan.blockedBy ?? revocationOutcome(results.map((r) => r.result));
    const reasons = results.filter((r) => r.why && r.result !== 'REVOKED').map((r) => `${r.candidate.iccid} ${r.candidate.bundleName}: ${r.why}`);
    const detail = reasons.length > 0 ? reasons.join('; ').slice(0, 500) : null;
    const event = this.event(
      command,
      outcome,
      results.map((r) => ({ iccid: r.candidate.iccid, bundleName: r.candidate.bundleName, result: r.result, refundedToBalance: r.refundedToBalance })),
      detail,
    );
    const revoked = results.filter((r) => r.revokedNow).map((r) => ({ bundleId: r.candidate.bundleId, iccid: r.candidate.iccid, refundedToBalance: r.refundedToBalance }));
    await this.deps.repository.record(orderId, revoked, event, this.meta(meta));
    log.info({ outcome, bundles: event.bundles, detail }, 'bundles of a refunded order: revocation decided');
    return event;
  }

  private meta(meta: { correlationId?: string }): { producer: string; correlationId?: string } {
    return { producer: this.deps.producer, ...(meta.correlationId ? { correlationId: meta.correlationId } : {}) };
  }

  private event(command: RevokeBundlesCommand, outcome: BundlesRevoked['outcome'], bundles: BundlesRevoked['bundles'], detail: string | null): BundlesRevoked {
    return { orderId: command.orderId, outcome, forced: command.force, bundles, detail, decidedAt: (this.deps.now?.() ?? new Date()).toISOString() };
  }
}
