/**
 * Postgres side of revocations on refund (schema `esims`): the bundles a provider order bought, and the one
 * transaction that records what eSIM Go did with them (bundles REVOKED, the eSIM's state, the provider order's
 * outcome) together with the esim.bundles-revoked.v1 outbox event. Prisma rows never leave this file.
 */
import { EsimBundlesRevokedV1, type DataOf } from '@ttelgo/contracts';
import { enqueue, type OutboxTx } from '@ttelgo/db';
import type { EsimOwner } from '../domain/provider-order';
import type { RevocationOutcome } from '../domain/bundle-revocation';
import type { EsimsRepository, StoredBundle, StoredEsim } from './esims.repository';
import type { PrismaClient } from './generated/prisma/client';

export type BundlesRevoked = DataOf<typeof EsimBundlesRevokedV1>;

export interface RevocationSubject {
  owner: EsimOwner;
  state: string;
  outcome: RevocationOutcome | null;
  /** The bundles the order bought, each with its eSIM's other bundles (to pair eSIM Go's assignments). */
  esims: StoredEsim[];
  bundles: StoredBundle[];
}

export class RevocationsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly esims: Pick<EsimsRepository, 'transaction' | 'lockEsim' | 'refreshEsim' | 'findEsim'>,
  ) {}

  /** The provider order and the bundles it bought; undefined when we never provisioned that order. */
  async subject(orderId: string): Promise<RevocationSubject | undefined> {
    const order = await this.prisma.providerOrder.findUnique({
      where: { orderId },
      select: { ownerType: true, ownerId: true, state: true, revocationOutcome: true, bundles: { select: { iccid: true } } },
    });
    if (!order) return undefined;
    const owner = { type: order.ownerType, id: order.ownerId } as EsimOwner;
    const iccids = [...new Set(order.bundles.map((b) => b.iccid))].sort();
    const esims: StoredEsim[] = [];
    for (const iccid of iccids) {
      const esim = await this.esims.findEsim(owner, iccid);
      if (esim) esims.push(esim);
    }
    return {
      owner,
      state: order.state,
      outcome: (order.revocationOutcome as RevocationOutcome | null) ?? null,
      esims,
      bundles: esims.flatMap((e) => e.bundles.filter((b) => b.orderId === orderId)),
    };
  }

  /**
   * One transaction: the bundles eSIM Go revoked become REVOKED (under their eSIM's lock, the eSIM's state follows),
   * the provider order keeps the outcome, and the event goes to the outbox.
   */
  async record(
    orderId: string,
    revoked: ReadonlyArray<{ bundleId: string; iccid: string; refundedToBalance: boolean }>,
    event: BundlesRevoked,
    meta: { producer: string; correlationId?: string },
  ): Promise<void> {
    const at = new Date(event.decidedAt);
    await this.esims.transaction(async (tx) => {
      for (const iccid of [...new Set(revoked.map((r) => r.iccid))].sort()) await this.esims.lockEsim(tx, iccid);
      for (const r of revoked) {
        await tx.esimBundle.updateMany({
          where: { id: r.bundleId, state: { not: 'REVOKED' } },
          data: { state: 'REVOKED', providerState: 'Revoked', revokedAt: at, refundedToBalance: r.refundedToBalance },
        });
      }
      for (const iccid of [...new Set(revoked.map((r) => r.iccid))]) await this.esims.refreshEsim(tx, iccid, null);
      // A REVOKED outcome is final: a late answer of a concurrent command never replaces it.
      await tx.providerOrder.updateMany({
        where: { orderId, OR: [{ revocationOutcome: null }, { revocationOutcome: { not: 'REVOKED' } }] },
        data: { revocationOutcome: event.outcome, revocationForced: event.forced, revocationDetail: event.detail, revocationDecidedAt: at },
      });
      await enqueue(tx as unknown as OutboxTx, EsimBundlesRevokedV1, event, { producer: meta.producer, ...(meta.correlationId ? { correlationId: meta.correlationId } : {}) });
    });
  }
}
