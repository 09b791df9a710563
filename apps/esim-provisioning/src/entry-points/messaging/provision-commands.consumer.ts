/**
 * Queue `esim.provision-commands` <- esim.provision.v1 (commands exchange of esim). The inbox drops a
 * redelivered message; the use case itself makes a second command for the same order harmless. The inbox
 * transaction only guards the message id: the use case does its own short transactions and calls eSIM Go
 * outside them.
 *
 *   deferred (unknown outcome, eSIM Go unavailable, order busy) -> TransientError: the retry queue, and after
 *     the last delay the DLQ, behind which the reconcile job keeps re-driving the order
 *   conflicting command, invalid data -> PermanentError: the DLQ
 */
import { ProvisionEsimV1, type Envelope } from '@ttelgo/contracts';
import { PermanentError, TransientError, startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { z } from 'zod';
import {
  ConflictingProvisionCommandError,
  ProvisioningDeferredError,
  type ProvisionEsimsUseCase,
} from '../../application/provision-esims.use-case';

export const PROVISION_COMMANDS_QUEUE = 'esim.provision-commands';
export const DEFAULT_PROVISION_RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000];

type ProvisionEsimCommand = z.infer<typeof ProvisionEsimV1.schema>;

export function startProvisionCommandsConsumer(
  conn: AmqpConnection,
  opts: {
    useCase: ProvisionEsimsUseCase;
    inbox: InboxStore;
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: number[];
  },
): Consumer {
  return startConsumer<ProvisionEsimCommand>(conn, {
    queue: PROVISION_COMMANDS_QUEUE,
    handlerName: 'esim.provision',
    contracts: [ProvisionEsimV1],
    inbox: opts.inbox,
    // Each handler holds an inbox transaction (one pooled connection) while it talks to eSIM Go.
    prefetch: 4,
    retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_PROVISION_RETRY_DELAYS_MS,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    handle: async (envelope: Envelope<ProvisionEsimCommand>) => {
      try {
        await opts.useCase.execute(envelope.data, { republishFinished: true, correlationId: envelope.correlationId });
      } catch (err) {
        if (err instanceof ProvisioningDeferredError) throw new TransientError(err.message, { cause: err });
        if (err instanceof ConflictingProvisionCommandError) throw new PermanentError(err.message, { cause: err });
        throw err;
      }
    },
  });
}
