import { GetOrderV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { GetOrderUseCase } from '../../application/get-order.use-case';

/** order.get-order.v1; another owner's order is ORDER_NOT_FOUND (404). */
export function registerGetOrderRpc(server: RpcServer, useCase: GetOrderUseCase): void {
  server.handle(GetOrderV1, (req) => useCase.execute(req));
}
