/**
 * Coded errors of the order service. They carry a stable `code` and the HTTP-like `status` the edge should use;
 * the RPC server turns them into `{ ok: false, error: { code, message, status } }`, the gateway into problem+json.
 */
export type OrderErrorCode =
  | 'ORDER_NOT_FOUND'
  | 'BUNDLE_NOT_FOUND'
  | 'INVALID_CURSOR'
  | 'REQUEST_KEY_REUSED'
  | 'PAYMENT_UNAVAILABLE'
  | 'CATALOGUE_UNAVAILABLE'
  | 'ORDER_TOO_LARGE'
  | 'VENDOR_NOT_FOUND'
  | 'BILLING_UNAVAILABLE'
  | 'ORDER_NOT_REFUNDABLE'
  | 'ESIM_NOT_FOUND'
  | 'BUNDLE_NOT_COMPATIBLE'
  | 'PROVIDER_UNAVAILABLE'
  | 'QUOTE_NOT_FOUND'
  | 'VENDOR_SUSPENDED'
  | 'NOT_CANCELLABLE';

export class OrderError extends Error {
  constructor(
    readonly code: OrderErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'OrderError';
  }
}

export const orderNotFound = (id: string): OrderError => new OrderError('ORDER_NOT_FOUND', 404, `order ${id} does not exist`);
export const bundleNotFound = (name: string): OrderError =>
  new OrderError('BUNDLE_NOT_FOUND', 404, `bundle ${name} does not exist or is no longer sold`);
export const invalidCursor = (): OrderError => new OrderError('INVALID_CURSOR', 400, 'the cursor is not valid');
export const requestKeyReused = (): OrderError =>
  new OrderError('REQUEST_KEY_REUSED', 422, 'this request key was already used for a different order');
export const paymentUnavailable = (detail: string): OrderError =>
  new OrderError('PAYMENT_UNAVAILABLE', 503, `the payment service is not available right now (${detail}); retry with the same request key`);
export const catalogueUnavailable = (detail: string): OrderError =>
  new OrderError('CATALOGUE_UNAVAILABLE', 503, `the catalogue is not available right now (${detail}); retry shortly`);
export const orderTooLarge = (detail: string): OrderError => new OrderError('ORDER_TOO_LARGE', 422, detail);
export const vendorNotFound = (id: string): OrderError => new OrderError('VENDOR_NOT_FOUND', 404, `vendor ${id} does not exist`);
export const billingUnavailable = (detail: string): OrderError =>
  new OrderError('BILLING_UNAVAILABLE', 503, `vendor billing is not available right now (${detail}); retry with the same request key`);
/** A refund asked for an order that holds no charge to give back (not COMPLETED), or whose charge is not settled yet. */
export const orderNotRefundable = (detail: string): OrderError => new OrderError('ORDER_NOT_REFUNDABLE', 409, detail);
/** A top-up of an eSIM that does not exist or is not the caller's (the two are not told apart). */
export const esimNotFound = (iccid: string): OrderError => new OrderError('ESIM_NOT_FOUND', 404, `eSIM ${iccid} not found`);
/** eSIM Go cannot apply that bundle to that eSIM (another network): choose another bundle. */
export const bundleNotCompatible = (detail: string): OrderError => new OrderError('BUNDLE_NOT_COMPATIBLE', 422, detail);
/** eSIM Go could not be asked whether a top-up is possible: nothing stored, retry with the same request key. */
export const providerUnavailable = (detail: string): OrderError =>
  new OrderError('PROVIDER_UNAVAILABLE', 503, `eSIM Go is not available right now (${detail}); retry with the same request key`);
/** A quote that does not exist or is another owner's (the two are not told apart). */
export const quoteNotFound = (id: string): OrderError => new OrderError('QUOTE_NOT_FOUND', 404, `quote ${id} does not exist`);
/** A suspended vendor gets no quote (its orders are REJECTED with the same code). */
export const vendorSuspended = (): OrderError => new OrderError('VENDOR_SUSPENDED', 403, 'the vendor is suspended');
/** A cancellation of an order that is not an unused, completed vendor order within eSIM Go's refund window. */
export const notCancellable = (reason: string): OrderError => new OrderError('NOT_CANCELLABLE', 409, reason);
