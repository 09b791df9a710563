/**
 * Model-based test of the ledger (TigerBeetle-VOPR style, cheaply): a seeded random sequence of top-ups (with
 * duplicated payment events), reserves, captures, releases (provisioning failures), adjustments (positive and
 * negative, with replays of the same requestKey), refunds of orders (captured, still held, released, refunded
 * twice) and exact redeliveries of earlier messages, each run through the
 * real use cases, inbox and Postgres. After EVERY step the vendor's balance, reserved and available amounts and
 * every hold are compared with an in-memory model, and the whole ledger is checked (debits = credits, stored =
 * derived balances, reserved = held).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { ReserveOutcome } from '../src/application/reserve-funds.use-case';
import type { BillingTx } from '../src/infrastructure/sql';
import { BillingHarness } from './support/billing.harness';
import { expectLedgerConsistent } from './support/ledger.checks';

jest.setTimeout(300_000);

const h = new BillingHarness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.stop();
});

const CREDIT_LIMIT = 8_000;

type Step =
  | { t: 'topup'; amount: number }
  | { t: 'topupAgain'; i: number; sameMessage: boolean }
  | { t: 'reserve'; amount: number }
  | { t: 'reserveAgain'; i: number; sameMessage: boolean }
  | { t: 'capture'; i: number }
  | { t: 'release'; i: number }
  | { t: 'adjust'; amount: number }
  | { t: 'adjustAgain'; i: number }
  | { t: 'refund'; i: number }
  | { t: 'redeliver'; i: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant('topup' as const), amount: fc.integer({ min: 100, max: 6_000 }) }),
  fc.record({ t: fc.constant('topupAgain' as const), i: fc.nat(), sameMessage: fc.boolean() }),
  { arbitrary: fc.record({ t: fc.constant('reserve' as const), amount: fc.integer({ min: 1, max: 4_000 }) }), weight: 3 },
  fc.record({ t: fc.constant('reserveAgain' as const), i: fc.nat(), sameMessage: fc.boolean() }),
  { arbitrary: fc.record({ t: fc.constant('capture' as const), i: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('release' as const), i: fc.nat() }), weight: 2 },
  fc.record({ t: fc.constant('adjust' as const), amount: fc.integer({ min: -4_000, max: 4_000 }).filter((a) => a !== 0) }),
  fc.record({ t: fc.constant('adjustAgain' as const), i: fc.nat() }),
  fc.record({ t: fc.constant('refund' as const), i: fc.nat() }),
  fc.record({ t: fc.constant('redeliver' as const), i: fc.nat() }),
);

interface Model {
  mode: 'PREPAID' | 'POSTPAID';
  /** the vendor's balance (PREPAID wallet; POSTPAID minus what is owed) */
  balance: number;
  reserved: number;
  holds: Map<string, { amount: number; status: 'HELD' | 'CAPTURED' | 'RELEASED' }>;
  orders: Array<{ orderId: string; amount: number; messageId: string }>;
  topups: Array<{ topupId: string; amount: number; credited: boolean; messageId: string }>;
  adjustments: Array<{ requestKey: string; amount: number; applied: boolean }>;
  /** orders whose captured charge was refunded (once) */
  refunded: Set<string>;
  /** every message handled, to redeliver exactly (same id, same handler) */
  messages: Array<() => Promise<'processed' | 'duplicate'>>;
}

