/**
 * place-order asked vendor-billing (billing.get-vendor.v1) and esim-provisioning (esim.get-bundle.v1) on every
 * order: two RPC round trips, four messages and two lookups in other services per order, for answers that change
 * rarely. They are cached per replica:
 * - vendor terms (status, markup) for at most VENDOR_CACHE_TTL_MS (<= 5 s, as in the gateway), and dropped at once
 *   on billing.vendor-changed.v1. A stale ACTIVE status cannot let a suspended vendor spend: vendor-billing checks
 *   the status again when it reserves the funds and rejects the hold (the order becomes REJECTED VENDOR_SUSPENDED).
 * - bundle prices (per bundle and markup) for at most BUNDLE_PRICE_CACHE_TTL_MS, and dropped at once on
 *   esim.catalogue-updated.v1: the gateway's catalogue cache shows vendors prices with the same freshness.
 * Errors (unknown vendor or bundle, a service away) are never cached.
 */
import type { Money } from '../domain/money';
import type { CataloguePort, VendorsPort, VendorTerms } from '../application/ports';
import { TtlCache } from './ttl.cache';

export class CachedVendors implements VendorsPort {
  private readonly cache: TtlCache<VendorTerms>;

  constructor(
    private readonly inner: VendorsPort,
    opts: { ttlMs: number; maxEntries?: number },
  ) {
    this.cache = new TtlCache({ ttlMs: opts.ttlMs, maxEntries: opts.maxEntries ?? 10_000 });
  }

  terms(vendorId: string): Promise<VendorTerms> {
    return this.cache.getOrLoad(vendorId, () => this.inner.terms(vendorId));
  }

  invalidate(vendorId: string): void {
    this.cache.invalidate(vendorId);
  }
}

export class CachedCatalogue implements CataloguePort {
  private readonly cache: TtlCache<Money>;

  constructor(
    private readonly inner: CataloguePort,
    opts: { ttlMs: number; maxEntries?: number },
  ) {
    this.cache = new TtlCache({ ttlMs: opts.ttlMs, maxEntries: opts.maxEntries ?? 10_000 });
  }

  unitPrice(bundleName: string, markupBps?: number): Promise<Money> {
    return this.cache.getOrLoad(`${markupBps ?? 'retail'}:${bundleName}`, () => this.inner.unitPrice(bundleName, markupBps));
  }

  /** Never cached: it depends on the eSIM and on eSIM Go's answer of the moment. */
  topupPrice(req: Parameters<CataloguePort['topupPrice']>[0]): Promise<Money> {
    return this.inner.topupPrice(req);
  }

  invalidateAll(): void {
    this.cache.invalidateAll();
  }
}
