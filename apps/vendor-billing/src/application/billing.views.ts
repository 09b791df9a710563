import type { BalanceView, VendorView } from '@ttelgo/contracts';
import { availableBalance, vendorBalance, type VendorAccountState } from '../domain/balance.rules';
import type { Vendor } from '../domain/vendor.rules';

export function toVendorView(v: Vendor): VendorView {
  return {
    id: v.id,
    name: v.name,
    email: v.email,
    billingMode: v.billingMode,
    currency: v.currency,
    status: v.status,
    creditLimit: v.creditLimit,
    markupBps: v.markupBps,
    rateLimitPerMinute: v.rateLimitPerMinute,
    lowBalanceThreshold: v.lowBalanceThreshold,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

export function toBalanceView(v: Vendor, a: VendorAccountState): BalanceView {
  return {
    vendorId: v.id,
    billingMode: v.billingMode,
    currency: v.currency,
    balance: vendorBalance(a),
    reserved: a.reserved,
    available: availableBalance(a),
    creditLimit: a.kind === 'receivable' ? a.creditLimit : null,
  };
}
