import type { Bundle } from '@ttelgo/contracts';
import { bundleNotFound } from '../domain/catalogue.errors';
import { priceBundle, type CataloguePricingRules } from '../domain/catalogue-pricing';
import type { CatalogueSnapshot } from './catalogue-snapshot';

/**
 * One active bundle by its exact (case-sensitive) eSIM Go name, priced at cost + the markup asked for (a vendor's,
 * from the order service) or, when none is given, the configured retail markup, in the cost's (= the catalogue's)
 * currency. Withdrawn or unknown: BUNDLE_NOT_FOUND.
 */
export class GetBundleUseCase {
  constructor(
    private readonly snapshot: CatalogueSnapshot,
    private readonly pricing: CataloguePricingRules,
  ) {}

  async execute(name: string, markupBps?: number): Promise<Bundle> {
    const bundle = (await this.snapshot.current()).get(name);
    if (!bundle) throw bundleNotFound(name);
    return priceBundle(bundle, this.pricing, markupBps);
  }
}
