import type { Logger } from '@ttelgo/observability';
import { expireUnpaid } from '../domain/order.state-machine';
import type { OrderRepository } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

const BATCH = 100;

/**
 * Unpaid orders older than the payment timeout are CANCELLED and payment is told to cancel the intent. One
 * transaction per order: a failure leaves the others done, and the state machine re-checks each order under
 * its row lock (a payment that just arrived wins).
 */
export class ExpireUnpaidOrdersUseCase {
  constructor(
    private readonly deps: { repository: OrderRepository; transitions: OrderTransitions; timeoutMs: number; logger: Logger; now?: () => Date },
  ) {}

  /** Taken again for each decision, under the order's row lock: a slow batch must not make its last orders look older. */
  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async execute(): Promise<{ expired: number }> {
    let expired = 0;
    const seen = new Set<string>();
    for (;;) {
      const ids = (await this.deps.repository.idsAwaitingPaymentSince(new Date(this.now().getTime() - this.deps.timeoutMs), BATCH)).filter((id) => !seen.has(id));
      if (ids.length === 0) break;
      for (const id of ids) {
        seen.add(id);
        const applied = await this.deps.transitions.applyInOwnTransaction(id, (order) => expireUnpaid(order, { now: this.now(), timeoutMs: this.deps.timeoutMs }), {
          cause: 'expire-unpaid-orders job',
          causationId: null,
        });
        if (applied.found && applied.transition.changed) expired += 1;
      }
    }
    if (expired > 0) this.deps.logger.info({ expired }, 'unpaid orders cancelled');
    return { expired };
  }
}
