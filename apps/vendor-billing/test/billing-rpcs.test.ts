/**
 * The billing.* RPCs through the real broker (gateway-like client), plus statements of a POSTPAID vendor over
 * two months written through the service's clock seam.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  AdjustBalanceV1,
  CaptureFundsV1,
  CreateTopupV1,
  GetBalanceV1,
  GetStatementV1,
  GetVendorV1,
  ListLedgerV1,
  ListVendorsV1,
  ReserveFundsV1,
  UpdateVendorV1,
  type LedgerEntryView,
  type VendorView,
} from '@ttelgo/contracts';
import { assertSchemaMatchesPrisma } from '@ttelgo/db';
import { TEST_DATABASE_URL } from '@ttelgo/testing';
import { paymentPosting } from '../src/domain/ledger.posting';
import { BillingHarness } from './support/billing.harness';
import { expectLedgerConsistent } from './support/ledger.checks';

jest.setTimeout(90_000);

const h = new BillingHarness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.stop();
});

const rk = () => `rk-${randomUUID()}`;

describe('vendor-billing: RPCs', () => {
  it('applies migrations that agree with the Prisma schema', async () => {
    await assertSchemaMatchesPrisma({ databaseUrl: TEST_DATABASE_URL, schema: h.schema, prismaSchemaPath: resolve(__dirname, '../../../prisma/vendor-billing/schema.prisma') });
  });

  it('creates a vendor with defaults and its account; the same requestKey returns it; reuse, bad currency and a PREPAID credit limit are refused', async () => {
    const requestKey = rk();
    const vendor = await h.createVendor({ name: 'Acme Travel', email: 'ops@acme.example', billingMode: 'PREPAID', currency: 'EUR', requestKey });
    expect(vendor).toMatchObject({ name: 'Acme Travel', billingMode: 'PREPAID', currency: 'EUR', status: 'ACTIVE', creditLimit: null, markupBps: 1500, rateLimitPerMinute: 600, lowBalanceThreshold: 0 });
    expect(await h.createVendor({ name: 'Acme Travel', email: 'ops@acme.example', billingMode: 'PREPAID', currency: 'EUR', requestKey })).toEqual(vendor);
    expect(await h.call(GetVendorV1, { vendorId: vendor.id })).toEqual(vendor);
    const { rows } = await h.pg.query(`SELECT kind, normal_side, currency, balance::int, reserved::int FROM "${h.schema}".accounts WHERE vendor_id = $1`, [vendor.id]);
    expect(rows).toEqual([{ kind: 'wallet', normal_side: 'credit', currency: 'EUR', balance: 0, reserved: 0 }]);

    const reuse = await h.remoteError(h.createVendor({ name: 'Other', requestKey }));
    expect([reuse.code, reuse.status]).toEqual(['REQUEST_KEY_REUSED', 422]);
    const currency = await h.remoteError(h.createVendor({ currency: 'ABC' }));
    expect([currency.code, currency.status]).toEqual(['INVALID_CURRENCY', 400]);
    const limit = await h.remoteError(h.createVendor({ billingMode: 'PREPAID', creditLimit: 100 }));
    expect([limit.code, limit.status]).toEqual(['CREDIT_LIMIT_NOT_APPLICABLE', 422]);
    const missing = await h.remoteError(h.call(GetVendorV1, { vendorId: randomUUID() }));
    expect([missing.code, missing.status]).toEqual(['VENDOR_NOT_FOUND', 404]);
  });

  it('lists vendors newest first with a cursor', async () => {
    const created: VendorView[] = [];
    for (let i = 0; i < 3; i++) created.push(await h.createVendor());
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.call(ListVendorsV1, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((v) => v.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const ours = seen.filter((id) => created.some((v) => v.id === id));
    expect(ours).toEqual(created.map((v) => v.id).reverse());
    const bad = await h.remoteError(h.call(ListVendorsV1, { limit: 2, cursor: 'nonsense' }));
    expect(bad.code).toBe('INVALID_CURSOR');
  });

  it('updates a vendor: status/limits/markup emit billing.vendor-changed.v1, the threshold alone does not; a credit limit below exposure is refused', async () => {
    const vendor = await h.createVendor({ billingMode: 'POSTPAID', creditLimit: 10_000 });
    const updated = await h.call(UpdateVendorV1, { vendorId: vendor.id, status: 'SUSPENDED', markupBps: 2000, rateLimitPerMinute: 120 });
    expect(updated).toMatchObject({ status: 'SUSPENDED', markupBps: 2000, rateLimitPerMinute: 120, creditLimit: 10_000 });
    const [changed] = await h.waitForEvents('billing.vendor-changed.v1', (d) => d.vendorId === vendor.id, 1);
    expect(changed!.envelope.data).toEqual({ vendorId: vendor.id, status: 'SUSPENDED', rateLimitPerMinute: 120, markupBps: 2000 });

    await h.call(UpdateVendorV1, { vendorId: vendor.id, lowBalanceThreshold: 500 });
    await h.settle();
    expect(h.events('billing.vendor-changed.v1', (d) => d.vendorId === vendor.id)).toHaveLength(1);

    await h.call(UpdateVendorV1, { vendorId: vendor.id, status: 'ACTIVE' });
    const orderId = randomUUID();
    await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: { amount: 4_000, currency: 'USD' } });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    const below = await h.remoteError(h.call(UpdateVendorV1, { vendorId: vendor.id, creditLimit: 3_999 }));
    expect([below.code, below.status]).toEqual(['CREDIT_LIMIT_BELOW_EXPOSURE', 409]);
    expect(await h.call(UpdateVendorV1, { vendorId: vendor.id, creditLimit: 4_000 })).toMatchObject({ creditLimit: 4_000 });
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toEqual({
      vendorId: vendor.id, billingMode: 'POSTPAID', currency: 'USD', balance: 0, reserved: 4_000, available: 0, creditLimit: 4_000,
    });
    await h.waitForEvents('billing.vendor-changed.v1', (d) => d.vendorId === vendor.id, 3);
  });

  it('adjusts a balance idempotently; a debit below what is held is INSUFFICIENT_FUNDS', async () => {
    const vendor = await h.createVendor();
    const requestKey = rk();
    const credit = await h.call(AdjustBalanceV1, { vendorId: vendor.id, amount: 1_000, reason: 'goodwill', actor: 'admin@test', requestKey });
    expect(credit.balance).toMatchObject({ balance: 1_000, reserved: 0, available: 1_000, creditLimit: null });
    const replay = await h.call(AdjustBalanceV1, { vendorId: vendor.id, amount: 1_000, reason: 'goodwill', actor: 'admin@test', requestKey });
    expect(replay).toEqual(credit);

    const orderId = randomUUID();
    await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: { amount: 700, currency: 'USD' } });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    const short = await h.remoteError(h.call(AdjustBalanceV1, { vendorId: vendor.id, amount: -301, reason: 'fix', actor: 'admin@test', requestKey: rk() }));
    expect([short.code, short.status]).toEqual(['INSUFFICIENT_FUNDS', 409]);
    const debit = await h.call(AdjustBalanceV1, { vendorId: vendor.id, amount: -300, reason: 'fix', actor: 'admin@test', requestKey: rk() });
    expect(debit.balance).toMatchObject({ balance: 700, reserved: 700, available: 0 });
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".ledger_transactions WHERE vendor_id = $1 AND kind = 'ADJUSTMENT'`, [vendor.id]);
    expect(rows[0].n).toBe(2);
    await expectLedgerConsistent(h.pg, h.schema);
  });

  it('creates a top-up through payment (VENDOR_TOPUP, the right amount); a replay returns it without a second intent; POSTPAID gets TOPUP_NOT_AVAILABLE', async () => {
    const vendor = await h.createVendor({ currency: 'GBP' });
    const requestKey = rk();
    const topup = await h.call(CreateTopupV1, { vendorId: vendor.id, amount: 5_000, requestKey });
    const intent = h.payment.intents.get(topup.topupId)!;
    expect(topup).toEqual({
      topupId: expect.any(String),
      amount: { amount: 5_000, currency: 'GBP' },
      status: 'AWAITING_PAYMENT',
      payment: { paymentIntentId: intent.paymentIntentId, clientSecret: `${intent.paymentIntentId}_secret_x`, publishableKey: 'pk_test_double' },
    });
    expect(h.payment.requests.filter((r) => r.referenceId === topup.topupId)).toEqual([
      expect.objectContaining({ purpose: 'VENDOR_TOPUP', referenceId: topup.topupId, amount: { amount: 5_000, currency: 'GBP' }, customerEmail: vendor.email }),
    ]);
    expect(await h.call(CreateTopupV1, { vendorId: vendor.id, amount: 5_000, requestKey })).toEqual(topup);
    expect(h.payment.requests.filter((r) => r.referenceId === topup.topupId)).toHaveLength(1);
    const reuse = await h.remoteError(h.call(CreateTopupV1, { vendorId: vendor.id, amount: 6_000, requestKey }));
    expect(reuse.code).toBe('REQUEST_KEY_REUSED');

    await h.payment.succeeded(topup.topupId);
    await h.waitForEvents('billing.wallet-credited.v1', (d) => d.topupId === topup.topupId, 1);
    expect(await h.call(CreateTopupV1, { vendorId: vendor.id, amount: 5_000, requestKey })).toMatchObject({ status: 'CREDITED' });
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 5_000, currency: 'GBP' });

    const postpaid = await h.createVendor({ billingMode: 'POSTPAID', creditLimit: 1_000 });
    const refused = await h.remoteError(h.call(CreateTopupV1, { vendorId: postpaid.id, amount: 5_000, requestKey: rk() }));
    expect([refused.code, refused.status]).toEqual(['TOPUP_NOT_AVAILABLE', 409]);
  });

  describe('a POSTPAID vendor over two months', () => {
    let vendorId: string;

    const at = (iso: string) => {
      h.now = new Date(iso);
    };
    const order = async (amount: number) => {
      const orderId = randomUUID();
      await h.send(ReserveFundsV1, { orderId, vendorId, amount: { amount, currency: 'USD' } });
      await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
      await h.send(CaptureFundsV1, { orderId });
      await h.waitForEvents('billing.funds-captured.v1', (d) => d.orderId === orderId, 1);
    };
    const adjust = (amount: number) => h.call(AdjustBalanceV1, { vendorId, amount, reason: 'statement test', actor: 'admin@test', requestKey: rk() });
    /** No contract carries POSTPAID settlements yet: the test posts the PAYMENT transaction through the repository. */
    const payment = async (amount: number) => {
      const { ledger } = h.direct().repositories;
      const account = (await ledger.vendorAccount(vendorId))!;
      const clearingAccountId = await ledger.platformAccountId('stripe_clearing', 'USD');
      await ledger.transaction((tx) =>
        ledger.post(tx, paymentPosting({ vendorId, vendorAccountId: account.id, clearingAccountId, currency: 'USD', reference: randomUUID(), amount }), { now: h.now! }),
      );
    };

    beforeAll(async () => {
      vendorId = (await h.createVendor({ billingMode: 'POSTPAID', creditLimit: 100_000 })).id;
      at('2026-01-05T10:00:00Z');
      await order(3_000);
      at('2026-01-12T10:00:00Z');
      await order(2_000);
      at('2026-01-20T10:00:00Z');
      await adjust(500); // in the vendor's favour: owes 500 less
      at('2026-01-31T23:59:59.999Z');
      await payment(1_000);
      at('2026-02-01T00:00:00Z');
      await order(1_500);
      at('2026-02-10T10:00:00Z');
      await adjust(-200); // against the vendor: owes 200 more
      at('2026-02-27T10:00:00Z');
      await payment(3_500);
      h.now = undefined;
    });

    it('states each month: closing = opening + charges - payments - adjustments, and the next month opens with it', async () => {
      const jan = await h.call(GetStatementV1, { vendorId, month: '2026-01' });
      expect(jan).toEqual({ vendorId, month: '2026-01', currency: 'USD', openingBalance: 0, charges: 5_000, payments: 1_000, adjustments: 500, closingBalance: 3_500 });
      const feb = await h.call(GetStatementV1, { vendorId, month: '2026-02' });
      expect(feb).toEqual({ vendorId, month: '2026-02', currency: 'USD', openingBalance: 3_500, charges: 1_500, payments: 3_500, adjustments: -200, closingBalance: 1_700 });
      const mar = await h.call(GetStatementV1, { vendorId, month: '2026-03' });
      expect(mar).toMatchObject({ openingBalance: 1_700, charges: 0, payments: 0, adjustments: 0, closingBalance: 1_700 });
      const dec = await h.call(GetStatementV1, { vendorId, month: '2025-12' });
      expect(dec).toMatchObject({ openingBalance: 0, closingBalance: 0 });
      // What the vendor owes now is the last closing balance (BalanceView: minus what is owed).
      expect(await h.call(GetBalanceV1, { vendorId })).toMatchObject({ balance: -1_700, reserved: 0, available: 100_000 - 1_700 });

      const prepaid = await h.createVendor();
      const refused = await h.remoteError(h.call(GetStatementV1, { vendorId: prepaid.id, month: '2026-01' }));
      expect([refused.code, refused.status]).toEqual(['STATEMENT_NOT_AVAILABLE', 409]);
    });

    it('pages the ledger newest first, with signed amounts and the balance after each entry', async () => {
      const all: LedgerEntryView[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await h.call(ListLedgerV1, { vendorId, limit: 3, ...(cursor ? { cursor } : {}) });
        all.push(...page.data);
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(all.map((e) => [e.kind, e.amount, e.balanceAfter, e.createdAt])).toEqual([
        ['PAYMENT', 3_500, -1_700, '2026-02-27T10:00:00.000Z'],
        ['ADJUSTMENT', -200, -5_200, '2026-02-10T10:00:00.000Z'],
        ['ORDER_CHARGE', -1_500, -5_000, '2026-02-01T00:00:00.000Z'],
        ['PAYMENT', 1_000, -3_500, '2026-01-31T23:59:59.999Z'],
        ['ADJUSTMENT', 500, -4_500, '2026-01-20T10:00:00.000Z'],
        ['ORDER_CHARGE', -2_000, -5_000, '2026-01-12T10:00:00.000Z'],
        ['ORDER_CHARGE', -3_000, -3_000, '2026-01-05T10:00:00.000Z'],
      ]);
      expect(all[2]!.orderId).toEqual(expect.any(String));
      expect(all[0]!.currency).toBe('USD');
      await expectLedgerConsistent(h.pg, h.schema);
    });
  });
});
