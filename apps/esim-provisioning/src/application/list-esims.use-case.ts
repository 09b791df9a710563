/**
 * esim.list-esims.v1: an owner's eSIMs (in one state, when asked), newest first, in keyset pages, with their
 * bundles and activation (stored data only, no provider calls).
 */
import type { EsimView } from '@ttelgo/contracts';
import type { BundleState } from '../domain/esim-bundle';
import { decodeEsimCursor, encodeEsimCursor } from '../domain/esim-cursor';
import type { EsimOwner } from '../domain/provider-order';
import type { EsimsRepository } from '../infrastructure/esims.repository';
import { toEsimView } from './esim-view';

export class ListEsimsUseCase {
  constructor(private readonly repository: Pick<EsimsRepository, 'listEsims'>) {}

  async execute(
    owner: EsimOwner,
    page: { limit: number; cursor?: string | undefined; status?: BundleState | undefined },
  ): Promise<{ data: EsimView[]; nextCursor: string | null }> {
    const after = page.cursor === undefined ? undefined : decodeEsimCursor(page.cursor);
    // One extra row tells whether another page exists without a count query.
    const rows = await this.repository.listEsims(owner, page.limit + 1, after, page.status);
    const data = rows.slice(0, page.limit);
    const last = data[data.length - 1];
    return {
      data: data.map(toEsimView),
      nextCursor: rows.length > page.limit && last ? encodeEsimCursor({ createdAt: last.createdAt, iccid: last.iccid }) : null,
    };
  }
}
