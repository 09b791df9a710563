/**
 * The catalogue as this service understands it: eSIM Go's bundle reduced to what we sell, with the cost in
 * integer minor units. Provider DTOs never get here (the eSIM Go gateway maps them), and the public Bundle of
 * @ttelgo/contracts is produced only by toPublicBundle, with a retail price the caller computed.
 */
import type { Bundle, Country, Money, Network } from '@ttelgo/contracts';

export type { Country, Money, Network };

export interface CatalogueBundle {
  name: string;
  description: string;
  /** Covered countries, unique by ISO code, ISO upper case. */
  countries: Country[];
  /** Distinct regions of the covered countries (a multi-region bundle belongs to each). */
  regions: string[];
  dataMb: number;
  durationDays: number;
  unlimited: boolean;
  /** What eSIM Go charges us. */
  cost: Money;
  groups: string[];
  speed: string[];
  autostart: boolean;
  billingType: string | null;
  roamingEnabled: Country[];
}

export function regionsOf(countries: readonly Country[]): string[] {
  return [...new Set(countries.map((c) => c.region).filter((r) => r.length > 0))].sort();
}

/** What the catalogue adds to a sold bundle besides its price (see catalogue-pricing.ts). */
export interface PublicBundleExtras {
  topUpCompatible: boolean;
  recommendedRetailPrices: Money[];
}

/**
 * The bundles with every covered country's networks (eSIM Go publishes them per country, not per bundle). A country
 * without network data keeps none, rather than an empty list that would say "no network".
 */
export function withNetworks(bundles: readonly CatalogueBundle[], byIso: ReadonlyMap<string, readonly Network[]>): CatalogueBundle[] {
  return bundles.map((b) => ({
    ...b,
    countries: b.countries.map((c) => {
      const networks = byIso.get(c.iso);
      const { networks: _old, ...rest } = c;
      return networks && networks.length > 0 ? { ...rest, networks: networks.map((n) => ({ ...n, speeds: [...n.speeds] })) } : rest;
    }),
  }));
}

export function toPublicBundle(bundle: CatalogueBundle, price: Money, extras?: PublicBundleExtras): Bundle {
  return {
    name: bundle.name,
    description: bundle.description,
    countries: bundle.countries.map((c) => ({
      iso: c.iso,
      name: c.name,
      region: c.region,
      ...(c.networks ? { networks: c.networks.map((n) => ({ ...n, speeds: [...n.speeds] })) } : {}),
    })),
    dataMb: bundle.dataMb,
    durationDays: bundle.durationDays,
    unlimited: bundle.unlimited,
    price,
    ...(extras ?? {}),
  };
}
