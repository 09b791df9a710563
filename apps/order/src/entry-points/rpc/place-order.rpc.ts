import { PlaceOrderV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { PlaceOrderUseCase } from '../../application/place-order.use-case';

/** order.place-order.v1; coded errors (BUNDLE_NOT_FOUND 404, PAYMENT_UNAVAILABLE 503 ...) reach the caller as they are. */
export function registerPlaceOrderRpc(server: RpcServer, useCase: PlaceOrderUseCase): void {
  server.handle(PlaceOrderV1, (req, envelope) => useCase.execute(req, { causationId: envelope.id }));
}
