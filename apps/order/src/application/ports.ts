/** What the use cases need from other services; infrastructure implements them over RPC. */
import type { Money } from '../domain/money';
import type { PaymentIntentRef } from '../domain/order';

export interface CataloguePort {
  /** The retail unit price of a bundle. Throws BUNDLE_NOT_FOUND (404) or CATALOGUE_UNAVAILABLE (503). */
  unitPrice(bundleName: string): Promise<Money>;
}

export interface PaymentsPort {
  /**
   * Creates (or, for the same order, finds again: payment keys it on the order id) the card payment intent.
   * Throws PAYMENT_UNAVAILABLE (503) when payment cannot be reached or fails.
   */
  createIntent(req: { orderId: string; amount: Money; customerEmail: string | null; description: string }): Promise<PaymentIntentRef>;
}
