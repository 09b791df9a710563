/**
 * The second half of both webhook ingresses (Stripe, eSIM Go): wrap what the provider told us in its message
 * contract and hand it to the owning service straight through the confirm channel (the one allowed exception to
 * the outbox rule, docs/architecture.md#outbox). The provider gets its 200 only once RabbitMQ confirmed the message AND routed it
 * to a queue; anything else is a 503 with Retry-After, so the provider delivers it again.
 */
import { ContractViolationError, createEnvelope, routeFor, type Envelope, type MessageContract } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import { BrokerUnavailableError, PublishNackedError, UnroutableError, type ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { RETRY_AFTER_SECONDS } from '../rpc/rpc-error.mapper';

export const PRODUCER = 'gateway';

export async function handOverWebhook<T>(
  deps: { publisher: Pick<ConfirmPublisher, 'publish'>; logger: Logger },
  contract: MessageContract<T>,
  data: T,
  opts: {
    /** The message id: derived from the provider's own id or the body, so a redelivery is a duplicate downstream. */
    id: string;
    correlationId: string;
    /** 'stripe webhook', 'eSIM Go callback': for the log lines and the problem details. */
    what: string;
    /** What identifies the delivery in the logs (event id, ICCID ...). */
    logFields: Record<string, unknown>;
  },
): Promise<Envelope<T>> {
  let envelope: Envelope<T>;
  try {
    envelope = createEnvelope(contract, data, { producer: PRODUCER, correlationId: opts.correlationId, id: opts.id });
  } catch (err) {
    if (err instanceof ContractViolationError) throw new AppError('INVALID_PAYLOAD', 400, `The ${opts.what} payload cannot be accepted.`, { cause: err });
    throw err;
  }
  try {
    await deps.publisher.publish(routeFor(contract), envelope);
  } catch (err) {
    // Whatever went wrong, the message is not durably with its owner: 503, and the provider delivers it again.
    const expected = err instanceof BrokerUnavailableError || err instanceof UnroutableError || err instanceof PublishNackedError;
    deps.logger[expected ? 'warn' : 'error']({ err, ...opts.logFields }, `${opts.what} not handed over: 503 so the provider retries`);
    throw new AppError('SERVICE_UNAVAILABLE', 503, `The ${opts.what} could not be handed over right now; retry later.`, {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      cause: err,
    });
  }
  deps.logger.info({ ...opts.logFields, messageId: envelope.id }, `${opts.what} handed over`);
  return envelope;
}
