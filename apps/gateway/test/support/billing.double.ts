/**
 * A test double of vendor-billing over the REAL broker: an RpcServer owning `ttelgo.rpc.billing` that keeps vendors
 * and balances in memory, plus a publisher of billing.vendor-changed.v1 (as the real service announces every change
 * of status, limits or markup). It records requests and counts get-vendor calls, so tests can see the gateway's cache.
 */
import { randomUUID } from 'node:crypto';
import {
  AdjustBalanceV1,
  CreateTopupV1,
  CreateVendorV1,
  GetBalanceV1,
  GetVendorV1,
  ListLedgerV1,
  ListVendorsV1,
  RecordPaymentV1,
  UpdateVendorV1,
  VendorChangedV1,
  type BalanceView,
  type LedgerEntryView,
  type VendorView,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { CodedRpcError, testLogger } from '@ttelgo/testing';

export class BillingDouble {
  readonly requests: Array<{ type: string; req: Record<string, unknown> }> = [];
  /** get-vendor calls per vendor id. */
  readonly getVendorCalls = new Map<string, number>();
  /** When false, updates are NOT announced (tests of the TTL bound alone). */
  announceChanges = true;
  private readonly vendors = new Map<string, VendorView>();
  private readonly balances = new Map<string, BalanceView>();
  private readonly ledger = new Map<string, LedgerEntryView[]>();
  private readonly byRequestKey = new Map<string, unknown>();
  private readonly conn: AmqpConnection;
  private readonly server: RpcServer;
  private readonly publisher: ConfirmPublisher;

  constructor(url: string) {
    const logger = testLogger('billing-double');
    this.conn = new AmqpConnection({ url, name: 'billing-double', logger });
    this.server = new RpcServer(this.conn, { owner: 'billing', logger });
    this.publisher = new ConfirmPublisher(this.conn, { logger });

    this.server.handle(CreateVendorV1, async (req) => {
      this.requests.push({ type: 'create-vendor', req: structuredClone(req) });
      const existing = this.byRequestKey.get(`create:${req.requestKey}`) as VendorView | undefined;
      if (existing) return existing;
      const now = new Date().toISOString();
      const vendor: VendorView = {
        id: randomUUID(),
        name: req.name,
        email: req.email,
        billingMode: req.billingMode,
        currency: req.currency,
        status: 'ACTIVE',
        creditLimit: req.billingMode === 'POSTPAID' ? (req.creditLimit ?? 0) : null,
        markupBps: req.markupBps ?? 1000,
        rateLimitPerMinute: req.rateLimitPerMinute ?? 600,
        lowBalanceThreshold: req.lowBalanceThreshold ?? 0,
        createdAt: now,
        updatedAt: now,
      };
      this.vendors.set(vendor.id, vendor);
      this.balances.set(vendor.id, {
        vendorId: vendor.id,
        billingMode: vendor.billingMode,
        currency: vendor.currency,
        balance: 0,
        reserved: 0,
        available: vendor.creditLimit ?? 0,
        creditLimit: vendor.creditLimit,
      });
      this.ledger.set(vendor.id, []);
      this.byRequestKey.set(`create:${req.requestKey}`, vendor);
      return vendor;
    });

    this.server.handle(GetVendorV1, async (req) => {
      this.getVendorCalls.set(req.vendorId, (this.getVendorCalls.get(req.vendorId) ?? 0) + 1);
      return this.vendor(req.vendorId);
    });

    this.server.handle(ListVendorsV1, async (req) => {
      const all = [...this.vendors.values()].reverse();
      const offset = req.cursor ? Number(req.cursor.replace(/^v/, '')) : 0;
      return { data: all.slice(offset, offset + req.limit), nextCursor: offset + req.limit < all.length ? `v${offset + req.limit}` : null };
    });

    this.server.handle(UpdateVendorV1, async (req) => {
      this.requests.push({ type: 'update-vendor', req: structuredClone(req) });
      const { vendorId, ...changes } = req;
      const updated: VendorView = { ...this.vendor(vendorId), ...changes, updatedAt: new Date().toISOString() };
      this.vendors.set(vendorId, updated);
      if (this.announceChanges) await this.announce(updated);
      return updated;
    });

    this.server.handle(GetBalanceV1, async (req) => {
      this.vendor(req.vendorId);
      return this.balances.get(req.vendorId)!;
    });

    this.server.handle(ListLedgerV1, async (req) => {
      this.vendor(req.vendorId);
      const entries = [...(this.ledger.get(req.vendorId) ?? [])].reverse();
      return { data: entries.slice(0, req.limit), nextCursor: null };
    });

    this.server.handle(AdjustBalanceV1, async (req) => {
      this.requests.push({ type: 'adjust-balance', req: structuredClone(req) });
      const vendor = this.vendor(req.vendorId);
      return this.postOnce(`adjust:${req.requestKey}`, vendor, { kind: 'ADJUSTMENT', amount: req.amount, description: req.reason });
    });

    // Like vendor-billing: POSTPAID only, once per (vendor, requestKey); a payment raises balance and available.
    this.server.handle(RecordPaymentV1, async (req) => {
      this.requests.push({ type: 'record-payment', req: structuredClone(req) });
      const vendor = this.vendor(req.vendorId);
      if (vendor.billingMode !== 'POSTPAID') throw new CodedRpcError('PAYMENT_NOT_APPLICABLE', 409, 'PREPAID vendors top up by card.');
      return this.postOnce(`payment:${req.vendorId}:${req.requestKey}`, vendor, {
        kind: 'PAYMENT',
        amount: req.amount,
        description: `payment ${JSON.stringify(req.reference)} recorded by ${req.actor}`,
      });
    });

    this.server.handle(CreateTopupV1, async (req) => {
      this.requests.push({ type: 'create-topup', req: structuredClone(req) });
      const vendor = this.vendor(req.vendorId);
      const seen = this.byRequestKey.get(`topup:${req.vendorId}:${req.requestKey}`);
      if (seen) return seen as never;
      const topupId = randomUUID();
      const result = {
        topupId,
        amount: { amount: req.amount, currency: vendor.currency },
        status: 'AWAITING_PAYMENT' as const,
        payment: { paymentIntentId: `pi_${topupId.slice(0, 8)}`, clientSecret: `pi_${topupId.slice(0, 8)}_secret_t`, publishableKey: 'pk_test_ttelgo_sim' },
      };
      this.byRequestKey.set(`topup:${req.vendorId}:${req.requestKey}`, result);
      return result;
    });
  }

  /**
   * Moves balance and available by `entry.amount` and writes the ledger entry, once per `requestKey`: a repeated
   * request gets the first result back, like vendor-billing's idempotent postings.
   */
  private postOnce(
    requestKey: string,
    vendor: VendorView,
    entry: { kind: LedgerEntryView['kind']; amount: number; description: string },
  ): { transactionId: string; balance: BalanceView } {
    const seen = this.byRequestKey.get(requestKey) as { transactionId: string; balance: BalanceView } | undefined;
    if (seen) return seen;
    const b = this.balances.get(vendor.id)!;
    const balance = { ...b, balance: b.balance + entry.amount, available: b.available + entry.amount };
    this.balances.set(vendor.id, balance);
    const transactionId = randomUUID();
    this.ledger.get(vendor.id)!.push({
      transactionId,
      ...entry,
      currency: vendor.currency,
      balanceAfter: balance.balance,
      orderId: null,
      createdAt: new Date().toISOString(),
    });
    const result = { transactionId, balance };
    this.byRequestKey.set(requestKey, result);
    return result;
  }

  private vendor(id: string): VendorView {
    const vendor = this.vendors.get(id);
    if (!vendor) throw new CodedRpcError('VENDOR_NOT_FOUND', 404, 'No such vendor.');
    return vendor;
  }

  /** Adds a vendor directly (no RPC), for tests that only need one to exist. */
  addVendor(overrides: Partial<VendorView> = {}): VendorView {
    const now = new Date().toISOString();
    const vendor: VendorView = {
      id: randomUUID(),
      name: 'Reseller',
      email: `r.${randomUUID().slice(0, 8)}@example.com`,
      billingMode: 'PREPAID',
      currency: 'USD',
      status: 'ACTIVE',
      creditLimit: null,
      markupBps: 1500,
      rateLimitPerMinute: 1000,
      lowBalanceThreshold: 0,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
    this.vendors.set(vendor.id, vendor);
    this.balances.set(vendor.id, { vendorId: vendor.id, billingMode: vendor.billingMode, currency: vendor.currency, balance: 10_000, reserved: 500, available: 9_500, creditLimit: vendor.creditLimit });
    this.ledger.set(vendor.id, [
      { transactionId: randomUUID(), kind: 'TOPUP', amount: 10_000, currency: vendor.currency, balanceAfter: 10_000, description: 'Card top-up', orderId: null, createdAt: now },
    ]);
    return vendor;
  }

  /** Changes a vendor the way an admin would, announcing it unless `announceChanges` is false. */
  async setVendor(id: string, changes: Partial<VendorView>): Promise<VendorView> {
    const updated: VendorView = { ...this.vendor(id), ...changes, updatedAt: new Date().toISOString() };
    this.vendors.set(id, updated);
    if (this.announceChanges) await this.announce(updated);
    return updated;
  }

  private async announce(vendor: VendorView): Promise<void> {
    await this.publisher.publishMessage(
      VendorChangedV1,
      { vendorId: vendor.id, status: vendor.status, rateLimitPerMinute: vendor.rateLimitPerMinute, markupBps: vendor.markupBps },
      { producer: 'billing', correlationId: randomUUID() },
    );
  }

  async start(): Promise<this> {
    await this.conn.start();
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.conn.close();
  }
}
