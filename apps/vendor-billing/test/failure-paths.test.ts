/**
 * Failure paths over the real broker: a provisioning failure releases the hold, a duplicated top-up event credits
 * once, the same reserve command twice holds once, captures and releases are idempotent and never undo each
 * other, an admin refund credits a captured charge back once (and never a released hold), and low-balance fires
 * once per crossing.
 */
import { randomUUID } from 'node:crypto';
import {
  CaptureFundsV1,
  CreateTopupV1,
  GetBalanceV1,
  GetStatementV1,
  ListLedgerV1,
  RefundOrderChargeV1,
  ReleaseFundsV1,
  ReserveFundsV1,
  UpdateVendorV1,
  type Envelope,
} from '@ttelgo/contracts';
import { waitFor } from '@ttelgo/testing';
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

const usd = (amount: number) => ({ amount, currency: 'USD' });

async function toppedUpVendor(amount: number) {
  const vendor = await h.createVendor();
  const topup = await h.call(CreateTopupV1, { vendorId: vendor.id, amount, requestKey: `rk-${randomUUID()}` });
  await h.payment.succeeded(topup.topupId);
  await h.waitForEvents('billing.wallet-credited.v1', (d) => d.topupId === topup.topupId, 1);
  return vendor;
}

async function holdsOf(orderId: string): Promise<Array<{ status: string; amount: string }>> {
  const { rows } = await h.pg.query(`SELECT status, amount::text AS amount FROM "${h.schema}".holds WHERE order_id = $1`, [orderId]);
  return rows;
}

