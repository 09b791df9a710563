/**
 * An immutable, in-memory index of the active catalogue: bundles sorted by name (code-point order, the order
 * of the COLLATE "C" name column), plus per-country and per-region lists in the same order. A page is a binary
 * search for the keyset position plus a slice, so listing costs O(log n + limit) and never touches Postgres.
 *
 * A bundle belongs to a region when every country it covers is in that region (eSIM Go's own reading of its
 * `region` filter): local and regional bundles do, a global bundle spanning several regions does not.
 */
import type { CatalogueBundle } from './catalogue-bundle';
import { normaliseFilters, type CatalogueFilters } from './catalogue-cursor';

const byName = (a: CatalogueBundle, b: CatalogueBundle): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Index of the first bundle whose name is greater than `after`. */
function firstAfter(sorted: readonly CatalogueBundle[], after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as CatalogueBundle).name <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CatalogueIndex {
  private readonly all: readonly CatalogueBundle[];
  private readonly byNameMap: ReadonlyMap<string, CatalogueBundle>;
  private readonly byCountry: ReadonlyMap<string, readonly CatalogueBundle[]>;
  private readonly byRegion: ReadonlyMap<string, readonly CatalogueBundle[]>;

  constructor(
    bundles: readonly CatalogueBundle[],
    /** The sync revision this index was built from (null before the first sync). */
    readonly revision: string | null,
  ) {
    this.all = [...bundles].sort(byName);
    this.byNameMap = new Map(this.all.map((b) => [b.name, b]));
    const countries = new Map<string, CatalogueBundle[]>();
    const regions = new Map<string, CatalogueBundle[]>();
    for (const bundle of this.all) {
      for (const iso of new Set(bundle.countries.map((c) => c.iso.toUpperCase()))) push(countries, iso, bundle);
      const region = regionOf(bundle);
      if (region !== undefined) push(regions, region, bundle);
    }
    this.byCountry = countries;
    this.byRegion = regions;
  }

  get size(): number {
    return this.all.length;
  }

  get(name: string): CatalogueBundle | undefined {
    return this.byNameMap.get(name);
  }

  /** Up to `limit` bundles matching the filters with a name greater than `after`, in name order. */
  list(filters: CatalogueFilters, after: string | undefined, limit: number): CatalogueBundle[] {
    const f = normaliseFilters(filters);
    let source: readonly CatalogueBundle[] = this.all;
    if (f.country !== undefined) source = this.byCountry.get(f.country) ?? [];
    else if (f.region !== undefined) source = this.byRegion.get(f.region) ?? [];
    const start = after === undefined ? 0 : firstAfter(source, after);
    if (f.country === undefined || f.region === undefined) return source.slice(start, start + limit);
    // Both filters: walk the (short) country list and keep those also in the region.
    const region = f.region;
    const out: CatalogueBundle[] = [];
    for (let i = start; i < source.length && out.length < limit; i++) {
      const bundle = source[i] as CatalogueBundle;
      if (regionOf(bundle) === region) out.push(bundle);
    }
    return out;
  }
}

/** The single region all of the bundle's countries are in (lower case), or undefined for a multi-region one. */
export function regionOf(bundle: CatalogueBundle): string | undefined {
  const regions = new Set(bundle.countries.map((c) => c.region.toLowerCase()));
  if (regions.size !== 1) return undefined;
  const [region] = regions;
  return region === '' ? undefined : region;
}

function push(map: Map<string, CatalogueBundle[]>, key: string, bundle: CatalogueBundle): void {
  const list = map.get(key);
  if (list) list.push(bundle);
  else map.set(key, [bundle]);
}
