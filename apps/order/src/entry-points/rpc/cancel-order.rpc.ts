import { CancelOrderV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { CancelOrderUseCase } from '../../application/cancel-order.use-case';

/** order.cancel-order.v1 (the owner, a reseller): ORDER_NOT_FOUND 404, NOT_CANCELLABLE 409 with the reason. */
export function registerCancelOrderRpc(server: RpcServer, useCase: CancelOrderUseCase): void {
  server.handle(CancelOrderV1, (req, envelope) => useCase.execute(req, { messageId: envelope.id }));
}
