/**
 * Who is calling the reseller API: the X-API-Key header -> key row (by keyId) -> constant-time hash check -> not
 * revoked -> the vendor (vendor-billing) -> ACTIVE. Both lookups are cached per replica for at most `ttlMs`
 * (VENDOR_CACHE_TTL_MS, <= 5 s), which bounds how long a revocation or a suspension can go unnoticed by any replica:
 * - a revoked key: the replica that revoked drops its entry at once; every other replica re-reads the row within ttlMs;
 * - a suspended vendor: billing.vendor-changed.v1 drops the entry on every replica at once (broadcast consumer), and
 *   the TTL bounds it anyway if that event is lost or late.
 */
import { GetVendorV1, type VendorView } from '@ttelgo/contracts';
import { AppError, isAppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { parseApiKey } from '../domain/api-key';
import { secretMatches, type ApiKeyRow } from '../infrastructure/api-key.repository';
import type { ResponseCache } from '../infrastructure/response.cache';
import type { ServiceCaller } from '../rpc/service.caller';

export const API_KEY_HEADER = 'X-API-Key';

export interface VendorPrincipal {
  vendorId: string;
  keyId: string;
  vendor: VendorView;
  /** False for a test key (`ttk_test_...`): the request is served by the sandbox cell. */
  livemode: boolean;
}

export const apiKeyRequired = () => new AppError('API_KEY_REQUIRED', 401, `This route needs an API key (header ${API_KEY_HEADER}).`);
/** One answer for a malformed, unknown, wrong or revoked key: nothing to enumerate. */
export const invalidApiKey = () => new AppError('INVALID_API_KEY', 401, 'The API key is not valid.');
export const vendorSuspended = () => new AppError('VENDOR_SUSPENDED', 403, 'This reseller account is suspended; contact support.');

export interface ApiKeyLookup {
  findById(keyId: string): Promise<ApiKeyRow | undefined>;
}

/** vendor-billing's view of a vendor, cached per replica; dropped on billing.vendor-changed.v1. */
export class VendorDirectory {
  constructor(
    private readonly billing: ServiceCaller,
    private readonly cache: ResponseCache<VendorView>,
  ) {}

  get(vendorId: string): Promise<VendorView> {
    return this.cache.getOrLoad(vendorId, () => this.billing.call(GetVendorV1, { vendorId }));
  }

  invalidate(vendorId: string): void {
    this.cache.invalidate(vendorId);
  }
}

export class VendorAccess {
  constructor(
    private readonly deps: {
      keys: ApiKeyLookup;
      /** Key rows by keyId (null: no such key), for at most the vendor cache TTL. */
      keyCache: ResponseCache<ApiKeyRow | null>;
      vendors: VendorDirectory;
      logger: Logger;
    },
  ) {}

  async authenticate(header: string | string[] | undefined): Promise<VendorPrincipal> {
    if (header === undefined || header === '') throw apiKeyRequired();
    // A repeated header arrives joined or as an array: neither is a key.
    const parsedKey = typeof header === 'string' ? parseApiKey(header.trim()) : undefined;
    if (!parsedKey) throw invalidApiKey();
    const row = await this.deps.keyCache.getOrLoad(parsedKey.keyId, async () => (await this.deps.keys.findById(parsedKey.keyId)) ?? null);
    // Hash-compare even for an unknown key id, so the answer time does not tell known ids from unknown ones.
    const matches = secretMatches(parsedKey.secret, row?.secretHash ?? '0'.repeat(64));
    // A key is only ever valid with the prefix it was issued with: a test key's secret never opens the live platform.
    if (!row || !matches || row.revokedAt !== null || row.mode !== parsedKey.mode) {
      this.deps.logger.info({ keyId: parsedKey.keyId, known: Boolean(row), revoked: Boolean(row?.revokedAt) }, 'API key refused');
      throw invalidApiKey();
    }
    let vendor: VendorView;
    try {
      vendor = await this.deps.vendors.get(row.vendorId);
    } catch (err) {
      // The key outlived its vendor: the key is what is wrong. Billing being down stays a 503/504 (fail closed).
      if (isAppError(err) && err.status === 404) throw invalidApiKey();
      throw err;
    }
    if (vendor.status !== 'ACTIVE') throw vendorSuspended();
    return { vendorId: row.vendorId, keyId: row.id, vendor, livemode: row.mode !== 'test' };
  }

  /** After a revocation on this replica: no wait for the TTL here. */
  forgetKey(keyId: string): void {
    this.deps.keyCache.invalidate(keyId);
  }
}
