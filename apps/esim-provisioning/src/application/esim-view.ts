import type { EsimBundleView, EsimView } from '@ttelgo/contracts';
import { currentBundle } from '../domain/esim-bundle';
import type { StoredBundle, StoredEsim } from '../infrastructure/esims.repository';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toBundleView(b: StoredBundle): EsimBundleView {
  return {
    orderId: b.orderId,
    kind: b.kind,
    bundleName: b.bundleName,
    state: b.state,
    initialBytes: b.initialBytes,
    remainingBytes: b.remainingBytes,
    unlimited: b.unlimited,
    assignedAt: b.assignedAt.toISOString(),
    startsAt: iso(b.startsAt),
    endsAt: iso(b.endsAt),
  };
}

/** The latest end among the bundles that were not taken back: how long the eSIM has data to use at most. */
function expiresAt(bundles: readonly StoredBundle[]): Date | null {
  const ends = bundles.filter((b) => b.state !== 'REVOKED' && b.endsAt !== null).map((b) => b.endsAt!.getTime());
  return ends.length === 0 ? null : new Date(Math.max(...ends));
}

/**
 * The stored eSIM as the esim.* query RPCs answer it. `status` is the eSIM's state from its bundles; `usage` is the
 * current bundle's (the active one, else the next queued one, else the last), UNKNOWN with null quantities until
 * eSIM Go reported it; `bundles` lists every bundle, oldest first, with the catalogue's figures until then.
 */
export function toEsimView(e: StoredEsim): EsimView {
  const current = currentBundle(e.bundles);
  const synced = current !== undefined && current.usageSyncedAt !== null;
  return {
    iccid: e.iccid,
    orderId: e.orderId,
    bundleName: e.bundleName,
    status: e.state,
    smdpAddress: e.smdpAddress,
    matchingId: e.matchingId,
    lpa: e.lpa,
    appleInstallUrl: e.appleInstallUrl,
    expiresAt: iso(expiresAt(e.bundles)),
    usage: {
      initialBytes: synced ? current.initialBytes : null,
      remainingBytes: synced ? current.remainingBytes : null,
      state: synced ? current.providerState : 'UNKNOWN',
    },
    activatedAt: iso(e.activatedAt),
    bundles: e.bundles.map(toBundleView),
  };
}
