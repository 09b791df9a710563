import type { DataOf, GetStatementV1 } from '@ttelgo/contracts';
import { statementNotAvailable, vendorNotFound } from '../domain/billing.errors';
import { buildStatement, monthRange } from '../domain/statement';
import type { LedgerRepository } from '../infrastructure/ledger.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';

type Statement = ReturnType<typeof GetStatementV1.responseSchema.parse>;

/**
 * billing.get-statement.v1: a POSTPAID vendor's calendar month (UTC), in "owed" terms; see domain/statement.ts for
 * the sign conventions (closing = opening + charges - payments - adjustments).
 */
export class GetStatementUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; ledger: LedgerRepository }) {}

  async execute(req: DataOf<typeof GetStatementV1>): Promise<Statement> {
    const vendor = await this.deps.vendors.findById(req.vendorId);
    const account = vendor ? await this.deps.ledger.vendorAccount(vendor.id) : null;
    if (!vendor || !account) throw vendorNotFound(req.vendorId);
    if (vendor.billingMode !== 'POSTPAID') throw statementNotAvailable();
    const { start, end } = monthRange(req.month);
    const { opening, byKind } = await this.deps.ledger.balanceMovements(account.id, start, end);
    return { vendorId: vendor.id, month: req.month, currency: vendor.currency, ...buildStatement(opening, byKind) };
  }
}
