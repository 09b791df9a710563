/**
 * The catalogue as this service understands it: eSIM Go's bundle reduced to what we sell, with the cost in
 * integer minor units. Provider DTOs never get here (the eSIM Go gateway maps them), and the public Bundle of
 * @ttelgo/contracts is produced only by toPublicBundle, with a retail price the caller computed.
 */
import type { Bundle, Country, Money } from '@ttelgo/contracts';

export type { Country, Money };

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

export function toPublicBundle(bundle: CatalogueBundle, price: Money): Bundle {
  return {
    name: bundle.name,
    description: bundle.description,
    countries: bundle.countries.map((c) => ({ iso: c.iso, name: c.name, region: c.region })),
    dataMb: bundle.dataMb,
    durationDays: bundle.durationDays,
    unlimited: bundle.unlimited,
    price,
  };
}
