import { SetWebhookEndpointV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { SetWebhookEndpointUseCase } from '../../application/channels/webhook/set-webhook-endpoint.use-case';

/**
 * notification.set-webhook-endpoint.v1 (called by the gateway for PUT /vendor/webhook-endpoint). A refused URL
 * is WEBHOOK_URL_NOT_ALLOWED (400) through the RPC error mapping. The reply carries the secret: it is the only
 * place the secret ever leaves this service.
 */
export function registerWebhookEndpointRpc(server: RpcServer, useCase: SetWebhookEndpointUseCase): void {
  server.handle(SetWebhookEndpointV1, (req) => useCase.execute({ vendorId: req.vendorId, url: req.url, rotateSecret: req.rotateSecret }));
}
