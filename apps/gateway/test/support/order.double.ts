/**
 * A test double of the order service over the REAL broker: an RpcServer owning `ttelgo.rpc.order` that keeps orders
 * in memory and enforces what the real service promises: place-order is idempotent per (owner, requestKey), and
 * get/list only ever show the caller's own orders (another owner's order is ORDER_NOT_FOUND 404). It records every
 * request so tests can assert which owner the gateway sent. Special bundle names misbehave on demand. A refund is
 * accepted for a COMPLETED order only, like the real saga: its revocation is PENDING until the next read, which
 * answers `revocationOutcome` (REVOKED, or anything when forced: the refund is PENDING until a test calls
 * `refunded`; else the refund is refused).
 */
import { randomUUID } from 'node:crypto';
import { GetOrderV1, ListOrdersV1, PlaceOrderV1, RefundOrderV1, type OrderView, type Owner } from '@ttelgo/contracts';
import { AmqpConnection, RpcServer } from '@ttelgo/messaging';
import { CodedRpcError, testLogger } from '@ttelgo/testing';

/** Takes SLOW_MS before answering (to overlap a concurrent duplicate). */
export const SLOW_BUNDLE = 'esim_SLOW_double';
export const SLOW_MS = 1500;
/** Fails 503 the first time per requestKey, then succeeds (the gateway must not store the 503). */
export const FLAKY_BUNDLE = 'esim_FLAKY_double';
/** BUNDLE_NOT_FOUND 404 (a 4xx the gateway stores for the key). */
export const MISSING_BUNDLE = 'esim_MISSING_double';
/** Answers an order with no payment intent (payment was unreachable). */
export const NO_INTENT_BUNDLE = 'esim_NOINTENT_double';
export const UNIT_PRICE = { amount: 499, currency: 'USD' };

const sameOwner = (a: Owner, b: Owner) => a.type === b.type && a.id === b.id;

export class OrderDouble {
  readonly placeRequests: Array<Record<string, unknown>> = [];
  readonly getRequests: Array<Record<string, unknown>> = [];
  readonly listRequests: Array<Record<string, unknown>> = [];
  readonly refundRequests: Array<Record<string, unknown>> = [];
  /** What eSIM Go does with the bundles of the next refunds. */
  revocationOutcome: 'REVOKED' | 'ALREADY_USED' | 'FAILED' = 'REVOKED';
  /** Called once per new order (the saga's next steps, driven by a test). */
  onPlaced: ((order: OrderView) => void) | undefined;
  /** A broken order service: get-order answers with any owner's order (the gateway must still hide it). */
  ignoreOwnerOnGet = false;
  private readonly orders = new Map<string, OrderView>();
  private readonly byRequestKey = new Map<string, string>();
  private readonly flakyFailed = new Set<string>();
  private readonly conn: AmqpConnection;
  private readonly server: RpcServer;

