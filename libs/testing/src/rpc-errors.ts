/**
 * What a test double's RPC handler throws to answer with a coded error: the RpcServer sends any error with a
 * `code` and a 4xx/5xx `status` back as it is, and the caller sees an RpcRemoteError with the same code and status.
 */
export class CodedRpcError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CodedRpcError';
  }
}

/** The fields of @ttelgo/messaging's RpcRemoteError (which this kit cannot import: messaging's tests import the kit). */
export interface RemoteRpcFailure extends Error {
  readonly code: string;
  readonly status: number;
}

/** The RpcRemoteError an RPC call fails with; fails the test when the call succeeds or fails in any other way. */
export async function rpcRemoteError(call: Promise<unknown>): Promise<RemoteRpcFailure> {
  try {
    await call;
  } catch (err) {
    if (err instanceof Error && err.name === 'RpcRemoteError') return err as RemoteRpcFailure;
    throw err;
  }
  throw new Error('expected the RPC to fail');
}
