/**
 * The safety net behind the consumer: an order whose command was lost, or went to the DLQ after its retries,
 * would otherwise stay unfinished forever. Every run re-drives the unfinished provider orders whose next check
 * is due (at least a minute after their last try) through the same provisioning use case, which reconciles
 * with eSIM Go before it would ever buy. Finished orders are not re-announced from here.
 */
import type { Logger } from '@ttelgo/observability';
import type { ProvisioningRepository } from '../infrastructure/provisioning.repository';
import { ProvisioningDeferredError, type ProvisionEsimsUseCase, type ProvisionOutcome } from './provision-esims.use-case';

export interface ReconcileResult {
  examined: number;
  outcomes: Partial<Record<ProvisionOutcome | 'deferred' | 'error', number>>;
}

export class ReconcileProviderOrdersUseCase {
  constructor(
    private readonly deps: { repository: ProvisioningRepository; provision: ProvisionEsimsUseCase; logger: Logger; batchSize?: number },
  ) {}

  async execute(): Promise<ReconcileResult> {
    const due = await this.deps.repository.dueForReconciliation(this.deps.batchSize ?? 20);
    const result: ReconcileResult = { examined: due.length, outcomes: {} };
    for (const order of due) {
      let outcome: ProvisionOutcome | 'deferred' | 'error';
      try {
        outcome = await this.deps.provision.execute(order, { republishFinished: false, correlationId: order.correlationId });
      } catch (err) {
        outcome = err instanceof ProvisioningDeferredError ? 'deferred' : 'error';
        const level = outcome === 'deferred' ? 'info' : 'error';
        this.deps.logger[level]({ err, orderId: order.orderId }, 'reconcile: order still not provisioned');
      }
      result.outcomes[outcome] = (result.outcomes[outcome] ?? 0) + 1;
    }
    if (due.length > 0) this.deps.logger.info(result, 'reconciled unfinished provider orders');
    return result;
  }
}
