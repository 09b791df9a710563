import type { DataOf, EsimProvisioningFailedV1 } from '@ttelgo/contracts';
import { esimProvisioningFailed } from '../domain/order.state-machine';
import type { OrderTx } from '../infrastructure/order.repository';
import type { OrderTransitions } from './order.transitions';

/** esim.provisioning-failed.v1: PROVISIONING -> FAILED + order.failed.v1, and for a card order a refund command. */
export class OnEsimProvisioningFailedUseCase {
  constructor(private readonly deps: { transitions: OrderTransitions; now?: () => Date }) {}

  async execute(tx: OrderTx, event: DataOf<typeof EsimProvisioningFailedV1>, meta: { messageId: string }): Promise<void> {
    const now = this.deps.now?.() ?? new Date();
    await this.deps.transitions.applyToExisting(
      tx,
      event.orderId,
      (order) => esimProvisioningFailed(order, { code: event.code, reason: event.reason }, now),
      { cause: 'esim.provisioning-failed.v1', causationId: meta.messageId },
    );
  }
}
