/** Queue `order.esim-events`: provisioning results and revocations (admin refunds) from esim-provisioning. */
import { EsimBundlesRevokedV1, EsimProvisionedV1, EsimProvisioningFailedV1 } from '@ttelgo/contracts';
import type { AmqpConnection, Consumer } from '@ttelgo/messaging';
import type { OnBundlesRevokedUseCase } from '../../application/on-bundles-revoked.use-case';
import type { OnEsimProvisionedUseCase } from '../../application/on-esim-provisioned.use-case';
import type { OnEsimProvisioningFailedUseCase } from '../../application/on-esim-provisioning-failed.use-case';
import { orderRoute, startOrderConsumer, type OrderConsumerOptions } from './order-consumer';

export const ESIM_EVENTS_QUEUE = 'order.esim-events';

export function startEsimEventsConsumer(
  conn: AmqpConnection,
  opts: OrderConsumerOptions & { useCases: { provisioned: OnEsimProvisionedUseCase; provisioningFailed: OnEsimProvisioningFailedUseCase; bundlesRevoked: OnBundlesRevokedUseCase } },
): Consumer {
  const { useCases } = opts;
  return startOrderConsumer(
    conn,
    {
      name: ESIM_EVENTS_QUEUE,
      handlerName: 'order.on-esim-events',
      routes: [
        orderRoute(EsimProvisionedV1, (tx, data, meta) => useCases.provisioned.execute(tx, data, meta)),
        orderRoute(EsimProvisioningFailedV1, (tx, data, meta) => useCases.provisioningFailed.execute(tx, data, meta)),
        orderRoute(EsimBundlesRevokedV1, (tx, data, meta) => useCases.bundlesRevoked.execute(tx, data, meta)),
      ],
    },
    opts,
  );
}