describe('vendor-billing: failure paths', () => {
  it('a release (provisioning failed) gives the hold back; a second release, and a capture after it, change nothing', async () => {
    const vendor = await toppedUpVendor(5_000);
    const orderId = randomUUID();
    await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(3_000) });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 5_000, reserved: 3_000, available: 2_000 });

    await h.send(ReleaseFundsV1, { orderId, reason: 'esim provisioning failed' });
    await h.waitForEvents('billing.funds-released.v1', (d) => d.orderId === orderId, 1);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 5_000, reserved: 0, available: 5_000 });

    const again = await h.send(ReleaseFundsV1, { orderId, reason: 'again' });
    const capture = await h.send(CaptureFundsV1, { orderId });
    await h.waitHandled(again.id);
    await h.waitHandled(capture.id);
    await h.settle();
    expect(h.events('billing.funds-released.v1', (d) => d.orderId === orderId)).toHaveLength(1);
    expect(h.events('billing.funds-captured.v1', (d) => d.orderId === orderId)).toHaveLength(0);
    expect(await holdsOf(orderId)).toEqual([{ status: 'RELEASED', amount: '3000' }]);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 5_000, reserved: 0, available: 5_000 });
    await expectLedgerConsistent(h.pg, h.schema);
  });

  it('a capture charges once; a duplicate capture and a release after it change nothing', async () => {
    const vendor = await toppedUpVendor(5_000);
    const orderId = randomUUID();
    await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(1_200) });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    const first = await h.send(CaptureFundsV1, { orderId });
    await h.waitForEvents('billing.funds-captured.v1', (d) => d.orderId === orderId, 1);
    // A redelivery of the same message (the inbox drops it) and a second command (the hold transition drops it).
    await h.republish(CaptureFundsV1, first as Envelope);
    const second = await h.send(CaptureFundsV1, { orderId });
    const release = await h.send(ReleaseFundsV1, { orderId, reason: 'late failure' });
    await h.waitHandled(second.id);
    await h.waitHandled(release.id);
    await h.settle();
    expect(h.events('billing.funds-captured.v1', (d) => d.orderId === orderId)).toHaveLength(1);
    expect(h.events('billing.funds-released.v1', (d) => d.orderId === orderId)).toHaveLength(0);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 3_800, reserved: 0, available: 3_800 });
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".ledger_transactions WHERE order_id = $1`, [orderId]);
    expect(rows[0].n).toBe(1);
    await expectLedgerConsistent(h.pg, h.schema);
  });

  it('a refund of a captured PREPAID order: one REFUND transaction credits the wallet back; a redelivery and a re-sent command credit nothing more', async () => {
    const vendor = await toppedUpVendor(5_000);
    const orderId = randomUUID();
    await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(1_200) });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    await h.send(CaptureFundsV1, { orderId });
    const [captured] = await h.waitForEvents('billing.funds-captured.v1', (d) => d.orderId === orderId, 1);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 3_800, available: 3_800 });

    const first = await h.send(RefundOrderChargeV1, { orderId, reason: 'refund by admin:1: duplicate purchase' });
    const [refunded] = await h.waitForEvents('billing.order-charge-refunded.v1', (d) => d.orderId === orderId, 1);
    expect(refunded!.envelope.data).toEqual({ orderId, vendorId: vendor.id, amount: usd(1_200), transactionId: expect.any(String) });
    expect(refunded!.envelope.data.transactionId).not.toBe(captured!.envelope.data.transactionId);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 5_000, reserved: 0, available: 5_000 });

    // The same message again (inbox) and the order's reconciliation re-sending it (a new message): no second credit,
    // and the re-sent command is answered again with the same transaction.
    await h.republish(RefundOrderChargeV1, first as Envelope);
    const resent = await h.send(RefundOrderChargeV1, { orderId, reason: 'reconcile' });
    await h.waitHandled(resent.id);
    await h.settle();
    const answers = h.events('billing.order-charge-refunded.v1', (d) => d.orderId === orderId);
    expect(answers).toHaveLength(2);
    expect(new Set(answers.map((e) => e.envelope.data.transactionId))).toEqual(new Set([refunded!.envelope.data.transactionId]));
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 5_000, available: 5_000 });
    const { rows } = await h.pg.query(`SELECT kind, count(*)::int AS n FROM "${h.schema}".ledger_transactions WHERE order_id = $1 GROUP BY kind ORDER BY kind`, [orderId]);
    expect(rows).toEqual([{ kind: 'ORDER_CHARGE', n: 1 }, { kind: 'REFUND', n: 1 }]);
    const ledger = await h.call(ListLedgerV1, { vendorId: vendor.id, limit: 10 });
    expect(ledger.data[0]).toMatchObject({ kind: 'REFUND', amount: 1_200, balanceAfter: 5_000, orderId });
    await expectLedgerConsistent(h.pg, h.schema);
  });

  it('a refund of a POSTPAID order lowers what is owed (statement: charges net of the refund); a released hold is never refunded', async () => {
    const vendor = await h.createVendor({ billingMode: 'POSTPAID' });
    await h.call(UpdateVendorV1, { vendorId: vendor.id, creditLimit: 10_000 });
    const orderId = randomUUID();
    await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(2_500) });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    await h.send(CaptureFundsV1, { orderId });
    await h.waitForEvents('billing.funds-captured.v1', (d) => d.orderId === orderId, 1);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: -2_500, available: 7_500 });

    await h.send(RefundOrderChargeV1, { orderId, reason: 'refund by admin:1: goodwill' });
    await h.waitForEvents('billing.order-charge-refunded.v1', (d) => d.orderId === orderId, 1);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 0, available: 10_000 });
    const month = new Date().toISOString().slice(0, 7);
    expect(await h.call(GetStatementV1, { vendorId: vendor.id, month })).toMatchObject({ openingBalance: 0, charges: 0, payments: 0, closingBalance: 0 });

    // A hold released (provisioning failed) was never charged: a refund of it is refused for good (dead-lettered).
    const released = randomUUID();
    await h.send(ReserveFundsV1, { orderId: released, vendorId: vendor.id, amount: usd(1_000) });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === released, 1);
    await h.send(ReleaseFundsV1, { orderId: released, reason: 'provisioning failed' });
    await h.waitForEvents('billing.funds-released.v1', (d) => d.orderId === released, 1);
    const before = await h.vhost.queueDepth('billing.funds-commands.dlq');
    await h.send(RefundOrderChargeV1, { orderId: released, reason: 'x' });
    await waitFor(async () => (await h.vhost.queueDepth('billing.funds-commands.dlq')) > before, { timeoutMs: 15_000, message: 'the refund of a released hold never reached the DLQ' });
    expect(h.events('billing.order-charge-refunded.v1', (d) => d.orderId === released)).toHaveLength(0);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 0, reserved: 0, available: 10_000 });
    await expectLedgerConsistent(h.pg, h.schema);
  });

  it('a duplicated top-up event (same message again, and a second event for the same top-up) credits once', async () => {
    const vendor = await h.createVendor();
    const topup = await h.call(CreateTopupV1, { vendorId: vendor.id, amount: 2_500, requestKey: `rk-${randomUUID()}` });
    const event = await h.payment.succeeded(topup.topupId);
    await h.waitForEvents('billing.wallet-credited.v1', (d) => d.topupId === topup.topupId, 1);
    await h.payment.republish(event as Envelope);
    const second = await h.payment.succeeded(topup.topupId);
    await h.waitHandled(second.id);
    await h.settle();

    expect(h.events('billing.wallet-credited.v1', (d) => d.topupId === topup.topupId)).toHaveLength(1);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 2_500, available: 2_500 });
    const { rows } = await h.pg.query(
      `SELECT t.kind, t.idempotency_key, tp.status FROM "${h.schema}".ledger_transactions t JOIN "${h.schema}".topups tp ON tp.id = t.topup_id WHERE t.vendor_id = $1`,
      [vendor.id],
    );
    expect(rows).toEqual([{ kind: 'TOPUP', idempotency_key: `topup:${topup.topupId}`, status: 'CREDITED' }]);
    await expectLedgerConsistent(h.pg, h.schema);
  });

  it('a top-up event whose amount differs from the top-up credits nothing (dead-lettered for an operator)', async () => {
    const vendor = await h.createVendor();
    const topup = await h.call(CreateTopupV1, { vendorId: vendor.id, amount: 2_000, requestKey: `rk-${randomUUID()}` });
    const before = await h.vhost.queueDepth('billing.payment-events.dlq');
    await h.payment.succeeded(topup.topupId, usd(9_999));
    await waitFor(async () => (await h.vhost.queueDepth('billing.payment-events.dlq')) > before, { timeoutMs: 15_000, message: 'the mismatched event never reached the DLQ' });
    await h.settle();
    expect(h.events('billing.wallet-credited.v1', (d) => d.topupId === topup.topupId)).toHaveLength(0);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ balance: 0 });
    const { rows } = await h.pg.query(`SELECT status FROM "${h.schema}".topups WHERE id = $1`, [topup.topupId]);
    expect(rows).toEqual([{ status: 'AWAITING_PAYMENT' }]);
  });

  it('the same reserve command twice (redelivered, and sent again) holds once and answers once', async () => {
    const vendor = await toppedUpVendor(5_000);
    const orderId = randomUUID();
    const first = await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(2_000) });
    await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
    await h.republish(ReserveFundsV1, first as Envelope);
    const again = await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(2_000) });
    await h.waitHandled(again.id);
    await h.settle();
    expect(h.events('billing.funds-reserved.v1', (d) => d.orderId === orderId)).toHaveLength(1);
    expect(await holdsOf(orderId)).toEqual([{ status: 'HELD', amount: '2000' }]);
    expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ reserved: 2_000, available: 3_000 });
  });

  it('a suspended vendor gets VENDOR_SUSPENDED, an unknown one VENDOR_NOT_FOUND, another currency CURRENCY_MISMATCH', async () => {
    const vendor = await toppedUpVendor(5_000);
    await h.call(UpdateVendorV1, { vendorId: vendor.id, status: 'SUSPENDED' });
    const cases: Array<[string, string, { amount: number; currency: string }, string]> = [
      [randomUUID(), vendor.id, usd(100), 'VENDOR_SUSPENDED'],
      [randomUUID(), randomUUID(), usd(100), 'VENDOR_NOT_FOUND'],
    ];
    const other = await toppedUpVendor(5_000);
    cases.push([randomUUID(), other.id, { amount: 100, currency: 'EUR' }, 'CURRENCY_MISMATCH']);
    for (const [orderId, vendorId, amount] of cases) await h.send(ReserveFundsV1, { orderId, vendorId, amount });
    for (const [orderId, , , code] of cases) {
      const [rejected] = await h.waitForEvents('billing.funds-rejected.v1', (d) => d.orderId === orderId, 1);
      expect(rejected!.envelope.data.code).toBe(code);
      expect(await holdsOf(orderId)).toEqual([]);
    }
  });

  it('low-balance fires once per crossing and re-arms when the available balance is back above the threshold', async () => {
    const vendor = await toppedUpVendor(10_000);
    await h.call(UpdateVendorV1, { vendorId: vendor.id, lowBalanceThreshold: 4_000 });
    const lows = () => h.events('billing.low-balance.v1', (d) => d.vendorId === vendor.id);
    const reserve = async (amount: number) => {
      const orderId = randomUUID();
      await h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: usd(amount) });
      await h.waitForEvents('billing.funds-reserved.v1', (d) => d.orderId === orderId, 1);
      return orderId;
    };
    await reserve(5_000); // available 5000: above
    const crossing = await reserve(2_000); // 3000: crosses
    await h.waitForEvents('billing.low-balance.v1', (d) => d.vendorId === vendor.id, 1);
    const further = await reserve(1_000); // 2000: still below, no second alert
    await h.settle();
    expect(lows()).toHaveLength(1);
    expect(lows()[0]!.envelope.data).toMatchObject({ vendorId: vendor.id, currency: 'USD', available: 3_000, threshold: 4_000 });

    await h.send(ReleaseFundsV1, { orderId: crossing, reason: 'failed' });
    await h.send(ReleaseFundsV1, { orderId: further, reason: 'failed' });
    await h.waitForEvents('billing.funds-released.v1', (d) => d.orderId === crossing || d.orderId === further, 2); // back to 5000: re-armed
    await reserve(1_500); // 3500: crosses again
    await h.waitForEvents('billing.low-balance.v1', (d) => d.vendorId === vendor.id, 2);
    await h.settle();
    expect(lows()).toHaveLength(2);
    expect(lows()[1]!.envelope.data).toMatchObject({ available: 3_500, threshold: 4_000 });
  });

  it('ledger entries and transactions are immutable in the database', async () => {
    await toppedUpVendor(1_000);
    await expect(h.pg.query(`UPDATE "${h.schema}".ledger_entries SET amount = amount + 1`)).rejects.toThrow(/immutable/);
    await expect(h.pg.query(`DELETE FROM "${h.schema}".ledger_entries`)).rejects.toThrow(/immutable/);
    await expect(h.pg.query(`UPDATE "${h.schema}".ledger_transactions SET description = 'x'`)).rejects.toThrow(/immutable/);
    await expect(h.pg.query(`TRUNCATE "${h.schema}".ledger_entries CASCADE`)).rejects.toThrow(/immutable/);
  });

  it('the database refuses an unbalanced transaction and an overdrawn wallet (the backstops)', async () => {
    const vendor = await toppedUpVendor(1_000);
    const s = `"${h.schema}"`;
    const { rows } = await h.pg.query(`SELECT id FROM ${s}.accounts WHERE vendor_id = $1`, [vendor.id]);
    const accountId = rows[0].id as string;
    await expect(h.pg.query(`UPDATE ${s}.accounts SET reserved = 1001 WHERE id = $1`, [accountId])).rejects.toThrow(/accounts_wallet_not_overdrawn/);
    const txId = randomUUID();
    await h.pg.query('BEGIN');
    try {
      await h.pg.query(`INSERT INTO ${s}.ledger_transactions (id, kind, vendor_id, idempotency_key, description) VALUES ($1, 'ADJUSTMENT', $2, $3, 'bad')`, [txId, vendor.id, `bad:${txId}`]);
      await h.pg.query(`INSERT INTO ${s}.ledger_entries (id, transaction_id, account_id, direction, amount, currency, balance_after) VALUES ($1, $2, $3, 'credit', 5, 'USD', 0)`, [randomUUID(), txId, accountId]);
      await expect(h.pg.query('COMMIT')).rejects.toThrow(/unbalanced ledger transaction/);
    } finally {
      await h.pg.query('ROLLBACK').catch(() => undefined);
    }
  });
});

