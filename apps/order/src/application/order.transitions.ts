/**
 * The one way an existing order changes: inside the caller's transaction, lock the row, let the state machine
 * decide, then write the order, its history row and its outgoing messages together. Message handlers pass the
 * inbox transaction, so the inbox row commits with all of it too.
 */
import type { Logger } from '@ttelgo/observability';
import type { HistoryEntry, NewOrderEffect, Order } from '../domain/order';
import { orderNotFound } from '../domain/order.errors';
import type { Transition } from '../domain/order.state-machine';
import type { OrderRepository, OrderTx } from '../infrastructure/order.repository';
import { enqueueEffects } from './order-effects';

export interface TransitionMeta {
  /** What happened, for logs ('payment.succeeded.v1', 'expiry job'). */
  cause: string;
  /** Envelope id of the message that caused it (history); null for jobs. */
  causationId: string | null;
}

export type AppliedTransition = { found: false } | { found: true; before: Order; transition: Transition };

export class OrderTransitions {
  constructor(
    private readonly deps: { repository: OrderRepository; producer: string; logger: Logger },
  ) {}

  async apply(tx: OrderTx, orderId: string, decide: (order: Order) => Transition, meta: TransitionMeta): Promise<AppliedTransition> {
    const before = await this.deps.repository.lock(tx, orderId);
    if (!before) return { found: false };
    const transition = decide(before);
    const log = this.deps.logger.child({ orderId, cause: meta.cause });
    if (!transition.changed) {
      log.info({ status: before.status, reason: transition.reason }, 'order unchanged');
      return { found: true, before, transition };
    }
    await this.deps.repository.save(tx, before, transition.order, transition.history, meta.causationId);
    const messages = await enqueueEffects(tx, transition.order, transition.effects, { producer: this.deps.producer });
    log.info({ from: before.status, to: transition.order.status, reason: transition.history.reason, messages }, 'order changed');
    return { found: true, before, transition };
  }

  /**
   * A new order, its first history row and the messages its creation asks for (B2B: billing.reserve-funds.v1),
   * in one transaction. False when (owner, requestKey) already has an order: then nothing is written or sent.
   */
  async insertNew(order: Order, history: HistoryEntry, effects: readonly NewOrderEffect[], causationId: string | null): Promise<boolean> {
    return this.deps.repository.transaction(async (tx) => {
      if (!(await this.deps.repository.insertIfAbsent(tx, order, history, causationId))) return false;
      const messages = await enqueueEffects(tx, order, effects, { producer: this.deps.producer });
      this.deps.logger.info({ orderId: order.id, status: order.status, total: order.total, messages }, 'order placed');
      return true;
    });
  }

  /** For messages about one of our orders: an unknown order id is ORDER_NOT_FOUND (the handler dead-letters it). */
  async applyToExisting(tx: OrderTx, orderId: string, decide: (order: Order) => Transition, meta: TransitionMeta): Promise<Transition> {
    const applied = await this.apply(tx, orderId, decide, meta);
    if (!applied.found) throw orderNotFound(orderId);
    return applied.transition;
  }

  /** The same, in a transaction of its own (RPC handlers and jobs, which have no inbox transaction). */
  applyInOwnTransaction(orderId: string, decide: (order: Order) => Transition, meta: TransitionMeta): Promise<AppliedTransition> {
    return this.deps.repository.transaction((tx) => this.apply(tx, orderId, decide, meta));
  }
}
