/**
 * Coded errors of vendor-billing. They carry a stable `code` and the HTTP-like `status` the edge should use;
 * the RPC server turns them into `{ ok: false, error: { code, message, status } }`, the gateway into problem+json.
 */
export type BillingErrorCode =
  | 'VENDOR_NOT_FOUND'
  | 'REQUEST_KEY_REUSED'
  | 'INVALID_CURRENCY'
  | 'INVALID_CURSOR'
  | 'INSUFFICIENT_FUNDS'
  | 'CREDIT_LIMIT_EXCEEDED'
  | 'CREDIT_LIMIT_NOT_APPLICABLE'
  | 'CREDIT_LIMIT_BELOW_EXPOSURE'
  | 'TOPUP_NOT_AVAILABLE'
  | 'STATEMENT_NOT_AVAILABLE'
  | 'PAYMENT_UNAVAILABLE'
  | 'AMOUNT_OUT_OF_RANGE'
  | 'UNBALANCED_TRANSACTION'
  | 'ORDER_NOT_CHARGED'
  | 'PAYMENT_NOT_APPLICABLE'
  | 'CURRENCY_MISMATCH';

export class BillingError extends Error {
  constructor(
    readonly code: BillingErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BillingError';
  }
}

export const vendorNotFound = (id: string): BillingError => new BillingError('VENDOR_NOT_FOUND', 404, `vendor ${id} does not exist`);
export const requestKeyReused = (what: string): BillingError =>
  new BillingError('REQUEST_KEY_REUSED', 422, `this request key was already used for a different ${what}`);
export const invalidCursor = (): BillingError => new BillingError('INVALID_CURSOR', 400, 'the cursor is not valid');
export const insufficientFunds = (detail: string): BillingError => new BillingError('INSUFFICIENT_FUNDS', 409, detail);
export const creditLimitExceeded = (detail: string): BillingError => new BillingError('CREDIT_LIMIT_EXCEEDED', 409, detail);
export const topupNotAvailable = (): BillingError =>
  new BillingError('TOPUP_NOT_AVAILABLE', 409, 'top-ups are for PREPAID vendors; a POSTPAID vendor buys against its credit limit');
export const statementNotAvailable = (): BillingError =>
  new BillingError('STATEMENT_NOT_AVAILABLE', 409, 'monthly statements are for POSTPAID vendors; a PREPAID wallet has its ledger');
export const paymentUnavailable = (detail: string): BillingError =>
  new BillingError('PAYMENT_UNAVAILABLE', 503, `the payment service is not available right now (${detail}); retry with the same request key`);
export const paymentNotApplicable = (): BillingError =>
  new BillingError('PAYMENT_NOT_APPLICABLE', 409, 'payments settle what a POSTPAID vendor owes; a PREPAID vendor tops up its wallet by card');
export const currencyMismatch = (given: string, expected: string): BillingError =>
  new BillingError('CURRENCY_MISMATCH', 422, `the payment is in ${given} but the vendor is billed in ${expected}`);
