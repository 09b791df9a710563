import { RefundOrderV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { RefundOrderUseCase } from '../../application/refund-order.use-case';

/** order.refund-order.v1 (admin only, checked by the gateway): ORDER_NOT_FOUND 404, ORDER_NOT_REFUNDABLE 409. */
export function registerRefundOrderRpc(server: RpcServer, useCase: RefundOrderUseCase): void {
  server.handle(RefundOrderV1, (req, envelope) => useCase.execute(req, { messageId: envelope.id }));
}
