/**
 * The billing.* RPCs through the real broker (gateway-like client), plus statements of a POSTPAID vendor over
 * two months written through the service's clock seam, and POSTPAID payments (billing.record-payment.v1).
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
  RecordPaymentV1,
  ReserveFundsV1,
  UpdateVendorV1,
  type LedgerEntryView,
  type VendorView,
} from '@ttelgo/contracts';
import { assertSchemaMatchesPrisma } from '@ttelgo/db';
import { TEST_DATABASE_URL } from '@ttelgo/testing';
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
    const payment = (amount: number) =>
      h.call(RecordPaymentV1, { vendorId, amount, reference: `TRF-${randomUUID().slice(0, 8)}`, actor: 'admin@test', requestKey: rk() });

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

  describe('POSTPAID payments (billing.record-payment.v1)', () => {
    const at = (iso: string) => {
      h.now = new Date(iso);
    };
    const order = async (vendorId: string, amount: number) => {
      const orderId = randomUUID();
      await h.send(ReserveFundsV1, { orderId, vendorId, amount: { amount, currency: 'USD' } });
      await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
      await h.send(CaptureFundsV1, { orderId });
      await h.waitForEvents('billing.funds-captured.v1', (d) => d.orderId === orderId, 1);
    };
    const paymentRows = async (vendorId: string) =>
      (
        await h.pg.query<{ id: string; description: string }>(
          `SELECT id, description FROM "${h.schema}".ledger_transactions WHERE vendor_id = $1 AND kind = 'PAYMENT' ORDER BY created_at`,
          [vendorId],
        )
      ).rows;
    const alerted = async (vendorId: string) =>
      (await h.pg.query<{ a: boolean }>(`SELECT low_balance_alerted AS a FROM "${h.schema}".vendors WHERE id = $1`, [vendorId])).rows[0]!.a;

    afterEach(() => {
      h.now = undefined;
    });

    it('credits the receivable against bank_clearing once per requestKey; the statement counts it; an overpayment becomes credit; low-balance re-arms', async () => {
      const vendor = await h.createVendor({ billingMode: 'POSTPAID', creditLimit: 10_000, lowBalanceThreshold: 3_000 });
      const vendorId = vendor.id;
      const lows = () => h.events('billing.low-balance.v1', (d) => d.vendorId === vendorId);

      at('2026-04-05T10:00:00Z');
      await order(vendorId, 8_000); // owes 8 000, available 2 000 < 3 000: one low-balance event
      await h.waitForEvents('billing.low-balance.v1', (d) => d.vendorId === vendorId, 1);
      at('2026-04-10T10:00:00Z');
      await h.call(AdjustBalanceV1, { vendorId, amount: 500, reason: 'goodwill', actor: 'admin@test', requestKey: rk() });

      at('2026-04-20T10:00:00Z');
      const requestKey = rk();
      const request = { vendorId, amount: 6_000, reference: 'TRF 2026-04 / ACME', actor: 'admin:ops', requestKey };
      const paid = await h.call(RecordPaymentV1, request);
      expect(paid).toEqual({
        transactionId: expect.any(String),
        balance: { vendorId, billingMode: 'POSTPAID', currency: 'USD', balance: -1_500, reserved: 0, available: 8_500, creditLimit: 10_000 },
      });
      expect(await alerted(vendorId)).toBe(false); // back above the threshold: armed again, and no event for a rise

      // The same key again (sequentially, then 5 at once): the same transaction, nothing posted twice.
      expect((await h.call(RecordPaymentV1, request)).transactionId).toBe(paid.transactionId);
      const twins = await Promise.all(Array.from({ length: 5 }, () => h.call(RecordPaymentV1, request)));
      expect(new Set(twins.map((t) => t.transactionId))).toEqual(new Set([paid.transactionId]));
      expect((await paymentRows(vendorId)).map((r) => r.id)).toEqual([paid.transactionId]);
      // The same key for another payment is refused rather than answered with the first one.
      for (const other of [{ ...request, amount: 6_001 }, { ...request, reference: 'TRF 2026-04 / OTHER' }]) {
        const reused = await h.remoteError(h.call(RecordPaymentV1, other));
        expect([reused.code, reused.status]).toEqual(['REQUEST_KEY_REUSED', 422]);
      }

      // One PAYMENT = two entries: the receivable credited, bank_clearing (debit-normal, USD) debited.
      const { rows: entries } = await h.pg.query(
        `SELECT a.kind, a.normal_side, a.currency, e.direction, e.amount::int AS amount
           FROM "${h.schema}".ledger_entries e JOIN "${h.schema}".accounts a ON a.id = e.account_id
          WHERE e.transaction_id = $1 ORDER BY a.kind`,
        [paid.transactionId],
      );
      expect(entries).toEqual([
        { kind: 'bank_clearing', normal_side: 'debit', currency: 'USD', direction: 'debit', amount: 6_000 },
        { kind: 'receivable', normal_side: 'debit', currency: 'USD', direction: 'credit', amount: 6_000 },
      ]);
      const [row] = await paymentRows(vendorId);
      expect(row!.description).toBe('payment "TRF 2026-04 / ACME" recorded by admin:ops');

      at('2026-04-25T10:00:00Z');
      await order(vendorId, 6_000); // owes 7 500, available 2 500: below again, a second event (the latch was re-armed)
      await h.waitForEvents('billing.low-balance.v1', (d) => d.vendorId === vendorId, 2);

      // More than is owed: recorded as it is, the vendor is in credit (balance > 0) and may spend it.
      at('2026-04-28T10:00:00Z');
      const over = await h.call(RecordPaymentV1, { vendorId, amount: 9_000, reference: 'TRF 2026-04-28', actor: 'admin:ops', requestKey: rk() });
      expect(over.balance).toMatchObject({ balance: 1_500, reserved: 0, available: 11_500, creditLimit: 10_000 });

      const april = await h.call(GetStatementV1, { vendorId, month: '2026-04' });
      expect(april).toEqual({ vendorId, month: '2026-04', currency: 'USD', openingBalance: 0, charges: 14_000, payments: 15_000, adjustments: 500, closingBalance: -1_500 });
      expect(april.closingBalance).toBe(april.openingBalance + april.charges - april.payments - april.adjustments);
      expect(await h.call(GetStatementV1, { vendorId, month: '2026-05' })).toMatchObject({ openingBalance: -1_500, closingBalance: -1_500 });
      h.now = undefined;
      expect(await h.call(GetBalanceV1, { vendorId })).toMatchObject({ balance: 1_500, available: 11_500 });
      expect(lows()).toHaveLength(2);

      const ledger = await h.call(ListLedgerV1, { vendorId, limit: 2 });
      expect(ledger.data.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
        ['PAYMENT', 9_000, 1_500],
        ['ORDER_CHARGE', -6_000, -7_500],
      ]);
      await expectLedgerConsistent(h.pg, h.schema);
    });

    it('refuses a PREPAID vendor, another currency, a non-positive amount and an unknown vendor, posting nothing', async () => {
      const prepaid = await h.createVendor({ billingMode: 'PREPAID' });
      const postpaid = await h.createVendor({ billingMode: 'POSTPAID', creditLimit: 5_000 });
      const base = { amount: 1_000, reference: 'TRF-1', actor: 'admin:ops', requestKey: rk() };

      const notApplicable = await h.remoteError(h.call(RecordPaymentV1, { ...base, vendorId: prepaid.id }));
      expect([notApplicable.code, notApplicable.status]).toEqual(['PAYMENT_NOT_APPLICABLE', 409]);
      const currency = await h.remoteError(h.call(RecordPaymentV1, { ...base, vendorId: postpaid.id, currency: 'EUR' }));
      expect([currency.code, currency.status]).toEqual(['CURRENCY_MISMATCH', 422]);
      for (const amount of [0, -100]) {
        // The contract refuses it before it leaves the caller; the use case refuses it again (400) if it ever arrives.
        await expect(h.call(RecordPaymentV1, { ...base, vendorId: postpaid.id, amount })).rejects.toThrow();
        await expect(h.direct().rpc.recordPayment.execute({ ...base, vendorId: postpaid.id, amount })).rejects.toMatchObject({ code: 'AMOUNT_OUT_OF_RANGE', status: 400 });
      }
      const missing = await h.remoteError(h.call(RecordPaymentV1, { ...base, vendorId: randomUUID() }));
      expect([missing.code, missing.status]).toEqual(['VENDOR_NOT_FOUND', 404]);
      expect(await paymentRows(prepaid.id)).toEqual([]);
      expect(await paymentRows(postpaid.id)).toEqual([]);

      // The vendor's own currency, stated explicitly, is accepted.
      const ok = await h.call(RecordPaymentV1, { ...base, vendorId: postpaid.id, currency: 'USD' });
      expect(ok.balance).toMatchObject({ balance: 1_000, available: 6_000 });
      await expectLedgerConsistent(h.pg, h.schema);
    });
  });
});
