/**
 * A reseller's quotes, from the order service: a basket priced at the vendor's terms, nothing charged. The owner is
 * always the authenticated vendor; another vendor's quote is QUOTE_NOT_FOUND (404), like one that does not exist.
 */
import { CreateQuoteV1, GetQuoteV1, VendorQuoteResponseSchema, type QuoteView, type VendorQuoteRequest, type VendorQuoteResponse } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';
import { vendorOwner } from './vendor-orders.use-case';

function toVendorQuote(view: QuoteView, vendorId: string, now: Date): VendorQuoteResponse {
  if (view.owner.type !== 'vendor' || view.owner.id !== vendorId) throw new AppError('QUOTE_NOT_FOUND', 404, 'No such quote.');
  return toPublic(VendorQuoteResponseSchema, {
    id: view.id,
    items: view.items,
    total: view.total,
    createdAt: view.createdAt,
    expiresAt: view.expiresAt,
    valid: now.getTime() < Date.parse(view.expiresAt),
  });
}

export async function createVendorQuote(order: ServiceCaller, vendorId: string, body: VendorQuoteRequest, now = new Date()): Promise<VendorQuoteResponse> {
  return toVendorQuote(await order.call(CreateQuoteV1, { owner: vendorOwner(vendorId), items: body.items }), vendorId, now);
}

export async function getVendorQuote(order: ServiceCaller, vendorId: string, quoteId: string, now = new Date()): Promise<VendorQuoteResponse> {
  return toVendorQuote(await order.call(GetQuoteV1, { owner: vendorOwner(vendorId), quoteId }), vendorId, now);
}