const available = (m: Model) => m.balance - m.reserved + (m.mode === 'POSTPAID' ? CREDIT_LIMIT : 0);
const pick = <T>(list: T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

describe('vendor-billing: ledger model', () => {
  it('agrees with an in-memory model after every step of 30 seeded random runs', async () => {
    const intents = new Map<string, string>();
    const d = h.direct({
      createTopupIntent: async (req) => {
        const id = intents.get(req.topupId) ?? `pi_${randomUUID().slice(0, 8)}`;
        intents.set(req.topupId, id);
        return { paymentIntentId: id, clientSecret: `${id}_secret`, publishableKey: 'pk_test_model' };
      },
    });

    await fc.assert(
      fc.asyncProperty(fc.constantFrom<'PREPAID' | 'POSTPAID'>('PREPAID', 'POSTPAID'), fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'medium' }), async (mode, steps) => {
        const vendor = await d.rpc.createVendor.execute({
          name: 'Model Reseller',
          email: 'model@reseller.example',
          billingMode: mode,
          currency: 'USD',
          requestKey: `rk-${randomUUID()}`,
          ...(mode === 'POSTPAID' ? { creditLimit: CREDIT_LIMIT } : {}),
        });
        const m: Model = { mode, balance: 0, reserved: 0, holds: new Map(), orders: [], topups: [], adjustments: [], refunded: new Set(), messages: [] };

        /** Handles a message once through the real inbox; remembers it for exact redelivery. */
        const deliver = async (handler: string, fn: (tx: BillingTx, messageId: string) => Promise<unknown>, messageId: string = randomUUID()) => {
          const run = () => d.inbox.runOnce(messageId, handler, async (tx) => void (await fn(tx as BillingTx, messageId)));
          m.messages.push(run);
          return run();
        };
        const paymentEvent = (t: Model['topups'][number], messageId: string): Promise<'processed' | 'duplicate'> =>
          deliver(
            'billing.on-payment-succeeded',
            (tx, id) =>
              d.paymentSucceeded.execute(
                tx,
                { purpose: 'VENDOR_TOPUP', referenceId: t.topupId, paymentIntentId: intents.get(t.topupId)!, amount: { amount: t.amount, currency: 'USD' }, occurredAt: new Date().toISOString() },
                { messageId: id },
              ),
            messageId,
          );
        const reserve = async (orderId: string, amount: number, messageId: string) => {
          let outcome: ReserveOutcome | undefined;
          const inbox = await deliver(
            'billing.funds-commands',
            async (tx, id) => (outcome = await d.reserve.execute(tx, { orderId, vendorId: vendor.id, amount: { amount, currency: 'USD' } }, { messageId: id })),
            messageId,
          );
          return { inbox, outcome };
        };

        for (const step of steps) {
          switch (step.t) {
            case 'topup': {
              if (mode === 'POSTPAID') {
                await expect(d.rpc.createTopup.execute({ vendorId: vendor.id, amount: step.amount, requestKey: `rk-${randomUUID()}` })).rejects.toMatchObject({ code: 'TOPUP_NOT_AVAILABLE' });
                break;
              }
              const topup = await d.rpc.createTopup.execute({ vendorId: vendor.id, amount: step.amount, requestKey: `rk-${randomUUID()}` });
              const t = { topupId: topup.topupId, amount: step.amount, credited: false, messageId: randomUUID() };
              m.topups.push(t);
              await paymentEvent(t, t.messageId);
              t.credited = true;
              m.balance += t.amount;
              break;
            }
            case 'topupAgain': {
              const t = pick(m.topups, step.i);
              // The same message id is an inbox duplicate; a new one reaches the use case and meets the CREDITED guard.
              if (t) await paymentEvent(t, step.sameMessage ? t.messageId : randomUUID());
              break;
            }
            case 'reserve':
            case 'reserveAgain': {
              const again = step.t === 'reserveAgain' ? pick(m.orders, step.i) : undefined;
              if (step.t === 'reserveAgain' && !again) break;
              const order = again ?? { orderId: randomUUID(), amount: (step as { amount: number }).amount, messageId: randomUUID() };
              if (!again) m.orders.push(order);
              const sameMessage = again !== undefined && (step as { sameMessage: boolean }).sameMessage;
              const { inbox, outcome } = await reserve(order.orderId, order.amount, sameMessage || !again ? order.messageId : randomUUID());
              const existing = m.holds.get(order.orderId);
              if (sameMessage) {
                expect(inbox).toBe('duplicate');
              } else if (existing) {
                expect(outcome).toEqual({ outcome: 'duplicate' });
              } else if (order.amount <= available(m)) {
                expect(outcome).toEqual({ outcome: 'reserved' });
                m.holds.set(order.orderId, { amount: order.amount, status: 'HELD' });
                m.reserved += order.amount;
              } else {
                expect(outcome).toEqual({ outcome: 'rejected', code: mode === 'PREPAID' ? 'INSUFFICIENT_FUNDS' : 'CREDIT_LIMIT_EXCEEDED' });
              }
              break;
            }
            case 'capture':
            case 'release': {
              const order = pick(m.orders, step.i);
              const hold = order && m.holds.get(order.orderId);
              if (!order || !hold) break; // no hold: the command would be retried by the broker, never applied
              if (step.t === 'capture') await deliver('billing.funds-commands', (tx, id) => d.capture.execute(tx, { orderId: order.orderId }, { messageId: id }));
              else await deliver('billing.funds-commands', (tx, id) => d.release.execute(tx, { orderId: order.orderId, reason: 'provisioning failed' }, { messageId: id }));
              if (hold.status === 'HELD') {
                hold.status = step.t === 'capture' ? 'CAPTURED' : 'RELEASED';
                m.reserved -= hold.amount;
                if (step.t === 'capture') m.balance -= hold.amount;
              }
              break;
            }
            case 'adjust':
            case 'adjustAgain': {
              const adj = step.t === 'adjustAgain' ? pick(m.adjustments, step.i) : { requestKey: `rk-${randomUUID()}`, amount: step.amount, applied: false };
              if (!adj) break;
              if (step.t === 'adjust') m.adjustments.push(adj);
              const call = d.rpc.adjustBalance.execute({ vendorId: vendor.id, amount: adj.amount, reason: 'model', actor: 'admin@model', requestKey: adj.requestKey });
              if (adj.applied) {
                await call; // a replay: the same transaction, nothing new
              } else if (adj.amount > 0 || available(m) + adj.amount >= 0) {
                await call;
                adj.applied = true;
                m.balance += adj.amount;
              } else {
                await expect(call).rejects.toMatchObject({ code: mode === 'PREPAID' ? 'INSUFFICIENT_FUNDS' : 'CREDIT_LIMIT_EXCEEDED' });
              }
              break;
            }
            case 'refund': {
              const order = pick(m.orders, step.i);
              const hold = order && m.holds.get(order.orderId);
              if (!order || !hold) break; // no hold: retried by the broker, never applied
              const refund = deliver('billing.funds-commands', (tx, id) => d.refund.execute(tx, { orderId: order.orderId, reason: 'model refund' }, { messageId: id }));
              if (hold.status === 'HELD') {
                // Not captured yet: a transient failure (the broker retries), nothing written, not even the inbox row.
                await expect(refund).rejects.toMatchObject({ name: 'ChargeNotCapturedError' });
                m.messages.pop();
              } else if (hold.status === 'RELEASED') {
                await expect(refund).rejects.toMatchObject({ code: 'ORDER_NOT_CHARGED' });
                m.messages.pop();
              } else {
                expect(await refund).toBe('processed');
                if (!m.refunded.has(order.orderId)) {
                  m.refunded.add(order.orderId);
                  m.balance += hold.amount;
                }
              }
              break;
            }
            case 'redeliver': {
              const again = pick(m.messages, step.i);
              if (again) expect(await again()).toBe('duplicate');
              break;
            }
          }

          const balance = await d.rpc.getBalance.execute({ vendorId: vendor.id });
          expect({ step: step.t, balance: balance.balance, reserved: balance.reserved, available: balance.available }).toEqual({
            step: step.t,
            balance: m.balance,
            reserved: m.reserved,
            available: available(m),
          });
          expect(balance.available).toBeGreaterThanOrEqual(0);
          const { rows } = await h.pg.query<{ order_id: string; status: string; amount: string }>(
            `SELECT order_id, status, amount::text AS amount FROM "${h.schema}".holds WHERE vendor_id = $1`,
            [vendor.id],
          );
          expect(new Map(rows.map((r) => [r.order_id, { amount: Number(r.amount), status: r.status }]))).toEqual(m.holds);
          await expectLedgerConsistent(h.pg, h.schema);
        }
      }),
      { seed: 20_261_128, numRuns: 30, endOnFailure: true },
    );
  });
});
