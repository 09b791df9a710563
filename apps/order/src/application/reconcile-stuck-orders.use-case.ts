import type { Logger } from '@ttelgo/observability';
import { redriveStuck } from '../domain/order.state-machine';
import type { OrderRepository } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

const BATCH = 100;

/**
 * Orders that waited too long for another service are nudged again: PROVISIONING -> esim.provision.v1 once more
 * (esim-provisioning never buys twice for one order and reconciles with eSIM Go first), a refund under way ->
 * payment.refund-payment.v1 once more (idempotent at payment). Each re-drive is logged and written to history.
 */
export class ReconcileStuckOrdersUseCase {
  constructor(
    private readonly deps: { repository: OrderRepository; transitions: OrderTransitions; stuckAfterMs: number; logger: Logger; now?: () => Date },
  ) {}

  /** Taken again for each decision, under the order's row lock: a slow batch must not make its last orders look older. */
  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async execute(): Promise<{ redriven: number }> {
    let redriven = 0;
    const seen = new Set<string>();
    for (;;) {
      const ids = (await this.deps.repository.idsStuckSince(new Date(this.now().getTime() - this.deps.stuckAfterMs), BATCH)).filter((id) => !seen.has(id));
      if (ids.length === 0) break;
      for (const id of ids) {
        seen.add(id);
        const applied = await this.deps.transitions.applyInOwnTransaction(id, (order) => redriveStuck(order, { now: this.now(), stuckAfterMs: this.deps.stuckAfterMs }), {
          cause: 'reconcile-stuck-orders job',
          causationId: null,
        });
        if (applied.found && applied.transition.changed) {
          redriven += 1;
          this.deps.logger.warn({ orderId: id, status: applied.before.status, step: applied.transition.history.reason }, 'stuck order re-driven');
        }
      }
    }
    return { redriven };
  }
}
