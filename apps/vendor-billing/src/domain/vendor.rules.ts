/** Vendor onboarding and update rules. */
import type { BillingMode, VendorAccountState } from './balance.rules';
import { exposure } from './balance.rules';
import { BillingError } from './billing.errors';
import { isIsoCurrency } from './money';

export type VendorStatus = 'ACTIVE' | 'SUSPENDED';

export interface Vendor {
  id: string;
  name: string;
  email: string;
  billingMode: BillingMode;
  currency: string;
  status: VendorStatus;
  creditLimit: number | null;
  markupBps: number;
  rateLimitPerMinute: number;
  lowBalanceThreshold: number;
  lowBalanceAlerted: boolean;
  requestKey: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface VendorDefaults {
  markupBps: number;
  rateLimitPerMinute: number;
}

export interface NewVendorInput {
  name: string;
  email: string;
  billingMode: BillingMode;
  currency: string;
  creditLimit?: number | undefined;
  markupBps?: number | undefined;
  rateLimitPerMinute?: number | undefined;
  lowBalanceThreshold?: number | undefined;
  requestKey: string;
}

export function newVendor(id: string, input: NewVendorInput, defaults: VendorDefaults, now: Date): Vendor {
  if (!isIsoCurrency(input.currency)) throw new BillingError('INVALID_CURRENCY', 400, `${input.currency} is not an ISO-4217 currency`);
  if (input.billingMode === 'PREPAID' && input.creditLimit !== undefined) {
    throw new BillingError('CREDIT_LIMIT_NOT_APPLICABLE', 422, 'a PREPAID vendor has no credit limit');
  }
  return {
    id,
    name: input.name,
    email: input.email,
    billingMode: input.billingMode,
    currency: input.currency,
    status: 'ACTIVE',
    // A POSTPAID vendor onboarded without a limit can buy nothing until an admin sets one.
    creditLimit: input.billingMode === 'POSTPAID' ? (input.creditLimit ?? 0) : null,
    markupBps: input.markupBps ?? defaults.markupBps,
    rateLimitPerMinute: input.rateLimitPerMinute ?? defaults.rateLimitPerMinute,
    lowBalanceThreshold: input.lowBalanceThreshold ?? 0,
    lowBalanceAlerted: false,
    requestKey: input.requestKey,
    createdAt: now,
    updatedAt: now,
  };
}

/** Same request key, same vendor? A replay must describe the vendor it created. */
export function sameOnboarding(existing: Vendor, input: NewVendorInput): boolean {
  return (
    existing.name === input.name &&
    existing.email === input.email &&
    existing.billingMode === input.billingMode &&
    existing.currency === input.currency
  );
}

export interface VendorChanges {
  status?: VendorStatus | undefined;
  creditLimit?: number | undefined;
  markupBps?: number | undefined;
  rateLimitPerMinute?: number | undefined;
  lowBalanceThreshold?: number | undefined;
}

/** The vendor after an admin update; `account` is read under its row lock, to check a lowered credit limit. */
export function applyVendorChanges(vendor: Vendor, changes: VendorChanges, account: VendorAccountState, now: Date): Vendor {
  if (changes.creditLimit !== undefined) {
    if (vendor.billingMode !== 'POSTPAID') throw new BillingError('CREDIT_LIMIT_NOT_APPLICABLE', 422, 'a PREPAID vendor has no credit limit');
    const current = exposure(account);
    if (changes.creditLimit < current) {
      throw new BillingError('CREDIT_LIMIT_BELOW_EXPOSURE', 409, `the vendor already owes or holds ${current}; the credit limit cannot go below it`);
    }
  }
  const next: Vendor = {
    ...vendor,
    status: changes.status ?? vendor.status,
    creditLimit: changes.creditLimit ?? vendor.creditLimit,
    markupBps: changes.markupBps ?? vendor.markupBps,
    rateLimitPerMinute: changes.rateLimitPerMinute ?? vendor.rateLimitPerMinute,
    lowBalanceThreshold: changes.lowBalanceThreshold ?? vendor.lowBalanceThreshold,
  };
  return { ...next, updatedAt: now };
}

/** What gateways and order cache about a vendor changed (they must drop their copy). */
export function vendorChanged(before: Vendor, after: Vendor): boolean {
  return (
    before.status !== after.status ||
    before.rateLimitPerMinute !== after.rateLimitPerMinute ||
    before.markupBps !== after.markupBps ||
    before.creditLimit !== after.creditLimit
  );
}
