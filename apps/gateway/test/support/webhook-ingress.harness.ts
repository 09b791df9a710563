/**
 * What the webhook ingress tests (Stripe, eSIM Go) share: a gateway that reaches RabbitMQ through a TcpProxy so
 * the broker can be cut, an observer connection of the test's own (not through the proxy) that collects the
 * commands the gateway hands over, and raw-body posting (the signature covers the exact bytes).
 */
import amqplib from 'amqplib';
import { EnvelopeSchema, commandExchange, type Envelope } from '@ttelgo/contracts';
import { createTestVhost, type TcpProxy, type TestVhost } from '@ttelgo/testing';
import { rawRequest, startBrokerProxy, startTestGateway, type RawResponse, type TestGateway } from './gateway.harness';

export interface WebhookIngress {
  vhost: TestVhost;
  /** Between the gateway and RabbitMQ: cut() takes the broker away from the gateway only. */
  proxy: TcpProxy;
  gateway: TestGateway;
  /** A channel on the test's own connection to the vhost. */
  observer: amqplib.Channel;
  close(): Promise<void>;
}

/** The gateway behind a broker proxy, with a 2 s publish-confirm timeout unless `env` says otherwise. */
export async function startWebhookIngress(prefix: string, env: Record<string, string> = {}): Promise<WebhookIngress> {
  const vhost = await createTestVhost(prefix);
  const { proxy, amqpUrl } = await startBrokerProxy(vhost);
  const gateway = await startTestGateway({ AMQP_URL: amqpUrl, WEBHOOK_CONFIRM_TIMEOUT_MS: '2000', ...env }, prefix);
  const connection = await amqplib.connect(vhost.url);
  const observer = await connection.createChannel();
  return {
    vhost,
    proxy,
    gateway,
    observer,
    close: async () => {
      await connection.close().catch(() => undefined);
      await gateway.close();
      await proxy.stop();
      await vhost.dispose();
    },
  };
}

export interface ReceivedCommand<T> {
  messageId: string;
  envelope: Envelope<T>;
}

/**
 * Binds an exclusive queue to the command exchange of `owner` for `messageName`, as the consuming service would,
 * and pushes every command that arrives (message id and parsed envelope) onto `received`.
 */
export async function collectCommands<T>(
  observer: amqplib.Channel,
  route: { queue: string; owner: string; messageName: string },
  received: Array<ReceivedCommand<T>>,
): Promise<void> {
  await observer.assertQueue(route.queue, { exclusive: true });
  await observer.bindQueue(route.queue, commandExchange(route.owner), route.messageName);
  await observer.consume(route.queue, (msg) => {
    if (!msg) return;
    received.push({ messageId: String(msg.properties.messageId), envelope: EnvelopeSchema.parse(JSON.parse(msg.content.toString('utf8'))) as never });
    observer.ack(msg);
  });
}

/** POSTs `raw` byte for byte (UTF-8), as the provider sends it. */
export function postRawBody(gateway: TestGateway, path: string, raw: string, headers: Record<string, string>): Promise<RawResponse> {
  return rawRequest(gateway.handle.port, 'POST', path, { headers, body: Buffer.from(raw, 'utf8') });
}

/** Gives a message that should not have been published the time to show up anyway. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));
