import type { Channel, ConsumeMessage, MessageProperties, Options } from 'amqplib';
import { DEAD_LETTER_EXCHANGE, parseEnvelope, type Envelope, type MessageContract } from '@ttelgo/contracts';
import { runWithContext, withConsumerSpan, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import type { AmqpConnection, ManagedChannel } from './connection';
import { PermanentError } from './errors';
import { ConfirmPublisher } from './publisher';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DEFAULT_RETRY_DELAYS_MS, bindingsFor, declareBroadcastQueue, declareConsumerQueue, dlqName, retryQueueName } from './topology';

/** Idempotent-consumer store: the inbox row and the handler's effects commit in ONE transaction. */
export interface InboxStore {
  runOnce(messageId: string, handler: string, fn: (tx: unknown) => Promise<void>): Promise<'processed' | 'duplicate'>;
}

export interface ConsumerOptions<T> {
  /** `<service>.<purpose>`; declared (with its DLQ and retry queues) by this consumer on every (re)connect. */
  queue: string;
  /** The inbox key together with the message id: two handlers of one message each run once. */
  handlerName: string;
  /** Accepted message types; the queue is bound to each one's exchange and routing key. */
  contracts: ReadonlyArray<MessageContract<T> | MessageContract>;
  handle: (envelope: Envelope<T>, tx: unknown) => Promise<void>;
  /** When given: inbox row + effects in one transaction, ack after commit; a duplicate is acked and skipped. */
  inbox?: InboxStore;
  /** Default 20. */
  prefetch?: number;
  /** Default [1000, 5000, 30000]; after the last one the message goes to the DLQ. */
  retryDelaysMs?: readonly number[];
  /** x-delivery-limit of the queue (the last safety net against a message that crashes the process). Default 10. */
  deliveryLimit?: number;
  /**
   * Every replica gets every message (e.g. cache invalidation) instead of replicas competing for them: the
   * consumer reads its own exclusive queue `<queue>.<instanceId>`. Handlers must be idempotent and cheap;
   * failures are not retried (retryDelaysMs must be empty) but dead-lettered to `<queue>.dlq`.
   */
  broadcast?: { instanceId?: string };
  logger: Logger;
  metrics?: ServiceMetrics;
}

export interface Consumer {
  /** Cancels the consumer, waits for the handlers in flight (and their acks), then closes its channels. */
  stop(): Promise<void>;
}

export const RETRY_COUNT_HEADER = 'x-retry-count';
export const DEAD_LETTER_REASON_HEADER = 'x-dead-letter-reason';

type Outcome = 'ok' | 'duplicate' | 'retry' | 'dead-letter' | 'invalid';

/** Headers the broker owns; copying them into a re-publish would confuse its dead-letter bookkeeping. */
const BROKER_HEADERS = ['x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason', 'x-delivery-count'];

export function startConsumer<T>(conn: AmqpConnection, opts: ConsumerOptions<T>): Consumer {
  const consumer = new QueueConsumer<T>(conn, opts);
  return { stop: () => consumer.stop() };
}

class QueueConsumer<T> {
  private readonly logger: Logger;
  private readonly retryDelays: readonly number[];
  private readonly channel: ManagedChannel<Channel>;
  private readonly publisher: ConfirmPublisher;
  private readonly tags = new WeakMap<Channel, string>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;

