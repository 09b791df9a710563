/**
 * How a catalogue bundle is shown to a buyer: its price at the buyer's markup (a vendor's, or the retail one), the
 * recommended retail price in every currency the platform sells in (the retail price converted with the dated
 * exchange-rate table, whatever the buyer's own markup), and whether it can top up an existing eSIM.
 *
 * Top-up compatibility comes from eSIM Go's bundle groups: bundles of the configured groups (eSIM Go's "Standard eSIM
 * Bundles" by default) can be applied to an eSIM the buyer already has; the per-eSIM answer is still asked from eSIM
 * Go before a top-up is sold (quote-topup).
 */
import type { Bundle } from '@ttelgo/contracts';
import { toPublicBundle, type CatalogueBundle } from './catalogue-bundle';
import { inEveryCurrency, type ExchangeRateTable } from './exchange-rates';
import { retailPrice } from './pricing';

export interface CataloguePricingRules {
  retailMarkupBps: number;
  exchangeRates: ExchangeRateTable;
  topUpGroups: readonly string[];
}

export function isTopUpCompatible(bundle: Pick<CatalogueBundle, 'groups'>, topUpGroups: readonly string[]): boolean {
  return bundle.groups.some((g) => topUpGroups.includes(g));
}

/** The public bundle, priced at `markupBps` (absent: the retail markup). */
export function priceBundle(bundle: CatalogueBundle, rules: CataloguePricingRules, markupBps?: number): Bundle {
  const retail = retailPrice(bundle.cost, rules.retailMarkupBps);
  const price = markupBps === undefined || markupBps === rules.retailMarkupBps ? retail : retailPrice(bundle.cost, markupBps);
  return toPublicBundle(bundle, price, {
    topUpCompatible: isTopUpCompatible(bundle, rules.topUpGroups),
    recommendedRetailPrices: inEveryCurrency(retail, rules.exchangeRates),
  });
}
