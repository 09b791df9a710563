import { ContractViolationError } from '@ttelgo/contracts';
import { AppError, isAppError } from '@ttelgo/http';
import { BrokerUnavailableError, RpcRemoteError, RpcTimeoutError } from '@ttelgo/messaging';

/** Seconds a client should wait before retrying while the broker (or the service behind it) is unavailable. */
export const RETRY_AFTER_SECONDS = '5';

/**
 * Maps a failed RPC to the problem the public API answers with. Only what a client can act on goes out: a coded
 * 4xx from the service (BUNDLE_NOT_FOUND, INVALID_CURSOR) keeps its code, status and message; 5xx details, broker
 * errors and contract violations stay in the logs.
 */
export function rpcErrorToAppError(err: unknown, service: string): AppError | undefined {
  if (isAppError(err)) return err;
  if (err instanceof RpcTimeoutError) {
    return new AppError('UPSTREAM_TIMEOUT', 504, `The ${service} service did not answer in time.`, { cause: err });
  }
  if (err instanceof BrokerUnavailableError) {
    return new AppError('SERVICE_UNAVAILABLE', 503, `The ${service} service is unavailable; retry later.`, {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      cause: err,
    });
  }
  if (err instanceof RpcRemoteError) {
    const status = Number.isInteger(err.status) ? err.status : 500;
    if (status >= 400 && status < 500) return new AppError(err.code, status, err.message, { cause: err });
    if (status === 503) {
      return new AppError('SERVICE_UNAVAILABLE', 503, `The ${service} service is unavailable; retry later.`, {
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
        cause: err,
      });
    }
    if (status === 504) return new AppError('UPSTREAM_TIMEOUT', 504, `The ${service} service did not answer in time.`, { cause: err });
    return new AppError('UPSTREAM_ERROR', 502, `The ${service} service failed to answer the request.`, { cause: err });
  }
  if (err instanceof ContractViolationError) {
    return new AppError('UPSTREAM_ERROR', 502, `The ${service} service answered with an invalid response.`, { cause: err });
  }
  // Anything else is our own bug: the error handler logs it and answers a bare 500.
  return undefined;
}
