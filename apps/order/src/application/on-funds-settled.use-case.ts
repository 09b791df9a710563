import type { DataOf, FundsCapturedV1, FundsReleasedV1 } from '@ttelgo/contracts';
import { fundsSettled } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/**
 * billing.funds-captured.v1 / billing.funds-released.v1: the capture or release we asked for is confirmed, so the
 * reconciliation job stops re-sending it. The status does not change.
 */
export class OnFundsSettledUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(
    tx: OrderTx,
    event: DataOf<typeof FundsCapturedV1> | DataOf<typeof FundsReleasedV1>,
    settlement: 'CAPTURE' | 'RELEASE',
    meta: { messageId: string },
  ): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.orderId, (order) => fundsSettled(order, { vendorId: event.vendorId, settlement }, now), {
      cause: settlement === 'CAPTURE' ? 'billing.funds-captured.v1' : 'billing.funds-released.v1',
      causationId: meta.messageId,
    });
  }
}
