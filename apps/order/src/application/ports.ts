/** What the use cases need from other services; infrastructure implements them over RPC. */
import type { Money } from '../domain/money';
import type { Owner, PaymentIntentRef } from '../domain/order';

export interface CataloguePort {
  /**
   * The unit price of a bundle: retail, or at a vendor's markup when `markupBps` is given. Throws
   * BUNDLE_NOT_FOUND (404) or CATALOGUE_UNAVAILABLE (503).
   */
  unitPrice(bundleName: string, markupBps?: number): Promise<Money>;
  /**
   * The price of a top-up of the owner's eSIM with a bundle, once esim-provisioning (and eSIM Go) said it can be
   * applied; never cached. Throws ESIM_NOT_FOUND (404, also another owner's eSIM), BUNDLE_NOT_FOUND (404),
   * BUNDLE_NOT_COMPATIBLE (422), PROVIDER_UNAVAILABLE or CATALOGUE_UNAVAILABLE (503).
   */
  topupPrice(req: { owner: Owner; iccid: string; bundleName: string; markupBps?: number }): Promise<Money>;
}

/** What a B2B order needs to know about its vendor, from vendor-billing. */
export interface VendorTerms {
  status: 'ACTIVE' | 'SUSPENDED';
  markupBps: number;
}

export interface VendorsPort {
  /** Throws VENDOR_NOT_FOUND (404) or BILLING_UNAVAILABLE (503). */
  terms(vendorId: string): Promise<VendorTerms>;
}

export interface PaymentsPort {
  /**
   * Creates (or, for the same order, finds again: payment keys it on the order id) the card payment intent.
   * Throws PAYMENT_UNAVAILABLE (503) when payment cannot be reached or fails.
   */
  createIntent(req: { orderId: string; amount: Money; customerEmail: string | null; description: string }): Promise<PaymentIntentRef>;
}
