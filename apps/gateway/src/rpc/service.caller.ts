import type { RpcContract } from '@ttelgo/contracts';
import type { RpcClient } from '@ttelgo/messaging';
import { rpcErrorToAppError } from './rpc-error.mapper';

/** What routes and use cases see of another service: a typed call that fails with an AppError only. */
export interface ServiceCaller {
  call<Req, Res>(contract: RpcContract<Req, Res>, request: Req): Promise<Res>;
}

/** Service names for messages, by contract owner (the RPC queue's owner). */
const SERVICE_BY_OWNER: Record<string, string> = {
  esim: 'esim-provisioning',
  order: 'order',
  payment: 'payment',
  billing: 'vendor-billing',
  notification: 'notification',
};

export function createServiceCaller(client: Pick<RpcClient, 'call'>, opts: { timeoutMs: number }): ServiceCaller {
  return {
    async call<Req, Res>(contract: RpcContract<Req, Res>, request: Req): Promise<Res> {
      try {
        return await client.call(contract, request, { timeoutMs: opts.timeoutMs });
      } catch (err) {
        const service = SERVICE_BY_OWNER[contract.owner] ?? contract.owner;
        const mapped = rpcErrorToAppError(err, service);
        // 5xx problems are logged once, with this cause, by the HTTP error handler.
        throw mapped ?? err;
      }
    },
  };
}
