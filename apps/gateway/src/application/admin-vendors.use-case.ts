/**
 * Operators manage resellers (vendor-billing owns them) and their API keys (the gateway owns those). Percentages in
 * the public API, basis points on the wire: 15.25 % = 1525 bps.
 */
import { randomUUID } from 'node:crypto';
import {
  AdjustBalanceV1,
  AdjustmentResponseSchema,
  AdminOrderListResponseSchema,
  AdminVendorListResponseSchema,
  AdminVendorResponseSchema,
  ApiKeyListResponseSchema,
  CreateVendorV1,
  CreatedApiKeyResponseSchema,
  GetVendorV1,
  ListOrdersV1,
  ListVendorsV1,
  RecordPaymentResponseSchema,
  RecordPaymentV1,
  UpdateVendorV1,
  type AdminOrderResponse,
  type AdminVendorResponse,
  type CreateVendorRequest,
  type OrderView,
  type UpdateVendorRequest,
  type VendorView,
} from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ApiKeyRepository, ApiKeyRow } from '../infrastructure/api-key.repository';
import type { ServiceCaller } from '../rpc/service.caller';
import { sandboxUnavailable } from '../rpc/cell';
import { toOrderResponse } from './customer-orders.use-case';
import { toPublic } from './public-response';

export const percentToBps = (percent: number): number => Math.round(percent * 100);

export function toAdminVendor(view: VendorView): AdminVendorResponse {
  return toPublic(AdminVendorResponseSchema, {
    id: view.id,
    name: view.name,
    email: view.email,
    billingMode: view.billingMode,
    currency: view.currency,
    status: view.status,
    creditLimit: view.creditLimit,
    markupPercent: view.markupBps / 100,
    rateLimitPerMinute: view.rateLimitPerMinute,
    lowBalanceThreshold: view.lowBalanceThreshold,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  });
}

export async function createVendor(billing: ServiceCaller, input: CreateVendorRequest, requestKey: string | undefined) {
  const view = await billing.call(CreateVendorV1, {
    name: input.name,
    email: input.email,
    billingMode: input.billingMode,
    currency: input.currency,
    ...(input.creditLimit !== undefined ? { creditLimit: input.creditLimit } : {}),
    ...(input.markupPercent !== undefined ? { markupBps: percentToBps(input.markupPercent) } : {}),
    ...(input.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: input.rateLimitPerMinute } : {}),
    ...(input.lowBalanceThreshold !== undefined ? { lowBalanceThreshold: input.lowBalanceThreshold } : {}),
    requestKey: requestKey ?? randomUUID(),
  });
  return toAdminVendor(view);
}

