/**
 * order.place-order.v1. Idempotent per (owner, requestKey): the unique index decides which call creates the
 * order; every repeat gets that order back. The B2C story (owner customer):
 *   1. an order for this request key exists -> it (and its missing payment intent is created now, see 4);
 *   2. the retail price comes from esim-provisioning (server-side pricing, never the client's);
 *   3. order + first history row in one transaction (AWAITING_PAYMENT);
 *   4. payment creates the intent (keyed on the order id, so a retry returns the same intent) and the order
 *      stores it. No database transaction is held while payment is called. If payment cannot be reached the
 *      order stays AWAITING_PAYMENT without an intent and the caller gets 503: the same request key later
 *      completes step 4.
 * The B2B story (owner vendor):
 *   1. as above (the stored order is returned as it is: its hold is asked for by the outbox, not by this call);
 *   2. vendor-billing gives the vendor's status and markup (unreachable: 503 BILLING_UNAVAILABLE, nothing stored);
 *   3. esim-provisioning prices the bundle at the vendor's markup;
 *   4. order PENDING + history + billing.reserve-funds.v1 in one transaction; or, for a SUSPENDED vendor, the
 *      order REJECTED with VENDOR_SUSPENDED and no hold asked for (stored, so the request key answers the same).
 * A top-up (order.place-topup.v1: kind TOPUP, one bundle onto the owner's eSIM `iccid`) is the same story, except
 * that step 2/3's price comes from esim.quote-topup.v1, which first checks that the eSIM is the owner's and that
 * eSIM Go can apply the bundle to it: ESIM_NOT_FOUND, BUNDLE_NOT_FOUND, BUNDLE_NOT_COMPATIBLE stop it before
 * anything is stored, so no money is ever taken for a top-up that cannot happen.
 */
import { randomUUID } from 'node:crypto';
import type { OrderView } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { MoneyError } from '../domain/money';
import { newOrder, sameRequest, saleChannel, type Order, type Owner } from '../domain/order';
import { orderTooLarge, requestKeyReused, vendorNotFound } from '../domain/order.errors';
import { paymentIntentCreated } from '../domain/order.state-machine';
import type { OrderRepository } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';
import { toOrderView } from './order.view';
import type { CataloguePort, PaymentsPort, VendorsPort } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const VENDOR_SUSPENDED = 'VENDOR_SUSPENDED';

export interface PlaceOrderRequest {
  owner: Owner;
  contactEmail?: string;
  bundleName: string;
  quantity: number;
  customerReference?: string;
  requestKey: string;
  /** A top-up: one bundle onto this eSIM of the owner (quantity 1). */
  topupOf?: { iccid: string };
}

export class PlaceOrderUseCase {
  constructor(
    private readonly deps: {
      repository: OrderRepository;
      transitions: OrderTransitions;
      catalogue: CataloguePort;
      payments: PaymentsPort;
      vendors: VendorsPort;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async execute(req: PlaceOrderRequest, meta: { causationId: string | null }): Promise<OrderView> {
    const customerReference = req.customerReference ?? null;
    // Vendor ids are vendor-billing's (uuid); anything else cannot be a vendor and never reaches billing.
    if (req.owner.type === 'vendor' && !UUID.test(req.owner.id)) throw vendorNotFound(req.owner.id);

    const existing = await this.deps.repository.findByRequestKey(req.owner, req.requestKey);
    if (existing) return toOrderView(await this.ensurePaymentIntent(this.repeated(existing, req, customerReference), meta));

    let markupBps: number | undefined;
    let rejectedWith: string | undefined;
    if (req.owner.type === 'vendor') {
      const terms = await this.deps.vendors.terms(req.owner.id);
      markupBps = terms.markupBps;
      if (terms.status === 'SUSPENDED') rejectedWith = VENDOR_SUSPENDED;
    }

    const unitPrice = req.topupOf
      ? await this.deps.catalogue.topupPrice({
          owner: req.owner,
          iccid: req.topupOf.iccid,
          bundleName: req.bundleName,
          ...(markupBps === undefined ? {} : { markupBps }),
        })
      : await this.deps.catalogue.unitPrice(req.bundleName, markupBps);
    let placed: ReturnType<typeof newOrder>;
    try {
      placed = newOrder({
        id: randomUUID(),
        owner: req.owner,
        contactEmail: req.contactEmail ?? null,
        requestKey: req.requestKey,
        ...(req.topupOf ? { kind: 'TOPUP' as const, iccid: req.topupOf.iccid } : {}),
        bundleName: req.bundleName,
        quantity: req.quantity,
        unitPrice,
        customerReference,
        now: this.now(),
        ...(rejectedWith === undefined ? {} : { rejectedWith }),
      });
    } catch (err) {
      if (err instanceof MoneyError) throw orderTooLarge(err.message);
      throw err;
    }

    const inserted = await this.deps.transitions.insertNew(placed.order, placed.history, placed.effects, meta.causationId);
    let order = placed.order;
    if (!inserted) {
      // A concurrent call with the same request key won the insert: continue with its order.
      const winner = await this.deps.repository.findByRequestKey(req.owner, req.requestKey);
      if (!winner) throw new Error(`order for request key vanished after a conflicting insert`);
      order = this.repeated(winner, req, customerReference);
    }
    return toOrderView(await this.ensurePaymentIntent(order, meta));
  }

  private repeated(order: Order, req: PlaceOrderRequest, customerReference: string | null): Order {
    const kind = req.topupOf ? 'TOPUP' : 'NEW';
    if (!sameRequest(order, { bundleName: req.bundleName, quantity: req.quantity, customerReference, kind, iccid: req.topupOf?.iccid ?? null })) {
      throw requestKeyReused();
    }
    return order;
  }

  private async ensurePaymentIntent(order: Order, meta: { causationId: string | null }): Promise<Order> {
    if (saleChannel(order) !== 'B2C' || order.status !== 'AWAITING_PAYMENT' || order.payment !== null) return order;
    const intent = await this.deps.payments.createIntent({
      orderId: order.id,
      amount: order.total,
      customerEmail: order.contactEmail,
      description:
        order.kind === 'TOPUP'
          ? `TtelGo top-up ${order.id}: ${order.bundleName} on eSIM ${order.iccid ?? ''}`
          : `TtelGo order ${order.id}: ${order.quantity} x ${order.bundleName}`,
    });
    const applied = await this.deps.transitions.applyInOwnTransaction(order.id, (current) => paymentIntentCreated(current, intent, this.now()), {
      cause: 'payment intent created',
      causationId: meta.causationId,
    });
    if (!applied.found) throw new Error(`order ${order.id} vanished while its payment intent was created`);
    return applied.transition.changed ? applied.transition.order : applied.before;
  }
}
