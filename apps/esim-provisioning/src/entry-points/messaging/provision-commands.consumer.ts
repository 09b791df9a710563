/**
 * Queue `esim.provision-commands` <- esim.provision.v1 (new eSIMs) and esim.apply-bundle.v1 (a top-up of an eSIM
 * we hold: the same use case, the same never-twice story), and esim.revoke-bundles.v1 (an admin refund takes the
 * order's bundles back; idempotent the same way: it reads eSIM Go's state before revoking). The use case itself makes a
 * second command (or a redelivery) for the same order harmless: it records the provider order first, works under a
 * lease, never buys twice, and for a finished order only re-announces the stored outcome. It runs its own short
 * transactions and calls eSIM Go outside them, so no transaction is held here: the inbox row is recorded after the
 * use case succeeded (a redelivery before that re-runs the idempotent use case; after it, it is acked and skipped).
 * Holding an inbox transaction open across the eSIM Go calls used to pin one pooled connection per message in
 * flight, which capped the consumer at prefetch 4 and made provisioning the B2B benchmark's bottleneck.
 *
 *   deferred (unknown outcome, eSIM Go unavailable, order busy) -> TransientError: the retry queue, and after
 *     the last delay the DLQ, behind which the reconcile job keeps re-driving the order
 *   conflicting command, invalid data -> PermanentError: the DLQ
 */
import { ApplyBundleV1, ProvisionEsimV1, RevokeBundlesV1, type Envelope } from '@ttelgo/contracts';
import { PermanentError, TransientError, dispatchByType, route, startConsumer, type AmqpConnection, type Consumer } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import {
  ConflictingProvisionCommandError,
  ProvisioningDeferredError,
  type ProvisionEsimsUseCase,
} from '../../application/provision-esims.use-case';
import type { ProvisionRequest } from '../../domain/provider-order';
import type { RevokeBundlesUseCase } from '../../application/revoke-bundles.use-case';

export const PROVISION_COMMANDS_QUEUE = 'esim.provision-commands';
export const DEFAULT_PROVISION_RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000];

export function startProvisionCommandsConsumer(
  conn: AmqpConnection,
  opts: {
    useCase: ProvisionEsimsUseCase;
    /** esim.revoke-bundles.v1 (an admin refund): the same queue, inbox and no-transaction-across-calls rule. */
    revocations: RevokeBundlesUseCase;
    inbox: { seen(messageId: string, handler: string): Promise<boolean>; record(messageId: string, handler: string): Promise<void> };
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: number[];
    prefetch?: number;
  },
): Consumer {
  const handler = 'esim.provision';
  const run = async (request: ProvisionRequest, envelope: Envelope<unknown>): Promise<void> => {
    if (await opts.inbox.seen(envelope.id, handler)) {
      opts.logger.debug({ messageId: envelope.id, type: envelope.type }, 'provisioning command already handled: skipped');
      return;
    }
    try {
      await opts.useCase.execute(request, { republishFinished: true, correlationId: envelope.correlationId });
    } catch (err) {
      if (err instanceof ProvisioningDeferredError) throw new TransientError(err.message, { cause: err });
      if (err instanceof ConflictingProvisionCommandError) throw new PermanentError(err.message, { cause: err });
      throw err;
    }
    await opts.inbox.record(envelope.id, handler);
  };
  const revoke = async (data: { orderId: string; owner: { type: 'customer' | 'vendor'; id: string }; force: boolean }, envelope: Envelope<unknown>): Promise<void> => {
    if (await opts.inbox.seen(envelope.id, handler)) return;
    await opts.revocations.execute(data, { correlationId: envelope.correlationId });
    await opts.inbox.record(envelope.id, handler);
  };
  const { contracts, handle } = dispatchByType([
    route(RevokeBundlesV1, (data, _tx, envelope) => revoke(data, envelope)),
    route(ProvisionEsimV1, (data, _tx, envelope) => run({ ...data, kind: 'NEW', iccid: null }, envelope)),
    route(ApplyBundleV1, (data, _tx, envelope) =>
      run({ orderId: data.orderId, owner: data.owner, kind: 'TOPUP', iccid: data.iccid, bundleName: data.bundleName, quantity: 1 }, envelope),
    ),
  ]);
  return startConsumer(conn, {
    queue: PROVISION_COMMANDS_QUEUE,
    handlerName: handler,
    contracts,
    // Each handler holds at most one pooled connection at a time (the use case's short transactions).
    prefetch: opts.prefetch ?? 16,
    retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_PROVISION_RETRY_DELAYS_MS,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    handle,
  });
}
