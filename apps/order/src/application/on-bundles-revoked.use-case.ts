import type { DataOf, EsimBundlesRevokedV1 } from '@ttelgo/contracts';
import { bundlesRevoked } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** esim.bundles-revoked.v1: the bundles of an admin refund were revoked (or not): the money goes back, or the refund is refused. */
export class OnBundlesRevokedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof EsimBundlesRevokedV1>, meta: { messageId: string }): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.orderId, (order) => bundlesRevoked(order, { outcome: event.outcome, forced: event.forced, detail: event.detail }, now), {
      cause: 'esim.bundles-revoked.v1',
      causationId: meta.messageId,
    });
  }
}
