import { ContractViolationError } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import { BrokerUnavailableError, PublishTimeoutError, RpcRemoteError, RpcTimeoutError } from '@ttelgo/messaging';
import { rpcErrorToAppError } from './rpc-error.mapper';

const map = (err: unknown) => rpcErrorToAppError(err, 'esim-provisioning');

describe('rpcErrorToAppError', () => {
  it('timeout -> 504 UPSTREAM_TIMEOUT', () => {
    expect(map(new RpcTimeoutError('esim.get-bundle.v1', 500))).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('broker unavailable (and its subclasses) -> 503 SERVICE_UNAVAILABLE with Retry-After', () => {
    for (const err of [new BrokerUnavailableError(), new PublishTimeoutError(1000)]) {
      const mapped = map(err);
      expect(mapped).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(mapped?.headers?.['Retry-After']).toMatch(/^\d+$/);
    }
  });

  it('a coded 4xx from the service keeps its status, code and message', () => {
    expect(map(new RpcRemoteError('BUNDLE_NOT_FOUND', 404, 'No bundle named x.'))).toMatchObject({
      status: 404,
      code: 'BUNDLE_NOT_FOUND',
      detail: 'No bundle named x.',
    });
    expect(map(new RpcRemoteError('INVALID_CURSOR', 400, 'bad cursor'))).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
  });

  it('a 5xx from the service never passes its message on', () => {
    const mapped = map(new RpcRemoteError('INTERNAL_ERROR', 500, 'db password=hunter2'));
    expect(mapped).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR' });
    expect(mapped?.detail).not.toContain('hunter2');
    expect(map(new RpcRemoteError('INVALID_RESPONSE', 502, 'reply violates'))).toMatchObject({ status: 502, code: 'UPSTREAM_ERROR' });
    expect(map(new RpcRemoteError('PROVIDER_DOWN', 503, 'esimgo'))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });

  it('a contract violation -> 502; an AppError passes; anything else is left to the 500 handler', () => {
    expect(map(new ContractViolationError('esim.list-bundles.v1', []))).toMatchObject({ status: 502 });
    const appError = new AppError('X', 409);
    expect(map(appError)).toBe(appError);
    expect(map(new TypeError('bug'))).toBeUndefined();
  });
});
