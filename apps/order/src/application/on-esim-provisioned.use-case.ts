import type { DataOf, EsimProvisionedV1 } from '@ttelgo/contracts';
import { esimsProvisioned } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** esim.provisioned.v1: PROVISIONING -> COMPLETED, keeping the install data for order.completed.v1. */
export class OnEsimProvisionedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof EsimProvisionedV1>, meta: { messageId: string }): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(tx, event.orderId, (order) => esimsProvisioned(order, { esims: event.esims }, now), {
      cause: 'esim.provisioned.v1',
      causationId: meta.messageId,
    });
  }
}
