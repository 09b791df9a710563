import type { z } from 'zod';
import { HandleStripeEventV1, type Envelope } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { HANDLE_STRIPE_EVENT_HANDLER, type HandleStripeEventUseCase } from '../../application/handle-stripe-event.use-case';
import { toMessagingError } from './message-errors';

export const STRIPE_EVENTS_QUEUE = 'payment.stripe-events';

type HandleStripeEvent = z.infer<typeof HandleStripeEventV1.schema>;

/**
 * Queue `payment.stripe-events` <- payment.handle-stripe-event.v1 (from the gateway's webhook ingress). No
 * consumer-level inbox: the use case runs the inbox itself, because the stored event must commit BEFORE
 * processing starts (see HandleStripeEventUseCase). Only a failure to store the event is retried by the broker.
 */
export function startHandleStripeEventConsumer(
  conn: AmqpConnection,
  opts: { useCase: HandleStripeEventUseCase; logger: Logger; metrics?: ServiceMetrics; prefetch?: number },
): Consumer {
  return startConsumer<HandleStripeEvent>(conn, {
    queue: STRIPE_EVENTS_QUEUE,
    handlerName: HANDLE_STRIPE_EVENT_HANDLER,
    contracts: [HandleStripeEventV1],
    prefetch: opts.prefetch ?? 20,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    handle: async (envelope: Envelope<HandleStripeEvent>) => {
      try {
        await opts.useCase.execute(envelope.data, envelope.id);
      } catch (err) {
        throw toMessagingError(err);
      }
    },
  });
}
