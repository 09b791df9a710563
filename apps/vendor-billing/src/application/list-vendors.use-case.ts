import type { VendorView } from '@ttelgo/contracts';
import { invalidCursor } from '../domain/billing.errors';
import { decodeTimeCursor, encodeTimeCursor } from '../domain/cursor';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import { toVendorView } from './billing.views';

/** billing.list-vendors.v1: newest first; the cursor is an opaque (createdAt, id). */
export class ListVendorsUseCase {
  constructor(private readonly deps: { vendors: VendorRepository }) {}

  async execute(req: { limit: number; cursor?: string | undefined }): Promise<{ data: VendorView[]; nextCursor: string | null }> {
    const after = req.cursor === undefined ? undefined : decodeTimeCursor(req.cursor);
    if (req.cursor !== undefined && !after) throw invalidCursor();
    const rows = await this.deps.vendors.list(req.limit + 1, after);
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return { data: page.map(toVendorView), nextCursor: rows.length > req.limit && last ? encodeTimeCursor(last) : null };
  }
}
