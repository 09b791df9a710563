import type { LedgerEntryView } from '@ttelgo/contracts';
import { vendorBalance } from '../domain/balance.rules';
import { invalidCursor, vendorNotFound } from '../domain/billing.errors';
import { decodeSeqCursor, encodeSeqCursor } from '../domain/cursor';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';

/**
 * billing.list-ledger.v1: the vendor account's entries, newest first, from the vendor's point of view: `amount` is
 * signed (a credit is in the vendor's favour, a debit against it) and `balanceAfter` is the vendor's balance
 * right after the entry (PREPAID: wallet; POSTPAID: minus what is owed).
 */
export class ListLedgerUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository }) {}

  async execute(req: { vendorId: string; limit: number; cursor?: string | undefined }): Promise<{ data: LedgerEntryView[]; nextCursor: string | null }> {
    const before = req.cursor === undefined ? undefined : decodeSeqCursor(req.cursor);
    if (req.cursor !== undefined && !before) throw invalidCursor();
    const vendor = await this.deps.vendors.findById(req.vendorId);
    const account = vendor ? await this.deps.ledger.vendorAccount(vendor.id) : null;
    if (!vendor || !account) throw vendorNotFound(req.vendorId);
    const rows = await this.deps.ledger.listEntries(account.id, req.limit + 1, before);
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((e) => ({
        transactionId: e.transactionId,
        kind: e.kind,
        amount: e.direction === 'credit' ? e.amount : 0 - e.amount,
        currency: e.currency,
        balanceAfter: vendorBalance({ ...account, balance: e.balanceAfter }),
        description: e.description,
        orderId: e.orderId,
        createdAt: e.createdAt.toISOString(),
      })),
      nextCursor: rows.length > req.limit && last ? encodeSeqCursor(last.seq) : null,
    };
  }
}
