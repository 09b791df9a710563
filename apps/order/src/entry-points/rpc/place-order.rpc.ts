import { PlaceOrderV1, PlaceTopupV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { PlaceOrderUseCase } from '../../application/place-order.use-case';

/**
 * order.place-order.v1 and order.place-topup.v1 (one bundle onto the owner's eSIM); coded errors (BUNDLE_NOT_FOUND
 * 404, ESIM_NOT_FOUND 404, BUNDLE_NOT_COMPATIBLE 422, PAYMENT_UNAVAILABLE 503 ...) reach the caller as they are.
 */
export function registerPlaceOrderRpc(server: RpcServer, useCase: PlaceOrderUseCase): void {
  server.handle(PlaceOrderV1, (req, envelope) => useCase.execute(req, { causationId: envelope.id }));
  server.handle(PlaceTopupV1, (req, envelope) => {
    const { iccid, ...rest } = req;
    return useCase.execute({ ...rest, quantity: 1, topupOf: { iccid } }, { causationId: envelope.id });
  });
}
