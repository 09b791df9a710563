/**
 * The classic double-spend test: a vendor whose available funds (PREPAID wallet
 * or POSTPAID credit) cover exactly k orders receives 50 concurrent reserves of distinct orders. Exactly k are
 * reserved, 50 - k rejected; available never goes below zero (sampled while the race runs); after capturing the
 * reserved ones, debits equal credits and every stored balance equals the balance derived from its entries.
 */
import { randomUUID } from 'node:crypto';
import { AdjustBalanceV1, CaptureFundsV1, CreateTopupV1, GetBalanceV1, ReserveFundsV1, type VendorView } from '@ttelgo/contracts';
import { waitFor } from '@ttelgo/testing';
import type { ReserveOutcome } from '../../src/application/reserve-funds.use-case';
import type { BillingHarness } from './billing.harness';
import { expectLedgerConsistent, vendorAccount } from './ledger.checks';

export const PRICE = 1_250;
export const K = 7;
export const N = 50;

type Mode = 'PREPAID' | 'POSTPAID';
const shortfall = (mode: Mode) => (mode === 'PREPAID' ? 'INSUFFICIENT_FUNDS' : 'CREDIT_LIMIT_EXCEEDED');

/** A vendor whose available amount is exactly K x PRICE: a card top-up (PREPAID) or a credit limit (POSTPAID). */
export async function fundedVendor(h: BillingHarness, mode: Mode, via: 'topup' | 'adjustment'): Promise<VendorView> {
  if (mode === 'POSTPAID') return h.createVendor({ billingMode: 'POSTPAID', creditLimit: K * PRICE });
  const vendor = await h.createVendor({ billingMode: 'PREPAID' });
  if (via === 'adjustment') {
    await h.call(AdjustBalanceV1, { vendorId: vendor.id, amount: K * PRICE, reason: 'opening credit', actor: 'admin@test', requestKey: `rk-${randomUUID()}` });
  } else {
    const topup = await h.call(CreateTopupV1, { vendorId: vendor.id, amount: K * PRICE, requestKey: `rk-${randomUUID()}` });
    await h.payment.succeeded(topup.topupId);
    await h.waitForEvents('billing.wallet-credited.v1', (d) => d.topupId === topup.topupId, 1);
  }
  const balance = await h.call(GetBalanceV1, { vendorId: vendor.id });
  expect(balance.available).toBe(K * PRICE);
  return vendor;
}

/** Samples the vendor's available amount until stopped; returns the minimum seen. */
function sampleAvailable(h: BillingHarness, vendorId: string): { stop(): Promise<number> } {
  let min = Number.POSITIVE_INFINITY;
  let running = true;
  const loop = (async () => {
    while (running) {
      min = Math.min(min, (await vendorAccount(h.pg, h.schema, vendorId)).available);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return min;
    },
  };
}

export async function raceThroughBroker(h: BillingHarness, mode: Mode, via: 'topup' | 'adjustment'): Promise<void> {
  const vendor = await fundedVendor(h, mode, via);
  const orders: string[] = Array.from({ length: N }, () => randomUUID());
  const sampler = sampleAvailable(h, vendor.id);
  await Promise.all(orders.map((orderId) => h.send(ReserveFundsV1, { orderId, vendorId: vendor.id, amount: { amount: PRICE, currency: 'USD' } })));
  const ours = (d: Record<string, unknown>) => orders.includes(d.orderId as string);
  await waitForOutcomes(h, ours);
  const minAvailable = await sampler.stop();

  const reserved = h.events('billing.funds-reserved.v1', ours);
  const rejected = h.events('billing.funds-rejected.v1', ours);
  expect(reserved).toHaveLength(K);
  expect(rejected).toHaveLength(N - K);
  expect(new Set(rejected.map((r) => r.envelope.data.code))).toEqual(new Set([shortfall(mode)]));
  expect(minAvailable).toBeGreaterThanOrEqual(0);
  expect(await h.call(GetBalanceV1, { vendorId: vendor.id })).toMatchObject({ reserved: K * PRICE, available: 0 });

  const reservedIds = reserved.map((r) => r.envelope.data.orderId as string);
  await Promise.all(reservedIds.map((orderId) => h.send(CaptureFundsV1, { orderId })));
  await h.waitForEvents('billing.funds-captured.v1', (d) => reservedIds.includes(d.orderId as string), K);
  await expectSpent(h, vendor, mode);
}

async function waitForOutcomes(h: BillingHarness, ours: (d: Record<string, unknown>) => boolean): Promise<void> {
  await waitFor(() => h.events('billing.funds-reserved.v1', ours).length + h.events('billing.funds-rejected.v1', ours).length >= N, {
    timeoutMs: 30_000,
    message: 'not every reserve was answered',
  });
}

/** The same race with the use case called directly, 50 transactions at once on 25 connections. */
export async function raceDirect(h: BillingHarness, mode: Mode): Promise<void> {
  const vendor = await fundedVendor(h, mode, 'adjustment');
  const d = h.direct();
  const orders: string[] = Array.from({ length: N }, () => randomUUID());
  const sampler = sampleAvailable(h, vendor.id);
  const outcomes: ReserveOutcome[] = await Promise.all(
    orders.map(async (orderId) => {
      let outcome: ReserveOutcome | undefined;
      await d.inbox.runOnce(randomUUID(), 'test.reserve', async (tx) => {
        outcome = await d.reserve.execute(tx as never, { orderId, vendorId: vendor.id, amount: { amount: PRICE, currency: 'USD' } }, { messageId: randomUUID() });
      });
      return outcome!;
    }),
  );
  const minAvailable = await sampler.stop();
  expect(outcomes.filter((o) => o.outcome === 'reserved')).toHaveLength(K);
  expect(outcomes.filter((o) => o.outcome === 'rejected')).toEqual(Array.from({ length: N - K }, () => ({ outcome: 'rejected', code: shortfall(mode) })));
  expect(minAvailable).toBeGreaterThanOrEqual(0);

  const reservedIds = orders.filter((_, i) => outcomes[i]!.outcome === 'reserved');
  await Promise.all(
    reservedIds.map((orderId) => d.inbox.runOnce(randomUUID(), 'test.capture', (tx) => d.capture.execute(tx as never, { orderId }, { messageId: randomUUID() }).then(() => undefined))),
  );
  await expectSpent(h, vendor, mode);
}

async function expectSpent(h: BillingHarness, vendor: VendorView, mode: Mode): Promise<void> {
  const balance = await h.call(GetBalanceV1, { vendorId: vendor.id });
  expect(balance).toMatchObject({ balance: mode === 'PREPAID' ? 0 : -K * PRICE, reserved: 0, available: 0 });
  const { rows } = await h.pg.query(
    `SELECT count(*)::int AS n FROM "${h.schema}".ledger_transactions WHERE vendor_id = $1 AND kind = 'ORDER_CHARGE'`,
    [vendor.id],
  );
  expect(rows[0].n).toBe(K);
  await expectLedgerConsistent(h.pg, h.schema);
}