  constructor(url: string) {
    const logger = testLogger('order-double');
    this.conn = new AmqpConnection({ url, name: 'order-double', logger });
    this.server = new RpcServer(this.conn, { owner: 'order', logger });

    this.server.handle(PlaceOrderV1, async (req) => {
      this.placeRequests.push(structuredClone(req));
      const dedupe = `${req.owner.type}:${req.owner.id}:${req.requestKey}`;
      if (req.bundleName === SLOW_BUNDLE) await new Promise((r) => setTimeout(r, SLOW_MS));
      if (req.bundleName === FLAKY_BUNDLE && !this.flakyFailed.has(dedupe)) {
        this.flakyFailed.add(dedupe);
        throw new CodedRpcError('PAYMENT_UNAVAILABLE', 503, 'payment did not answer');
      }
      if (req.bundleName === MISSING_BUNDLE) throw new CodedRpcError('BUNDLE_NOT_FOUND', 404, `No bundle named ${req.bundleName}.`);
      const existing = this.byRequestKey.get(dedupe);
      if (existing) return this.orders.get(existing)!;
      const now = new Date().toISOString();
      const id = randomUUID();
      const order: OrderView = {
        id,
        owner: req.owner,
        // B2B orders are paid from the vendor's wallet/credit: PENDING (funds being held), no payment intent.
        status: req.owner.type === 'vendor' ? 'PENDING' : 'AWAITING_PAYMENT',
        bundleName: req.bundleName,
        quantity: req.quantity,
        unitPrice: UNIT_PRICE,
        total: { amount: UNIT_PRICE.amount * req.quantity, currency: UNIT_PRICE.currency },
        customerReference: req.customerReference ?? null,
        esims: [],
        failureReason: null,
        payment:
          req.owner.type === 'vendor' || req.bundleName === NO_INTENT_BUNDLE
            ? null
            : { paymentIntentId: `pi_${id.slice(0, 8)}`, clientSecret: `pi_${id.slice(0, 8)}_secret_x`, publishableKey: 'pk_test_ttelgo_sim' },
        createdAt: now,
        updatedAt: now,
      };
      this.orders.set(id, order);
      this.byRequestKey.set(dedupe, id);
      this.onPlaced?.(order);
      return order;
    });

    this.server.handle(GetOrderV1, async (req) => {
      this.getRequests.push(structuredClone(req));
      const order = this.orders.get(req.orderId);
      if (!order || (!this.ignoreOwnerOnGet && !sameOwner(order.owner, req.owner))) throw new CodedRpcError('ORDER_NOT_FOUND', 404, 'No such order.');
      return this.decideRevocation(order);
    });

    this.server.handle(ListOrdersV1, async (req) => {
      this.listRequests.push(structuredClone(req));
      const mine = [...this.orders.values()].filter((o) => !req.owner || sameOwner(o.owner, req.owner)).reverse();
      const offset = req.cursor ? Number(req.cursor.replace(/^o/, '')) : 0;
      const data = mine.slice(offset, offset + req.limit);
      return { data, nextCursor: offset + req.limit < mine.length ? `o${offset + req.limit}` : null };
    });

    this.server.handle(RefundOrderV1, async (req) => {
      this.refundRequests.push(structuredClone(req));
      const order = this.orders.get(req.orderId);
      if (!order) throw new CodedRpcError('ORDER_NOT_FOUND', 404, `order ${req.orderId} does not exist`);
      if (order.refund || order.revocation?.status === 'PENDING') return order;
      if (order.status !== 'COMPLETED') throw new CodedRpcError('ORDER_NOT_REFUNDABLE', 409, `order ${req.orderId} is ${order.status}`);
      const revoking: OrderView = {
        ...order,
        revocation: { status: 'PENDING', forced: req.force === true, reason: `refund by ${req.requestedBy}: ${req.reason}`, requestedAt: new Date().toISOString(), decidedAt: null },
      };
      this.orders.set(order.id, revoking);
      return revoking;
    });
  }

  /** esim-provisioning's answer to a pending revocation, as the order service would record it. */
  private decideRevocation(order: OrderView): OrderView {
    const pending = order.revocation;
    if (pending?.status !== 'PENDING') return order;
    const now = new Date().toISOString();
    const revocation = { ...pending, status: this.revocationOutcome, decidedAt: now };
    const proceeds = this.revocationOutcome === 'REVOKED' || pending.forced;
    const decided: OrderView = { ...order, revocation, ...(proceeds ? { refund: { status: 'PENDING', reason: pending.reason, requestedAt: now, refundedAt: null } } : {}) };
    this.orders.set(order.id, decided);
    return decided;
  }

  /** What payment or vendor-billing confirming the refund does: the order is REFUNDED. */
  refunded(orderId: string): void {
    const order = this.orders.get(orderId);
    if (!order?.refund) throw new Error(`no refund under way for ${orderId}`);
    const now = new Date().toISOString();
    this.orders.set(orderId, { ...order, status: 'REFUNDED', refund: { ...order.refund, status: 'SUCCEEDED', refundedAt: now }, updatedAt: now });
  }

  /** What provisioning would do: the order is COMPLETED with these eSIMs. */
  complete(orderId: string, iccids: string[]): void {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    this.orders.set(orderId, { ...order, status: 'COMPLETED', esims: iccids.map((iccid) => ({ iccid })), updatedAt: new Date().toISOString() });
  }

  /** Any status change (REJECTED with a reason, FAILED ...). */
  setStatus(orderId: string, status: OrderView['status'], failureReason: string | null = null): void {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    this.orders.set(orderId, { ...order, status, failureReason, updatedAt: new Date().toISOString() });
  }

  countPlaced(requestKey: string): number {
    return this.placeRequests.filter((r) => r['requestKey'] === requestKey).length;
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