  constructor(
    conn: AmqpConnection,
    private readonly opts: ConsumerOptions<T>,
  ) {
    this.logger = opts.logger.child({ queue: opts.queue, handler: opts.handlerName });
    this.retryDelays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const bindings = bindingsFor(opts.contracts);
    if (opts.broadcast && this.retryDelays.length > 0) throw new Error(`broadcast consumer ${opts.queue} cannot have retry delays`);
    const instanceQueue = opts.broadcast
      ? `${opts.queue}.${opts.broadcast.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`}`
      : undefined;
    const consumeQueue = instanceQueue ?? opts.queue;
    // Retry and dead-letter copies are published with confirms before the original is acked.
    this.publisher = new ConfirmPublisher(conn, { logger: this.logger, name: `${opts.queue}.republish` });
    this.channel = conn.channel({
      name: `consumer ${opts.queue}`,
      setup: async (ch) => {
        if (instanceQueue) {
          await declareBroadcastQueue(ch, { base: opts.queue, queue: instanceQueue, bindings });
        } else {
          await declareConsumerQueue(ch, {
            queue: opts.queue,
            bindings,
            retryDelaysMs: this.retryDelays,
            ...(opts.deliveryLimit !== undefined ? { deliveryLimit: opts.deliveryLimit } : {}),
          });
        }
        if (this.stopping) return;
        await ch.prefetch(opts.prefetch ?? 20);
        const { consumerTag } = await ch.consume(
          consumeQueue,
          (msg) => {
            if (msg) this.track(this.process(ch, msg));
            else this.onCancelledByBroker(ch);
          },
          { noAck: false },
        );
        this.tags.set(ch, consumerTag);
        this.logger.info('consumer started');
      },
    });
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      const ch = this.channel.channel;
      const tag = ch ? this.tags.get(ch) : undefined;
      if (ch && tag) {
        try {
          await ch.cancel(tag);
        } catch (err) {
          this.logger.warn({ err }, 'basic.cancel failed (channel already closed)');
        }
      }
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await this.channel.close();
      await this.publisher.close();
      this.logger.info('consumer stopped');
    })();
    return this.stopping;
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((err) => this.logger.error({ err }, 'consumer bug: delivery handling failed unexpectedly'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** The broker cancels a consumer when its queue is deleted: re-open the channel, which re-declares and resumes. */
  private onCancelledByBroker(ch: Channel): void {
    if (this.stopping) return;
    this.logger.warn('consumer cancelled by the broker (queue deleted?); re-opening the channel');
    void ch.close().catch(() => undefined);
  }

  private async process(ch: Channel, msg: ConsumeMessage): Promise<void> {
    const props = msg.properties;
    let raw: unknown;
    try {
      raw = JSON.parse(msg.content.toString('utf8'));
    } catch (err) {
      return this.deadLetter(ch, msg, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`, 'invalid', 'unknown');
    }
    const type = typeof props.type === 'string' && props.type ? props.type : typeOf(raw);
    const contract = this.opts.contracts.find((c) => c.name === type);
    if (!contract) {
      return this.deadLetter(ch, msg, `unexpected message type '${type ?? '(none)'}' for ${this.opts.handlerName}`, 'invalid', type ?? 'unknown');
    }
    const parsed = parseEnvelope(contract, raw);
    if (!parsed.ok) return this.deadLetter(ch, msg, parsed.reason, 'invalid', contract.name);
    // The caller declared that every contract in `contracts` carries a T; the tolerant parse just proved it.
    const envelope = parsed.envelope as Envelope<T>;

    await runWithContext({ correlationId: envelope.correlationId, causationId: envelope.id }, async () => {
      let outcome: Outcome;
      try {
        outcome = await withConsumerSpan(`${this.opts.queue} process ${envelope.type}`, props.headers, () => this.invoke(envelope));
      } catch (err) {
        return this.onHandlerError(ch, msg, envelope, err);
      }
      this.ack(ch, msg);
      this.count(envelope.type, outcome);
      this.logger.debug({ messageId: envelope.id, type: envelope.type, outcome }, 'message handled');
    });
  }

  private async invoke(envelope: Envelope<T>): Promise<Outcome> {
    const { inbox, handle, handlerName } = this.opts;
    if (!inbox) {
      await handle(envelope, undefined);
      return 'ok';
    }
    const result = await inbox.runOnce(envelope.id, handlerName, (tx) => handle(envelope, tx));
    return result === 'duplicate' ? 'duplicate' : 'ok';
  }

  private async onHandlerError(ch: Channel, msg: ConsumeMessage, envelope: Envelope<T>, err: unknown): Promise<void> {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const retries = retryCountOf(msg.properties);
    if (err instanceof PermanentError) {
      this.logger.error({ err, messageId: envelope.id, type: envelope.type }, 'permanent failure; dead-lettering');
      return this.deadLetter(ch, msg, reason, 'dead-letter', envelope.type);
    }
    const delay = this.retryDelays[retries];
    if (delay === undefined) {
      this.logger.error({ err, messageId: envelope.id, type: envelope.type, retries }, 'retries exhausted; dead-lettering');
      return this.deadLetter(ch, msg, `retries exhausted after ${retries}: ${reason}`, 'dead-letter', envelope.type);
    }
    this.logger.warn({ err, messageId: envelope.id, type: envelope.type, retry: retries + 1, delayMs: delay }, 'handler failed; retrying later');
    try {
      await this.publisher.send('', retryQueueName(this.opts.queue, delay), msg.content, {
        ...republishOptions(msg.properties),
        headers: { ...copyHeaders(msg.properties), [RETRY_COUNT_HEADER]: retries + 1, 'x-last-error': truncate(reason) },
      });
    } catch (publishErr) {
      // Could not park it in a retry queue: hand it back; x-delivery-limit bounds how often this can happen.
      this.logger.error({ err: publishErr, messageId: envelope.id }, 'retry publish failed; requeueing the delivery');
      this.nack(ch, msg, true);
      this.count(envelope.type, 'retry');
      return;
    }
    this.ack(ch, msg);
    this.count(envelope.type, 'retry');
  }

  /** Publishes a copy with the reason to `<queue>.dlq` (confirmed), then acks the original. */
  private async deadLetter(ch: Channel, msg: ConsumeMessage, reason: string, outcome: Outcome, type: string): Promise<void> {
    if (outcome === 'invalid') this.logger.warn({ messageId: msg.properties.messageId, reason }, 'invalid message; dead-lettering');
    try {
      await this.publisher.send(DEAD_LETTER_EXCHANGE, dlqName(this.opts.queue), msg.content, {
        ...republishOptions(msg.properties),
        headers: { ...copyHeaders(msg.properties), [DEAD_LETTER_REASON_HEADER]: truncate(reason), 'x-original-queue': this.opts.queue },
      });
      this.ack(ch, msg);
    } catch (err) {
      // The queue's own dead-letter route (ttelgo.dlx -> <queue>.dlq) takes it, only without the reason header.
      this.logger.error({ err, messageId: msg.properties.messageId }, 'DLQ publish failed; rejecting to the dead-letter exchange');
      this.nack(ch, msg, false);
    }
    this.count(type, outcome);
  }

  private ack(ch: Channel, msg: ConsumeMessage): void {
    try {
      ch.ack(msg);
    } catch (err) {
      // The channel died after the work was committed: the broker redelivers and the inbox drops the duplicate.
      this.logger.warn({ err, messageId: msg.properties.messageId }, 'ack failed (channel closed); the message will be redelivered');
    }
  }

  private nack(ch: Channel, msg: ConsumeMessage, requeue: boolean): void {
    try {
      ch.nack(msg, false, requeue);
    } catch (err) {
      this.logger.warn({ err, messageId: msg.properties.messageId }, 'nack failed (channel closed); the message will be redelivered');
    }
  }

  private count(type: string, outcome: Outcome): void {
    this.opts.metrics?.messagesConsumed.inc({ type, handler: this.opts.handlerName, outcome });
  }
}

