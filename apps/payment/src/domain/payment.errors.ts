/**
 * Coded errors of the payment domain. They carry a stable `code` and the HTTP-like `status` the edge should use;
 * the RPC server turns them into `{ ok: false, error: { code, message, status } }`.
 */
export type PaymentErrorCode =
  | 'PAYMENT_REFERENCE_CONFLICT'
  | 'PAYMENT_NOT_FOUND'
  | 'PAYMENT_NOT_REFUNDABLE'
  | 'PAYMENT_PROVIDER_UNAVAILABLE'
  | 'PAYMENT_PROVIDER_REJECTED'
  | 'INVALID_STRIPE_EVENT';

export class PaymentError extends Error {
  constructor(
    readonly code: PaymentErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PaymentError';
  }
}

export function referenceConflict(referenceId: string, detail: string): PaymentError {
  return new PaymentError('PAYMENT_REFERENCE_CONFLICT', 409, `a payment for ${referenceId} already exists with other terms: ${detail}`);
}

export function paymentNotFound(referenceId: string): PaymentError {
  return new PaymentError('PAYMENT_NOT_FOUND', 404, `no payment for reference ${referenceId}`);
}

export function notRefundable(referenceId: string, status: string): PaymentError {
  return new PaymentError('PAYMENT_NOT_REFUNDABLE', 409, `payment ${referenceId} holds no money to refund (status ${status})`);
}

export function providerUnavailable(detail: string): PaymentError {
  return new PaymentError('PAYMENT_PROVIDER_UNAVAILABLE', 503, `the payment provider is not available: ${detail}`);
}

export function providerRejected(detail: string): PaymentError {
  return new PaymentError('PAYMENT_PROVIDER_REJECTED', 422, `the payment provider refused the request: ${detail}`);
}

export function invalidStripeEvent(detail: string): PaymentError {
  return new PaymentError('INVALID_STRIPE_EVENT', 400, `invalid Stripe event: ${detail}`);
}
