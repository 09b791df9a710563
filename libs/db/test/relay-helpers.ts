import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { z } from 'zod';
import { defineEvent, routeFor } from '@ttelgo/contracts';
import { createTestVhost, TcpProxy, type TestVhost } from '@ttelgo/testing';
import type { OutboxPublisherPort, OutboxRawMessage } from '../src';

export const ThingHappened = defineEvent('dbtest.thing-happened.v1', z.object({ n: z.number().int() }));
/** Same exchange, but no queue is bound for its routing key: the broker returns it. */
export const NobodyListens = defineEvent('dbtest.nobody-listens.v1', z.object({ n: z.number().int() }));
export const OBSERVED_QUEUE = 'dbtest.observed';

export interface Delivery {
  messageId: string;
  type: string;
  headers: Record<string, unknown>;
  body: unknown;
}

/**
 * The smallest publisher that honours the OutboxPublisherPort contract: a confirm channel, `mandatory`, and a
 * basic.return counts as failure. @ttelgo/messaging's ConfirmPublisher is the real one, but importing it here
 * would make db and messaging depend on each other in the Nx graph (messaging's tests import our fixture).
 * It connects lazily and, after a connection loss, again on the next publish.
 */
export class MinimalConfirmPublisher implements OutboxPublisherPort {
  private model: ChannelModel | undefined;
  private channel: Promise<ConfirmChannel> | undefined;
  private readonly returned = new Set<string>();
  private closed = false;

  constructor(private readonly url: string) {}

  get connected(): boolean {
    return this.model !== undefined;
  }

  async publishRaw(msg: OutboxRawMessage): Promise<void> {
    const ch = await this.open();
    await new Promise<void>((resolve, reject) => {
      ch.publish(
        msg.exchange,
        msg.routingKey,
        msg.body,
        { mandatory: true, persistent: true, messageId: msg.id, type: msg.type, contentType: 'application/json', headers: msg.headers },
        (err: unknown) => {
          // The broker sends basic.return before the ack of an unroutable mandatory message.
          const wasReturned = this.returned.delete(msg.id);
          if (err) reject(err instanceof Error ? err : new Error(String(err)));
          else if (wasReturned) reject(new Error(`unroutable: returned by the broker (${msg.exchange} ${msg.routingKey})`));
          else resolve();
        },
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.model?.close().catch(() => undefined);
  }

  private open(): Promise<ConfirmChannel> {
    if (this.closed) return Promise.reject(new Error('publisher closed'));
    this.channel ??= (async () => {
      try {
        const model = await amqp.connect(this.url);
        const forget = () => {
          if (this.model === model) this.model = undefined;
          this.channel = undefined;
        };
        model.on('error', () => undefined);
        model.on('close', forget);
        const ch = await model.createConfirmChannel();
        ch.on('error', () => undefined);
        ch.on('close', forget);
        ch.on('return', (m) => this.returned.add(String(m.properties.messageId)));
        this.model = model;
        return ch;
      } catch (err) {
        this.channel = undefined;
        throw err;
      }
    })();
    return this.channel;
  }
}

/**
 * A RabbitMQ world for relay tests: a private vhost with the event exchange and one bound queue, an observer
 * that records every delivery (connected directly), and a confirm publisher connected through a TcpProxy, so
 * a test can take the broker away from the relay only.
 */
export interface RelayWorld {
  vhost: TestVhost;
  proxy: TcpProxy;
  publisher: MinimalConfirmPublisher;
  deliveries: Delivery[];
  idsSeen(ids: string[]): number;
  dispose(): Promise<void>;
}

export async function createRelayWorld(): Promise<RelayWorld> {
  const vhost = await createTestVhost('dbrelay');
  const observer = await amqp.connect(vhost.url);
  const ch = await observer.createChannel();
  const { exchange, routingKey } = routeFor(ThingHappened);
  await ch.assertExchange(exchange, 'topic', { durable: true });
  await ch.assertQueue(OBSERVED_QUEUE, { durable: true });
  await ch.bindQueue(OBSERVED_QUEUE, exchange, routingKey);
  const deliveries: Delivery[] = [];
  await ch.consume(
    OBSERVED_QUEUE,
    (msg) => {
      if (!msg) return;
      deliveries.push({
        messageId: String(msg.properties.messageId),
        type: String(msg.properties.type),
        headers: (msg.properties.headers ?? {}) as Record<string, unknown>,
        body: JSON.parse(msg.content.toString('utf8')),
      });
    },
    { noAck: true },
  );

  const proxy = new TcpProxy({ host: '127.0.0.1', port: Number(new URL(vhost.url).port || 5672) });
  const port = await proxy.start();
  const viaProxy = new URL(vhost.url);
  viaProxy.port = String(port);
  viaProxy.hostname = '127.0.0.1';
  const publisher = new MinimalConfirmPublisher(viaProxy.toString());

  return {
    vhost,
    proxy,
    publisher,
    deliveries,
    idsSeen: (ids) => {
      const wanted = new Set(ids);
      return deliveries.filter((d) => wanted.has(d.messageId)).length;
    },
    dispose: async () => {
      await publisher.close();
      await proxy.stop();
      await observer.close().catch(() => undefined);
      await vhost.dispose();
    },
  };
}

/** Wraps a publisher to count what one relay published (and optionally slow it down). */
export function countingPublisher(inner: OutboxPublisherPort, delayMs = 0): OutboxPublisherPort & { count: number; started: number } {
  const wrapper = {
    count: 0,
    started: 0,
    async publishRaw(msg: OutboxRawMessage): Promise<void> {
      wrapper.started += 1;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await inner.publishRaw(msg);
      wrapper.count += 1;
    },
  };
  return wrapper;
}
