/**
 * What provisioning needs from eSIM Go, in our words. The implementation (infrastructure/esimgo) translates
 * HTTP outcomes into the three error kinds below, so the use case decides on kinds, never on status codes.
 */
import type { EsimInstallData } from '../domain/esim-install';

export interface FoundProviderOrder {
  reference: string;
  createdAt: Date;
  /** Matched on our order id (the simulator's clientReference), not just on time window + item + quantity. */
  exact: boolean;
}

export interface EsimUsageSnapshot {
  initialBytes: number | null;
  remainingBytes: number | null;
  /** eSIM Go's bundleState: Processing, Queued, Active, Depleted, Expired, Revoked, Lapsed. */
  state: string;
  /** When the bundle ends, once eSIM Go knows (it starts at first use). */
  endsAt: Date | null;
}

export interface ProvisioningProvider {
  /**
   * eSIM Go orders that may be the one an earlier attempt of this order placed: the exact match on our order
   * id where the provider keeps it, else orders of the same item and quantity created since `notBefore`.
   */
  findOrders(q: { orderId: string; bundleName: string; quantity: number; notBefore: Date }): Promise<FoundProviderOrder[]>;
  /** Buys once. Never retried inside: a lost answer is PurchaseOutcomeUnknownError. */
  purchase(q: { orderId: string; bundleName: string; quantity: number }): Promise<{ reference: string }>;
  /** Install data of every eSIM of an eSIM Go order (retries transient errors, honours Retry-After). */
  installData(reference: string): Promise<EsimInstallData[]>;
  /** Usage of the bundle on an eSIM; undefined when eSIM Go shows no such bundle. */
  usage(iccid: string, bundleName: string, reference: string | null): Promise<EsimUsageSnapshot | undefined>;
}

/** eSIM Go refused the purchase for good (insufficient balance, unknown or unavailable bundle). */
export class PurchaseRejectedError extends Error {
  override readonly name = 'PurchaseRejectedError';
  constructor(
    readonly code: string,
    readonly reason: string,
  ) {
    super(`eSIM Go refused the purchase: ${code}: ${reason}`);
  }
}

/** The purchase may or may not have happened (no answer, or an unreadable one): reconcile before any retry. */
export class PurchaseOutcomeUnknownError extends Error {
  override readonly name = 'PurchaseOutcomeUnknownError';
}

/** eSIM Go cannot be used right now (5xx, 429, breaker open, network): try again later. */
export class ProviderTemporaryError extends Error {
  override readonly name = 'ProviderTemporaryError';
}
