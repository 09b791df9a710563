/**
 * What provisioning needs from eSIM Go, in our words. The implementation (infrastructure/esimgo) translates
 * HTTP outcomes into the three error kinds below, so the use case decides on kinds, never on status codes.
 */
import type { EsimInstallData } from '../domain/esim-install';

export interface FoundProviderOrder {
  reference: string;
  createdAt: Date;
  /** Matched on our order id, not just on time window + item + quantity. */
  exact: boolean;
  /** The eSIMs the order's bundles went onto (a top-up's: the eSIM it applied to). */
  iccids: string[];
}

/** One bundle assignment on an eSIM as eSIM Go shows it (GET /esims/{iccid}/bundles). */
export interface ProviderAssignment {
  bundleName: string;
  /** eSIM Go's assignment id (what the revoke endpoint takes). */
  assignmentId: string | null;
  /** The reference of the eSIM Go order (or apply) that assigned it. */
  reference: string | null;
  initialBytes: number | null;
  remainingBytes: number | null;
  /** eSIM Go's bundleState: Processing, Queued, Active, Depleted, Expired, Revoked, Lapsed. */
  state: string;
  unlimited: boolean | null;
  /** When it started (first use) and ends, once eSIM Go knows. */
  startsAt: Date | null;
  endsAt: Date | null;
}

export interface ProvisioningProvider {
  /**
   * eSIM Go orders that may be the one an earlier attempt of this order placed: the exact match on our order
   * id where the provider keeps it, else orders of the same item and quantity created since `notBefore`.
   */
  findOrders(q: { orderId: string; bundleName: string; quantity: number; notBefore: Date }): Promise<FoundProviderOrder[]>;
  /**
   * Buys once; with `iccid` (a top-up) the bundle goes onto that existing eSIM, never onto a new one. Never
   * retried inside: a lost answer is PurchaseOutcomeUnknownError.
   */
  purchase(q: { orderId: string; bundleName: string; quantity: number; iccid?: string | null }): Promise<{ reference: string }>;
  /** Install data of every eSIM of an eSIM Go order (retries transient errors, honours Retry-After). */
  installData(reference: string): Promise<EsimInstallData[]>;
  /** Every bundle assignment on an eSIM, used ones included. */
  bundles(iccid: string): Promise<ProviderAssignment[]>;
  /** Whether eSIM Go can apply this bundle to this eSIM (bundles of another network cannot top it up). */
  compatible(iccid: string, bundleName: string): Promise<boolean>;
}

/** eSIM Go refused the purchase for good (insufficient balance, unknown or unavailable bundle, not compatible). */
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
  override readonly name: string = 'ProviderTemporaryError';
}

/**
 * eSIM Go answered, but not in the documented shape (a provider-side change): not an answer we may act on, so
 * never taken as "nothing there". Temporary by kind (asked again later), counted and logged where it is found.
 */
export class ProviderContractError extends ProviderTemporaryError {
  override readonly name = 'ProviderContractError';
}

/**
 * eSIM Go refused our credentials or configuration (a 403 that is not about the account's balance): the request
 * was answered, so nothing was bought. Provisioning pauses until an operator fixes it; temporary by kind.
 */
export class ProviderAuthorisationError extends ProviderTemporaryError {
  override readonly name = 'ProviderAuthorisationError';
}
