import { CreatePaymentIntentV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { CreatePaymentIntentUseCase } from '../../application/create-payment-intent.use-case';

/** payment.create-payment-intent.v1; PaymentError codes (PAYMENT_PROVIDER_UNAVAILABLE 503 ...) reach the caller as they are. */
export function registerCreatePaymentIntentRpc(server: RpcServer, useCase: CreatePaymentIntentUseCase): void {
  server.handle(CreatePaymentIntentV1, (req) => useCase.execute(req));
}
