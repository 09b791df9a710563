/**
 * order.create-quote.v1 and order.get-quote.v1. Creating a quote:
 *   1. the vendor's terms from vendor-billing (its markup; a suspended vendor gets no quote: VENDOR_SUSPENDED 403);
 *   2. each bundle priced by esim-provisioning at that markup (the same cached prices place-order uses);
 *   3. the basket summed (domain/quote.ts) and stored with its expiry; nothing is held or charged.
 */
import { randomUUID } from 'node:crypto';
import type { QuoteView } from '@ttelgo/contracts';
import { MoneyError } from '../domain/money';
import type { Owner } from '../domain/order';
import { orderTooLarge, quoteNotFound, vendorNotFound, vendorSuspended } from '../domain/order.errors';
import { newQuote, type BasketItem, type Quote } from '../domain/quote';
import type { QuoteRepository } from '../infrastructure/quote.repository';
import type { CataloguePort, VendorsPort } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toQuoteView(quote: Quote): QuoteView {
  return {
    id: quote.id,
    owner: quote.owner,
    items: quote.items,
    total: quote.total,
    createdAt: quote.createdAt.toISOString(),
    expiresAt: quote.expiresAt.toISOString(),
  };
}

export class QuotesUseCase {
  constructor(
    private readonly deps: {
      repository: QuoteRepository;
      catalogue: CataloguePort;
      vendors: VendorsPort;
      validityMs: number;
      now?: () => Date;
    },
  ) {}

  async create(owner: Owner, items: readonly BasketItem[]): Promise<QuoteView> {
    if (owner.type !== 'vendor' || !UUID.test(owner.id)) throw vendorNotFound(owner.id);
    const terms = await this.deps.vendors.terms(owner.id);
    if (terms.status === 'SUSPENDED') throw vendorSuspended();
    const prices = await Promise.all(items.map((item) => this.deps.catalogue.unitPrice(item.bundleName, terms.markupBps)));
    let quote: Quote;
    try {
      quote = newQuote({
        id: randomUUID(),
        owner,
        items: items.map((item, i) => ({ ...item, unitPrice: prices[i]! })),
        now: this.deps.now?.() ?? new Date(),
        validityMs: this.deps.validityMs,
      });
    } catch (err) {
      if (err instanceof MoneyError) throw orderTooLarge(err.message);
      throw err;
    }
    await this.deps.repository.insert(quote);
    return toQuoteView(quote);
  }

  async get(owner: Owner, id: string): Promise<QuoteView> {
    const quote = await this.deps.repository.find(owner, id);
    if (!quote) throw quoteNotFound(id);
    return toQuoteView(quote);
  }
}
