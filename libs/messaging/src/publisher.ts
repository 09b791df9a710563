import type { ConfirmChannel, Message, Options } from 'amqplib';
import {
  createEnvelope,
  routeFor,
  type Envelope,
  type EnvelopeMeta,
  type MessageContract,
  type Route,
} from '@ttelgo/contracts';
import { injectTraceHeaders, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import type { AmqpConnection, ManagedChannel } from './connection';
import { BrokerUnavailableError, PublishNackedError, PublishTimeoutError, UnroutableError } from './errors';

export interface ConfirmPublisherOptions {
  logger: Logger;
  metrics?: ServiceMetrics;
  /** How long to wait for the broker's confirm before giving up on a publish. Default 10 s. */
  confirmTimeoutMs?: number;
  /** For logs and the channel name. Default 'publisher'. */
  name?: string;
}

export interface PublishExtra {
  headers?: Record<string, unknown>;
  expirationMs?: number;
  replyTo?: string;
  correlationId?: string;
}

/** The port the outbox relay of @ttelgo/db publishes through (a row's payload is already serialised). */
export interface RawOutboxMessage {
  id: string;
  type: string;
  exchange: string;
  routingKey: string;
  body: Buffer;
  headers: Record<string, unknown>;
}

interface Pending {
  messageId: string;
  exchange: string;
  routingKey: string;
  settled: boolean;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Publishes on one confirm channel with `mandatory: true`. A publish resolves only when the broker confirmed it
 * AND did not return it: a confirm alone does not prove the message reached a queue (for an unroutable message
 * the broker sends basic.return first, then basic.ack). Returns are matched to publishes by messageId.
 */
export class ConfirmPublisher {
  private readonly logger: Logger;
  private readonly metrics: ServiceMetrics | undefined;
  private readonly confirmTimeoutMs: number;
  private readonly channel: ManagedChannel<ConfirmChannel>;
  /** In-flight publishes by messageId, per channel (a return only refers to a publish on its own channel). */
  private readonly inFlight = new WeakMap<ConfirmChannel, Map<string, Pending[]>>();

  constructor(
    private readonly conn: AmqpConnection,
    opts: ConfirmPublisherOptions,
  ) {
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.confirmTimeoutMs = opts.confirmTimeoutMs ?? 10_000;
    this.channel = conn.confirmChannel({
      name: opts.name ?? 'publisher',
      setup: async (ch) => {
        this.inFlight.set(ch, new Map());
        ch.on('return', (msg: Message) => this.onReturn(ch, msg));
      },
      onClose: (ch) => this.onChannelClosed(ch),
    });
  }

  /** Publishes an envelope; resolves once the broker confirmed it and routed it to at least one queue. */
  async publish(target: Route, envelope: Envelope, extra: PublishExtra = {}): Promise<void> {
    const headers: Record<string, unknown> = { ...(extra.headers ?? {}), 'x-correlation-id': envelope.correlationId };
    injectTraceHeaders(headers);
    const occurred = Date.parse(envelope.occurredAt);
    await this.send(target.exchange, target.routingKey, Buffer.from(JSON.stringify(envelope)), {
      messageId: envelope.id,
      type: envelope.type,
      contentType: 'application/json',
      persistent: true,
      timestamp: Math.floor((Number.isNaN(occurred) ? Date.now() : occurred) / 1000),
      headers,
      ...(extra.expirationMs !== undefined ? { expiration: String(Math.max(0, Math.round(extra.expirationMs))) } : {}),
      ...(extra.replyTo ? { replyTo: extra.replyTo } : {}),
      ...(extra.correlationId ? { correlationId: extra.correlationId } : {}),
    });
  }

  /** Builds the envelope (strict validation, throws ContractViolationError) and publishes it to its route. */
  async publishMessage<T>(contract: MessageContract<T>, data: T, meta: EnvelopeMeta): Promise<Envelope<T>> {
    const envelope = createEnvelope(contract, data, meta);
    await this.publish(routeFor(contract), envelope);
    return envelope;
  }

  /** OutboxPublisherPort of @ttelgo/db: the row already holds the serialised envelope and its headers. */
  async publishRaw(msg: RawOutboxMessage): Promise<void> {
    const headers: Record<string, unknown> = { ...msg.headers };
    if (headers['x-correlation-id'] === undefined) {
      const correlationId = correlationIdOf(msg.body);
      if (correlationId) headers['x-correlation-id'] = correlationId;
    }
    // The row normally carries the traceparent of the request that wrote it; only fall back to the relay's span.
    if (headers['traceparent'] === undefined) injectTraceHeaders(headers);
    await this.send(msg.exchange, msg.routingKey, msg.body, {
      messageId: msg.id,
      type: msg.type,
      contentType: 'application/json',
      persistent: true,
      timestamp: Math.floor(Date.now() / 1000),
      headers,
    });
  }

  /**
   * @internal Publishes a body with given properties, confirmed and mandatory. Used by the consumer to move a
   * delivery to a retry queue or the DLQ, keeping its properties.
   */
  async send(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const type = typeof options.type === 'string' ? options.type : 'unknown';
    try {
      await this.sendConfirmed(exchange, routingKey, content, options);
      this.metrics?.messagesPublished.inc({ type, outcome: 'confirmed' });
    } catch (err) {
      const outcome = err instanceof UnroutableError ? 'returned' : err instanceof PublishNackedError ? 'nacked' : 'error';
      this.metrics?.messagesPublished.inc({ type, outcome });
      throw err;
    }
  }

  /** Stops using the channel. The connection's close() does the same for every publisher. */
  async close(): Promise<void> {
    await this.channel.close();
  }

  private async sendConfirmed(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const messageId = typeof options.messageId === 'string' && options.messageId ? options.messageId : undefined;
    if (!messageId) throw new Error('publish needs a messageId: returns are matched to publishes by it');
    // Not connected: fail at once, the caller (the outbox relay, the webhook ingress) has its own retry story.
    if (!this.conn.model()) throw new BrokerUnavailableError('RabbitMQ is not connected');
    const ch = this.channel.channel ?? (await this.channel.waitForOpen(Math.min(this.confirmTimeoutMs, 5_000)));
    const pendingByChannel = ch ? this.inFlight.get(ch) : undefined;
    if (!ch || !pendingByChannel) throw new BrokerUnavailableError('RabbitMQ publisher channel is not open');

    await new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        messageId,
        exchange,
        routingKey,
        settled: false,
        resolve: () => settle(() => resolve()),
        reject: (err) => settle(() => reject(err)),
      };
      const settle = (fn: () => void): void => {
        if (pending.settled) return;
        pending.settled = true;
        clearTimeout(timer);
        const list = pendingByChannel.get(messageId);
        if (list) {
          const index = list.indexOf(pending);
          if (index >= 0) list.splice(index, 1);
          if (list.length === 0) pendingByChannel.delete(messageId);
        }
        fn();
      };
      const list = pendingByChannel.get(messageId);
      if (list) list.push(pending);
      else pendingByChannel.set(messageId, [pending]);
      const timer = setTimeout(() => pending.reject(new PublishTimeoutError(this.confirmTimeoutMs)), this.confirmTimeoutMs);
      try {
        ch.publish(exchange, routingKey, content, { ...options, mandatory: true }, (err) => {
          if (err) pending.reject(err instanceof Error && err.message === 'channel closed'
            ? new BrokerUnavailableError('channel closed before the broker confirmed the publish', { cause: err })
            : new PublishNackedError(exchange, routingKey));
          else pending.resolve();
        });
      } catch (err) {
        // amqplib throws synchronously when the channel closed under us.
        pending.reject(new BrokerUnavailableError('RabbitMQ publisher channel closed', { cause: err }));
      }
    });
  }

  private onReturn(ch: ConfirmChannel, msg: Message): void {
    const messageId = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined;
    const list = messageId ? this.inFlight.get(ch)?.get(messageId) : undefined;
    const pending = list?.[0];
    const fields = msg.fields as Message['fields'] & { replyCode?: number; replyText?: string };
    if (!pending) {
      this.logger.warn({ messageId, exchange: msg.fields.exchange, routingKey: msg.fields.routingKey }, 'unmatched basic.return');
      return;
    }
    pending.reject(new UnroutableError(msg.fields.exchange, msg.fields.routingKey, fields.replyCode, fields.replyText));
  }

  private onChannelClosed(ch: ConfirmChannel): void {
    const pendingByChannel = this.inFlight.get(ch);
    if (!pendingByChannel) return;
    for (const list of [...pendingByChannel.values()]) {
      for (const pending of [...list]) {
        pending.reject(new BrokerUnavailableError('channel closed before the broker confirmed the publish'));
      }
    }
    pendingByChannel.clear();
  }
}

function correlationIdOf(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'correlationId' in parsed) {
      const value = (parsed as { correlationId: unknown }).correlationId;
      return typeof value === 'string' ? value : undefined;
    }
  } catch {
    // not JSON: the consumer will dead-letter it as invalid
  }
  return undefined;
}
