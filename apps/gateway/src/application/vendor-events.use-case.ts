/**
 * The reseller's own event log and test webhooks, through notification (RPC). The vendor id is always the
 * authenticated key's vendor; another vendor's event is 404 EVENT_NOT_FOUND, like one that does not exist.
 */
import {
  GetVendorEventV1,
  ListVendorEventsV1,
  RedeliverVendorEventV1,
  SendTestWebhookV1,
  VendorEventListResponseSchema,
  VendorEventResponseSchema,
  type ListVendorEventsQuery,
  type VendorEventListResponse,
  type VendorEventResponse,
  type VendorTestWebhookRequest,
} from '@ttelgo/contracts';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

export async function listVendorEvents(notification: ServiceCaller, vendorId: string, query: ListVendorEventsQuery): Promise<VendorEventListResponse> {
  const page = await notification.call(ListVendorEventsV1, {
    vendorId,
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    ...(query.type !== undefined ? { type: query.type } : {}),
  });
  return toPublic(VendorEventListResponseSchema, page);
}

export async function getVendorEvent(notification: ServiceCaller, vendorId: string, eventId: string): Promise<VendorEventResponse> {
  return toPublic(VendorEventResponseSchema, await notification.call(GetVendorEventV1, { vendorId, eventId }));
}

export async function redeliverVendorEvent(notification: ServiceCaller, vendorId: string, eventId: string): Promise<VendorEventResponse> {
  return toPublic(VendorEventResponseSchema, await notification.call(RedeliverVendorEventV1, { vendorId, eventId }));
}

export async function sendTestWebhook(notification: ServiceCaller, vendorId: string, body: VendorTestWebhookRequest): Promise<VendorEventResponse> {
  return toPublic(VendorEventResponseSchema, await notification.call(SendTestWebhookV1, { vendorId, type: body.type }));
}
