/**
 * A reseller's money and settings, through vendor-billing and notification (RPC). The vendor id is always the
 * authenticated key's vendor; nothing in the request can name another one.
 */
import {
  CreateTopupV1,
  GetBalanceV1,
  GetStatementV1,
  ListBundlesV1,
  ListLedgerV1,
  SetWebhookEndpointV1,
  BundleListResponseSchema,
  StatementResponseSchema,
  VendorBalanceResponseSchema,
  VendorLedgerResponseSchema,
  VendorTopupResponseSchema,
  VendorWebhookEndpointResponseSchema,
  type ListBundlesQuery,
  type StatementResponse,
  type VendorBalanceResponse,
  type VendorLedgerResponse,
  type VendorTopupResponse,
  type VendorWebhookEndpointResponse,
} from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ServiceCaller } from '../rpc/service.caller';
import type { BundleListResponse } from './list-bundles.use-case';
import { toPublic } from './public-response';

/** The catalogue at the vendor's prices (its markup); never shared with the public catalogue cache. */
export async function listVendorBundles(esim: ServiceCaller, markupBps: number, query: ListBundlesQuery): Promise<BundleListResponse> {
  const page = await esim.call(ListBundlesV1, {
    limit: query.limit,
    markupBps,
    ...(query.country !== undefined ? { country: query.country } : {}),
    ...(query.region !== undefined ? { region: query.region } : {}),
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
  return toPublic(BundleListResponseSchema, page);
}

export async function getVendorBalance(billing: ServiceCaller, vendorId: string): Promise<VendorBalanceResponse> {
  const b = await billing.call(GetBalanceV1, { vendorId });
  if (b.vendorId !== vendorId) throw new AppError('UPSTREAM_ERROR', 502, 'An upstream service answered with an invalid response.');
  return toPublic(VendorBalanceResponseSchema, {
    billingMode: b.billingMode,
    currency: b.currency,
    balance: b.balance,
    reserved: b.reserved,
    available: b.available,
    creditLimit: b.creditLimit,
  });
}

/**
 * A POSTPAID vendor's statement of a calendar month (UTC). A month that has not begun is 422 MONTH_NOT_STARTED;
 * a PREPAID vendor is 409 STATEMENT_NOT_AVAILABLE (from vendor-billing: its wallet has the ledger).
 */
export async function getVendorStatement(billing: ServiceCaller, vendorId: string, month: string, now = new Date()): Promise<StatementResponse> {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const start = Date.UTC(year, mm - 1, 1);
  const end = Date.UTC(year, mm, 1);
  if (start > now.getTime()) throw new AppError('MONTH_NOT_STARTED', 422, `${month} has not begun; statements cover past months and the current one.`);
  const s = await billing.call(GetStatementV1, { vendorId, month });
  if (s.vendorId !== vendorId) throw new AppError('UPSTREAM_ERROR', 502, 'An upstream service answered with an invalid response.');
  return toPublic(StatementResponseSchema, {
    month: s.month,
    currency: s.currency,
    openingBalance: s.openingBalance,
    charges: s.charges,
    payments: s.payments,
    adjustments: s.adjustments,
    closingBalance: s.closingBalance,
    final: end <= now.getTime(),
  });
}

export async function listVendorLedger(
  billing: ServiceCaller,
  vendorId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<VendorLedgerResponse> {
  const result = await billing.call(ListLedgerV1, { vendorId, limit: page.limit, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  return toPublic(VendorLedgerResponseSchema, result);
}

export async function createVendorTopup(billing: ServiceCaller, vendorId: string, input: { amount: number; requestKey: string }): Promise<VendorTopupResponse> {
  return toPublic(VendorTopupResponseSchema, await billing.call(CreateTopupV1, { vendorId, amount: input.amount, requestKey: input.requestKey }));
}

export async function setVendorWebhookEndpoint(
  notification: ServiceCaller,
  vendorId: string,
  input: { url: string; rotateSecret?: boolean | undefined },
): Promise<VendorWebhookEndpointResponse> {
  const result = await notification.call(SetWebhookEndpointV1, {
    vendorId,
    url: input.url,
    ...(input.rotateSecret !== undefined ? { rotateSecret: input.rotateSecret } : {}),
  });
  return toPublic(VendorWebhookEndpointResponseSchema, { url: result.url, secret: result.secret, updatedAt: result.updatedAt });
}
