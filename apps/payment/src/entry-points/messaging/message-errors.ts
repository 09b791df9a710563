import { PermanentError, TransientError } from '@ttelgo/messaging';
import { PaymentProviderError } from '../../application/payment-provider.port';
import { PaymentError } from '../../domain/payment.errors';

/**
 * How a command failure is retried: Stripe unavailable (or an unknown outcome) -> later, with the same
 * idempotency key; Stripe refusing, or a command that can never succeed -> the DLQ for an operator.
 */
export function toMessagingError(err: unknown): unknown {
  if (err instanceof PaymentProviderError) {
    return err.kind === 'unavailable' ? new TransientError(err.message, { cause: err }) : new PermanentError(err.message, { cause: err });
  }
  if (err instanceof PaymentError) {
    return err.status >= 500 ? new TransientError(`${err.code}: ${err.message}`, { cause: err }) : new PermanentError(`${err.code}: ${err.message}`, { cause: err });
  }
  return err;
}
