/** Queue `order.esim-events`: provisioning results from esim-provisioning. */
import { EsimProvisionedV1, EsimProvisioningFailedV1, type DataOf, type Envelope } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { OnEsimProvisionedUseCase } from '../../application/on-esim-provisioned.use-case';
import type { OnEsimProvisioningFailedUseCase } from '../../application/on-esim-provisioning-failed.use-case';
import type { OrderTx } from '../../infrastructure/order.repository';
import { classifyHandlerError } from './message-errors';

export const ESIM_EVENTS_QUEUE = 'order.esim-events';

export function startEsimEventsConsumer(
  conn: AmqpConnection,
  opts: {
    useCases: { provisioned: OnEsimProvisionedUseCase; provisioningFailed: OnEsimProvisioningFailedUseCase };
    inbox: InboxStore;
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: number[];
  },
): Consumer {
  const { useCases } = opts;
  return startConsumer<unknown>(conn, {
    queue: ESIM_EVENTS_QUEUE,
    handlerName: 'order.on-esim-events',
    contracts: [EsimProvisionedV1, EsimProvisioningFailedV1],
    inbox: opts.inbox,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    handle: async (envelope: Envelope<unknown>, rawTx: unknown) => {
      const tx = rawTx as OrderTx;
      const meta = { messageId: envelope.id };
      try {
        switch (envelope.type) {
          case EsimProvisionedV1.name:
            return await useCases.provisioned.execute(tx, envelope.data as DataOf<typeof EsimProvisionedV1>, meta);
          case EsimProvisioningFailedV1.name:
            return await useCases.provisioningFailed.execute(tx, envelope.data as DataOf<typeof EsimProvisioningFailedV1>, meta);
          default:
            throw new Error(`no handler for ${envelope.type}`);
        }
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