function typeOf(raw: unknown): string | undefined {
  if (raw && typeof raw === 'object' && 'type' in raw) {
    const type = (raw as { type: unknown }).type;
    return typeof type === 'string' ? type : undefined;
  }
  return undefined;
}

function retryCountOf(props: MessageProperties): number {
  const value: unknown = props.headers?.[RETRY_COUNT_HEADER];
  const count = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
  return Number.isInteger(count) && count > 0 ? count : 0;
}

function copyHeaders(props: MessageProperties): Record<string, unknown> {
  const headers: Record<string, unknown> = { ...(props.headers ?? {}) };
  for (const name of BROKER_HEADERS) delete headers[name];
  return headers;
}

function republishOptions(props: MessageProperties): Options.Publish {
  const options: Options.Publish = {
    messageId: typeof props.messageId === 'string' && props.messageId ? props.messageId : globalThis.crypto.randomUUID(),
    persistent: true,
    contentType: props.contentType ?? 'application/json',
  };
  if (props.type) options.type = props.type;
  if (props.contentEncoding) options.contentEncoding = props.contentEncoding;
  if (props.correlationId) options.correlationId = props.correlationId;
  if (props.timestamp) options.timestamp = props.timestamp;
  if (props.appId) options.appId = props.appId;
  return options;
}

function truncate(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
