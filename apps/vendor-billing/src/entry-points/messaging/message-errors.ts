import { PermanentError } from '@ttelgo/messaging';
import { BillingError } from '../../domain/billing.errors';

/**
 * A coded error below 500 (an unknown top-up, a paid amount that differs, an invalid amount) cannot succeed on
 * retry: dead-letter it for an operator. Everything else (database away, a deadlock, a hold not there yet) is retried.
 */
export function classifyHandlerError(err: unknown): unknown {
  if (err instanceof BillingError && err.status < 500) return new PermanentError(`${err.code}: ${err.message}`, { cause: err });
  return err;
}