export async function listVendors(billing: ServiceCaller, page: { limit: number; cursor?: string | undefined }) {
  const result = await billing.call(ListVendorsV1, { limit: page.limit, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  return toPublic(AdminVendorListResponseSchema, { data: result.data.map(toAdminVendor), nextCursor: result.nextCursor });
}

export async function getVendor(billing: ServiceCaller, vendorId: string) {
  return toAdminVendor(await billing.call(GetVendorV1, { vendorId }));
}

export async function updateVendor(billing: ServiceCaller, vendorId: string, patch: UpdateVendorRequest) {
  const view = await billing.call(UpdateVendorV1, {
    vendorId,
    ...(patch.status !== undefined ? { status: patch.status } : {}),
    ...(patch.creditLimit !== undefined ? { creditLimit: patch.creditLimit } : {}),
    ...(patch.markupPercent !== undefined ? { markupBps: percentToBps(patch.markupPercent) } : {}),
    ...(patch.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: patch.rateLimitPerMinute } : {}),
    ...(patch.lowBalanceThreshold !== undefined ? { lowBalanceThreshold: patch.lowBalanceThreshold } : {}),
  });
  return toAdminVendor(view);
}

export async function adjustVendorBalance(
  billing: ServiceCaller,
  vendorId: string,
  input: { amount: number; reason: string; actor: string; requestKey: string | undefined },
) {
  const result = await billing.call(AdjustBalanceV1, {
    vendorId,
    amount: input.amount,
    reason: input.reason,
    actor: input.actor,
    requestKey: input.requestKey ?? randomUUID(),
  });
  const b = result.balance;
  return toPublic(AdjustmentResponseSchema, {
    transactionId: result.transactionId,
    balance: { billingMode: b.billingMode, currency: b.currency, balance: b.balance, reserved: b.reserved, available: b.available, creditLimit: b.creditLimit },
  });
}

/**
 * A POSTPAID vendor's payment (bank transfer) recorded by an admin: one PAYMENT ledger transaction at vendor-billing,
 * in the vendor's currency. The requestKey makes a retry record it once.
 */
export async function recordVendorPayment(
  billing: ServiceCaller,
  vendorId: string,
  input: { amount: number; reference: string; actor: string; requestKey: string | undefined },
) {
  const result = await billing.call(RecordPaymentV1, {
    vendorId,
    amount: input.amount,
    reference: input.reference,
    actor: input.actor,
    requestKey: input.requestKey ?? randomUUID(),
  });
  const b = result.balance;
  return toPublic(RecordPaymentResponseSchema, {
    transactionId: result.transactionId,
    balance: { billingMode: b.billingMode, currency: b.currency, balance: b.balance, reserved: b.reserved, available: b.available, creditLimit: b.creditLimit },
  });
}

/**
 * The refund of an order as operators see it: the money (PENDING, SUCCEEDED) and what eSIM Go did with the bundles
 * first; REFUSED when the revocation found a used bundle (or failed) and the refund was not forced.
 */
function adminRefundOf(v: OrderView): AdminOrderResponse['refund'] {
  const revocation = v.revocation ?? null;
  if (v.refund) {
    return { ...v.refund, providerRevocation: revocation?.status ?? null, forced: revocation?.forced ?? false };
  }
  if (!revocation) return null;
  return {
    status: revocation.status === 'PENDING' ? 'PENDING' : 'REFUSED',
    reason: revocation.reason,
    requestedAt: revocation.requestedAt,
    refundedAt: null,
    providerRevocation: revocation.status,
    forced: revocation.forced,
  };
}

export const toAdminOrder = (v: OrderView): AdminOrderResponse => ({ ...toOrderResponse(v), owner: v.owner, refund: adminRefundOf(v) });

export async function listAllOrders(order: ServiceCaller, page: { limit: number; cursor?: string | undefined }) {
  const result = await order.call(ListOrdersV1, { limit: page.limit, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  return toPublic(AdminOrderListResponseSchema, { data: result.data.map(toAdminOrder), nextCursor: result.nextCursor });
}

const apiKeyView = (row: ApiKeyRow) => ({
  id: row.id,
  name: row.name,
  mode: row.mode,
  createdAt: row.createdAt.toISOString(),
  createdBy: row.createdBy,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

/** A new key for an existing vendor; the answer carries the only copy of the secret. */
export interface SandboxAdmin {
  /** vendor-billing of the sandbox cell. */
  billing: ServiceCaller;
  /** The test wallet's opening balance (minor units of the vendor's currency). */
  openingBalance: number;
}

/**
 * A new key for an existing vendor; the answer carries the only copy of the secret. A test key first makes sure the
 * vendor exists in the sandbox cell, with the same id, currency and terms, as a PREPAID test wallet credited with
 * the opening balance once (both calls idempotent by request key, so a second test key changes nothing there).
 */
export async function createApiKey(
  deps: { billing: ServiceCaller; keys: ApiKeyRepository; sandbox?: SandboxAdmin | undefined },
  vendorId: string,
  input: { name: string; createdBy: string; mode?: 'live' | 'test' | undefined },
) {
  const vendor = await deps.billing.call(GetVendorV1, { vendorId }); // VENDOR_NOT_FOUND (404) for an unknown vendor
  const mode = input.mode ?? 'live';
  if (mode === 'test') {
    if (!deps.sandbox) throw sandboxUnavailable();
    await ensureSandboxVendor(deps.sandbox, vendor);
  }
  const { row, key } = await deps.keys.create({ vendorId, name: input.name, createdBy: input.createdBy, mode });
  return toPublic(CreatedApiKeyResponseSchema, { id: row.id, key, name: row.name, mode: row.mode, createdAt: row.createdAt.toISOString() });
}

async function ensureSandboxVendor(sandbox: SandboxAdmin, vendor: VendorView): Promise<void> {
  await sandbox.billing.call(CreateVendorV1, {
    id: vendor.id,
    name: vendor.name,
    email: vendor.email,
    billingMode: 'PREPAID',
    currency: vendor.currency,
    markupBps: vendor.markupBps,
    rateLimitPerMinute: vendor.rateLimitPerMinute,
    requestKey: `sandbox-vendor:${vendor.id}`,
  });
  if (sandbox.openingBalance > 0) {
    await sandbox.billing.call(AdjustBalanceV1, {
      vendorId: vendor.id,
      amount: sandbox.openingBalance,
      reason: 'test wallet opening balance',
      actor: 'sandbox',
      requestKey: `sandbox-opening-balance:${vendor.id}`,
    });
  }
}

export async function listApiKeys(keys: ApiKeyRepository, vendorId: string) {
  return toPublic(ApiKeyListResponseSchema, { data: (await keys.listByVendor(vendorId)).map(apiKeyView), nextCursor: null });
}

export async function revokeApiKey(deps: { keys: ApiKeyRepository; forget: (keyId: string) => void }, vendorId: string, keyId: string): Promise<void> {
  const found = await deps.keys.revoke(vendorId, keyId);
  deps.forget(keyId);
  if (!found) throw new AppError('API_KEY_NOT_FOUND', 404, 'This vendor has no such API key.');
}
