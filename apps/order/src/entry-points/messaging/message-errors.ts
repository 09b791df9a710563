import { PermanentError } from '@ttelgo/messaging';
import { OrderError } from '../../domain/order.errors';

/**
 * A message about an order we do not have cannot succeed on retry (orders exist before any intent or provision
 * command does): dead-letter it for a human. Everything else (database away, a lock timeout) is retried.
 */
export function classifyHandlerError(err: unknown): unknown {
  if (err instanceof OrderError && err.code === 'ORDER_NOT_FOUND') return new PermanentError(err.message, { cause: err });
  return err;
}
