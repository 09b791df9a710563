/**
 * Reads eSIM Go's whole catalogue and maps it to domain bundles (cost in integer minor units). This is where
 * provider vocabulary (dataAmount, duration, price as a decimal, roamingEnabled as list-or-flag) is translated;
 * nothing outside infrastructure/ sees an eSIM Go DTO.
 */
import { ESIMGO_MAX_PAGE_SIZE } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { regionsOf, type CatalogueBundle, type Country } from '../../domain/catalogue-bundle';
import { toMinorUnits } from '../../domain/money';
import type { EsimGoClient } from './esimgo.client';
import { EsimGoBundleDto, EsimGoCataloguePageDto, type EsimGoCountryDto } from './esimgo.dto';
import { EsimGoResponseError } from './esimgo.errors';

export interface CatalogueSource {
  listAllBundles(): Promise<CatalogueBundle[]>;
}

export interface EsimGoCatalogueGatewayOptions {
  /** eSIM Go prices in the organisation's currency; we are told which one it is. */
  currency: string;
  logger: Logger;
  /** At most 50 (the default): eSIM Go documents no cap, and a public client keeps to 50 to avoid errors. */
  perPage?: number;
  /** A runaway paging loop (a provider whose pages never end) stops here. */
  maxPages?: number;
  /** More invalid bundles than this share of a page fails the sync instead of withdrawing them. */
  maxInvalidShare?: number;
}

function mapCountries(list: readonly EsimGoCountryDto[] | null | undefined): Country[] {
  const seen = new Map<string, Country>();
  for (const c of list ?? []) {
    const iso = c.iso.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(iso) || seen.has(iso)) continue;
    seen.set(iso, { iso, name: c.name?.trim() || iso, region: c.region?.trim() ?? '' });
  }
  return [...seen.values()].sort((a, b) => (a.iso < b.iso ? -1 : a.iso > b.iso ? 1 : 0));
}

export class EsimGoCatalogueGateway implements CatalogueSource {
  private readonly perPage: number;
  private readonly maxPages: number;
  private readonly maxInvalidShare: number;

  constructor(
    private readonly client: EsimGoClient,
    private readonly opts: EsimGoCatalogueGatewayOptions,
  ) {
    this.perPage = Math.min(opts.perPage ?? ESIMGO_MAX_PAGE_SIZE, ESIMGO_MAX_PAGE_SIZE);
    this.maxPages = opts.maxPages ?? 200;
    this.maxInvalidShare = opts.maxInvalidShare ?? 0.1;
  }

  /**
   * Every bundle, page by page (1-based) up to pageCount, or to an empty page when eSIM Go sends no pageCount
   * (a page shorter than asked is not the end); duplicates across pages are dropped.
   */
  async listAllBundles(): Promise<CatalogueBundle[]> {
    const byName = new Map<string, CatalogueBundle>();
    for (let page = 1; page <= this.maxPages; page++) {
      const answer = await this.client.get('catalogue.list', '/catalogue', { page, perPage: this.perPage }, EsimGoCataloguePageDto);
      const raw = Array.isArray(answer) ? answer : answer.bundles;
      for (const bundle of this.mapPage(raw, page)) if (!byName.has(bundle.name)) byName.set(bundle.name, bundle);
      const pageCount = Array.isArray(answer) ? undefined : answer.pageCount;
      if (raw.length === 0 || (typeof pageCount === 'number' && page >= pageCount)) return [...byName.values()];
    }
    throw new EsimGoResponseError(`catalogue paging did not end after ${this.maxPages} pages of ${this.perPage}`);
  }

  private mapPage(raw: readonly unknown[], page: number): CatalogueBundle[] {
    const out: CatalogueBundle[] = [];
    const invalid: string[] = [];
    for (const item of raw) {
      const parsed = EsimGoBundleDto.safeParse(item);
      if (!parsed.success) {
        invalid.push(`${(item as { name?: unknown } | null)?.name ?? '?'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        continue;
      }
      const mapped = this.toDomain(parsed.data);
      if (typeof mapped === 'string') invalid.push(`${parsed.data.name}: ${mapped}`);
      else out.push(mapped);
    }
    if (invalid.length > 0) {
      this.opts.logger.warn({ page, invalid: invalid.slice(0, 10), count: invalid.length }, 'eSIM Go catalogue page has invalid bundles; skipped');
      // Skipped bundles would be withdrawn: when many are odd, the provider changed shape and we stop instead.
      if (invalid.length > raw.length * this.maxInvalidShare) {
        throw new EsimGoResponseError(`${invalid.length} of ${raw.length} bundles on catalogue page ${page} are invalid`);
      }
    }
    return out;
  }

  /** The domain bundle, or why the DTO cannot be sold. */
  private toDomain(dto: EsimGoBundleDto): CatalogueBundle | string {
    const countries = mapCountries(dto.countries);
    if (countries.length === 0) return 'no valid country';
    let cost: number;
    try {
      cost = toMinorUnits(dto.price, this.opts.currency);
    } catch (err) {
      return (err as Error).message;
    }
    if (cost < 0) return 'negative price';
    const roaming = Array.isArray(dto.roamingEnabled) ? mapCountries(dto.roamingEnabled) : [];
    const unlimited = dto.unlimited ?? false;
    const speed = dto.speed == null ? [] : Array.isArray(dto.speed) ? dto.speed : [dto.speed];
    return {
      name: dto.name,
      description: dto.description?.trim() ?? '',
      countries,
      regions: regionsOf(countries),
      dataMb: Math.max(0, Math.round(dto.dataAmount ?? 0)),
      durationDays: Math.max(0, Math.round(dto.duration ?? 0)),
      unlimited,
      cost: { amount: cost, currency: this.opts.currency },
      groups: [...(dto.groups ?? [])].sort(),
      speed: [...speed].sort(),
      autostart: dto.autostart ?? false,
      billingType: dto.billingType ?? null,
      roamingEnabled: roaming,
    };
  }
}
