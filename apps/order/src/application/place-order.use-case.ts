/**
 * order.place-order.v1. Idempotent per (owner, requestKey): the unique index decides which call creates the
 * order; every repeat gets that order back. The story:
 *   1. an order for this request key exists -> it (and its missing payment intent is created now, see 4);
 *   2. the retail price comes from esim-provisioning (server-side pricing, never the client's);
 *   3. order + first history row in one transaction (AWAITING_PAYMENT);
 *   4. payment creates the intent (keyed on the order id, so a retry returns the same intent) and the order
 *      stores it. No database transaction is held while payment is called. If payment cannot be reached the
 *      order stays AWAITING_PAYMENT without an intent and the caller gets 503: the same request key later
 *      completes step 4.
 */
import { randomUUID } from 'node:crypto';
import type { OrderView } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { MoneyError } from '../domain/money';
import { newOrder, sameRequest, saleChannel, type Order, type Owner } from '../domain/order';
import { b2bNotAvailable, orderTooLarge, requestKeyReused } from '../domain/order.errors';
import { paymentIntentCreated } from '../domain/order.state-machine';
import type { OrderRepository } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';
import { toOrderView } from './order.view';
import type { CataloguePort, PaymentsPort } from './ports';

export interface PlaceOrderRequest {
  owner: Owner;
  contactEmail?: string;
  bundleName: string;
  quantity: number;
  customerReference?: string;
  requestKey: string;
}

export class PlaceOrderUseCase {
  constructor(
    private readonly deps: {
      repository: OrderRepository;
      transitions: OrderTransitions;
      catalogue: CataloguePort;
      payments: PaymentsPort;
      logger: Logger;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async execute(req: PlaceOrderRequest, meta: { causationId: string | null }): Promise<OrderView> {
    // B2B (vendor-billing holds) arrives with issue 4; until then a vendor order would wait forever in PENDING.
    if (req.owner.type !== 'customer') throw b2bNotAvailable();
    const customerReference = req.customerReference ?? null;

    const existing = await this.deps.repository.findByRequestKey(req.owner, req.requestKey);
    if (existing) return toOrderView(await this.ensurePaymentIntent(this.repeated(existing, req, customerReference), meta));

    const unitPrice = await this.deps.catalogue.unitPrice(req.bundleName);
    let placed: ReturnType<typeof newOrder>;
    try {
      placed = newOrder({
        id: randomUUID(),
        owner: req.owner,
        contactEmail: req.contactEmail ?? null,
        requestKey: req.requestKey,
        bundleName: req.bundleName,
        quantity: req.quantity,
        unitPrice,
        customerReference,
        now: this.now(),
      });
    } catch (err) {
      if (err instanceof MoneyError) throw orderTooLarge(err.message);
      throw err;
    }

    const inserted = await this.deps.repository.transaction((tx) => this.deps.repository.insertIfAbsent(tx, placed.order, placed.history, meta.causationId));
    let order = placed.order;
    if (inserted) {
      this.deps.logger.info({ orderId: order.id, bundleName: order.bundleName, quantity: order.quantity, total: order.total }, 'order placed');
    } else {
      // A concurrent call with the same request key won the insert: continue with its order.
      const winner = await this.deps.repository.findByRequestKey(req.owner, req.requestKey);
      if (!winner) throw new Error(`order for request key vanished after a conflicting insert`);
      order = this.repeated(winner, req, customerReference);
    }
    return toOrderView(await this.ensurePaymentIntent(order, meta));
  }

  private repeated(order: Order, req: PlaceOrderRequest, customerReference: string | null): Order {
    if (!sameRequest(order, { bundleName: req.bundleName, quantity: req.quantity, customerReference })) throw requestKeyReused();
    return order;
  }

  private async ensurePaymentIntent(order: Order, meta: { causationId: string | null }): Promise<Order> {
    if (saleChannel(order) !== 'B2C' || order.status !== 'AWAITING_PAYMENT' || order.payment !== null) return order;
    const intent = await this.deps.payments.createIntent({
      orderId: order.id,
      amount: order.total,
      customerEmail: order.contactEmail,
      description: `TtelGo order ${order.id}: ${order.quantity} x ${order.bundleName}`,
    });
    const applied = await this.deps.transitions.applyInOwnTransaction(order.id, (current) => paymentIntentCreated(current, intent, this.now()), {
      cause: 'payment intent created',
      causationId: meta.causationId,
    });
    if (!applied.found) throw new Error(`order ${order.id} vanished while its payment intent was created`);
    return applied.transition.changed ? applied.transition.order : applied.before;
  }
}
