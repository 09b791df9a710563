/**
 * Taking a bundle assignment back at eSIM Go (v2.4 "Revoke specific Bundle"):
 * `DELETE /esims/{iccid}/bundles/{name}/assignments/{assignmentId}?type=transaction[&refundToBalance=true]`.
 * eSIM Go refunds an assignment that has not started (no data used, within its refund period) to the inventory, or
 * to the organisation's balance with `refundToBalance=true`; a started one is revoked without a refund. Sent once:
 * no answer is RevocationOutcomeUnknownError, and the caller reads the assignment's state before trying again.
 */
import { z } from 'zod';
import { ProviderTemporaryError } from '../../application/provisioning-provider.port';
import type { RevocationProvider } from '../../application/revoke-bundles.use-case';
import type { EsimGoClient } from './esimgo.client';
import { EsimGoHttpError, EsimGoNetworkError, EsimGoResponseError, EsimGoUnknownOutcomeError, ProviderUnavailableError } from './esimgo.errors';

/** eSIM Go answers `{ status }` (the simulator adds refunded/refundedTo); anything else is ignored. */
const EsimGoRevokeDto = z.looseObject({ status: z.string().optional(), refunded: z.boolean().optional(), refundedTo: z.string().nullish() });

/** eSIM Go answered the revoke with a refusal (4xx): nothing was revoked. */
export class RevocationRefusedError extends Error {
  override readonly name = 'RevocationRefusedError';
}

export class EsimGoRevocationsGateway implements RevocationProvider {
  constructor(private readonly client: Pick<EsimGoClient, 'deleteOnce'>) {}

  async revoke(q: { iccid: string; bundleName: string; assignmentId: string; refundToBalance: boolean }): Promise<{ refundedToBalance: boolean }> {
    const path = `/esims/${encodeURIComponent(q.iccid)}/bundles/${encodeURIComponent(q.bundleName)}/assignments/${encodeURIComponent(q.assignmentId)}`;
    try {
      const answer = await this.client.deleteOnce('esims.revoke', path, { type: 'transaction', ...(q.refundToBalance ? { refundToBalance: 'true' } : {}) }, EsimGoRevokeDto);
      // The real API answers only { status }: the refund is what we asked for (eSIM Go refunds an unused assignment).
      return { refundedToBalance: answer.refunded ?? q.refundToBalance };
    } catch (err) {
      if (err instanceof EsimGoHttpError && !err.transient && err.status >= 400 && err.status < 500) {
        throw new RevocationRefusedError(`eSIM Go refused to revoke ${q.bundleName} (${q.assignmentId}) on ${q.iccid}: ${err.message}`, { cause: err });
      }
      if (err instanceof EsimGoUnknownOutcomeError || err instanceof ProviderUnavailableError || err instanceof EsimGoHttpError || err instanceof EsimGoResponseError || err instanceof EsimGoNetworkError) {
        throw new ProviderTemporaryError(`esims.revoke: ${(err as Error).message}`, { cause: err });
      }
      throw err;
    }
  }
}
