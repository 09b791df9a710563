import type { EsimView } from '@ttelgo/contracts';
import type { StoredEsim } from '../infrastructure/provisioning.repository';

/** The stored eSIM as the esim.* query RPCs answer it; usage is UNKNOWN with null quantities until synced. */
export function toEsimView(e: StoredEsim): EsimView {
  return {
    iccid: e.iccid,
    orderId: e.orderId,
    bundleName: e.bundleName,
    status: e.status,
    smdpAddress: e.smdpAddress,
    matchingId: e.matchingId,
    lpa: e.lpa,
    appleInstallUrl: e.appleInstallUrl,
    expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
    usage: {
      initialBytes: e.usageSyncedAt ? e.initialBytes : null,
      remainingBytes: e.usageSyncedAt ? e.remainingBytes : null,
      state: e.usageSyncedAt ? e.usageState : 'UNKNOWN',
    },
  };
}
