import type { DataOf, FundsReservedV1 } from '@ttelgo/contracts';
import { fundsReserved } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** billing.funds-reserved.v1: PENDING -> PROVISIONING + esim.provision.v1; a hold for a REJECTED order is released. */
export class OnFundsReservedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof FundsReservedV1>, meta: { messageId: string }): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(
      tx,
      event.orderId,
      (order) => fundsReserved(order, { vendorId: event.vendorId, amount: event.amount }, now),
      { cause: 'billing.funds-reserved.v1', causationId: meta.messageId },
    );
  }
}
