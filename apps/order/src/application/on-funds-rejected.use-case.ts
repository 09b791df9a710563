import type { DataOf, FundsRejectedV1 } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { fundsRejected } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** billing.funds-rejected.v1: PENDING -> REJECTED with the code as failure reason (+ order.failed.v1). */
export class OnFundsRejectedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; logger: Logger; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof FundsRejectedV1>, meta: { messageId: string }): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    const transition = await this.deps.transitions.applyToExisting(
      tx,
      event.orderId,
      (order) => fundsRejected(order, { vendorId: event.vendorId, code: event.code, reason: event.reason }, now),
      { cause: 'billing.funds-rejected.v1', causationId: meta.messageId },
    );
    if (!transition.changed && transition.reason.includes('PROVISIONING')) {
      // vendor-billing said "no" for an order it had already said "yes" to: a contradiction worth a look, but
      // the order keeps its hold and goes on (the eSIMs are already being bought).
      this.deps.logger.warn({ orderId: event.orderId, code: event.code, messageId: meta.messageId }, 'funds rejected for an order already provisioning');
    }
  }
}
