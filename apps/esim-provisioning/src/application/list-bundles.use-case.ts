import type { Bundle } from '@ttelgo/contracts';
import { decodeCursor, encodeCursor, type CatalogueFilters } from '../domain/catalogue-cursor';
import { priceBundle, type CataloguePricingRules } from '../domain/catalogue-pricing';
import type { CatalogueSnapshot } from './catalogue-snapshot';

export interface ListBundlesQuery extends CatalogueFilters {
  limit: number;
  cursor?: string | undefined;
  /** A vendor's markup; absent = the retail markup. Not part of the cursor: a page is the same rows at any price. */
  markupBps?: number | undefined;
}

export interface BundlePage {
  data: Bundle[];
  nextCursor: string | null;
}

/** One page of the catalogue, from the in-memory snapshot, priced at cost + the asked (vendor) or the retail markup. */
export class ListBundlesUseCase {
  constructor(
    private readonly snapshot: CatalogueSnapshot,
    private readonly pricing: CataloguePricingRules,
  ) {}

  async execute(query: ListBundlesQuery): Promise<BundlePage> {
    const filters: CatalogueFilters = { country: query.country, region: query.region };
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, filters);
    const index = await this.snapshot.current();
    // One extra row tells whether another page exists, so the last page says nextCursor: null.
    const rows = index.list(filters, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((b) => priceBundle(b, this.pricing, query.markupBps)),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.name, filters) : null,
    };
  }
}
