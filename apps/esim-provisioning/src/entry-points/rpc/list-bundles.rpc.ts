import { ListBundlesV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { ListBundlesUseCase } from '../../application/list-bundles.use-case';

/** esim.list-bundles.v1: the request is already validated against the contract by RpcServer. */
export function registerListBundlesRpc(server: RpcServer, useCase: ListBundlesUseCase): void {
  server.handle(ListBundlesV1, (req) => useCase.execute(req));
}
