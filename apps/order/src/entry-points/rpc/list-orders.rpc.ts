import { ListOrdersV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { ListOrdersUseCase } from '../../application/list-orders.use-case';

/** order.list-orders.v1; a cursor we did not issue is INVALID_CURSOR (400). */
export function registerListOrdersRpc(server: RpcServer, useCase: ListOrdersUseCase): void {
  server.handle(ListOrdersV1, (req) => useCase.execute(req));
}
