import { GetVendorEventV1, ListVendorEventsV1, RedeliverVendorEventV1, SendTestWebhookV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { VendorEventsUseCase } from '../../application/vendor-events/vendor-events.use-case';

/**
 * The reseller's event log (GET /vendor/events, GET /vendor/events/{id}, POST /vendor/events/{id}/redeliver) and test
 * webhooks (POST /vendor/webhook-endpoint/test). The vendor id always comes from the gateway's authenticated key.
 */
export function registerVendorEventsRpc(server: RpcServer, useCase: VendorEventsUseCase): void {
  server.handle(ListVendorEventsV1, (req) => useCase.list({ vendorId: req.vendorId, limit: req.limit, cursor: req.cursor, type: req.type }));
  server.handle(GetVendorEventV1, (req) => useCase.get(req.vendorId, req.eventId));
  server.handle(RedeliverVendorEventV1, (req) => useCase.redeliver(req.vendorId, req.eventId));
  server.handle(SendTestWebhookV1, (req) => useCase.sendTest(req.vendorId, req.type));
}
