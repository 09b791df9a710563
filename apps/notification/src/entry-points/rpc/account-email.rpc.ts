import { SendAccountEmailV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { SendAccountEmailUseCase } from '../../application/send-account-email.use-case';

/** notification.send-account-email.v1 (called by the gateway for password resets). */
export function registerAccountEmailRpc(server: RpcServer, useCase: SendAccountEmailUseCase): void {
  server.handle(SendAccountEmailV1, (req, envelope) => useCase.execute(req, envelope.correlationId));
}
