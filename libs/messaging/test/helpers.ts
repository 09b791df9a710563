import * as amqp from 'amqplib';
import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { TEST_AMQP_URL, waitFor } from '@ttelgo/testing';

/**
 * A plain amqplib connection for a test to look at the broker from outside the code under test (read a DLQ,
 * delete a queue behind the consumer's back). It does not reconnect: open a new one after closeConnections().
 */
export interface Admin {
  model: ChannelModel;
  ch: Channel;
  close(): Promise<void>;
}

export async function openAdmin(url: string): Promise<Admin> {
  const model = await amqp.connect(url);
  model.on('error', () => undefined);
  const ch = await model.createChannel();
  ch.on('error', () => undefined);
  return {
    model,
    ch,
    close: async () => {
      await model.close().catch(() => undefined);
    },
  };
}

/** Waits for one message in a queue and takes it (basic.get + ack). */
export async function takeOne(admin: Admin, queue: string, timeoutMs = 10_000): Promise<GetMessage> {
  return waitFor(
    async () => {
      const msg = await admin.ch.get(queue, { noAck: true });
      return msg || undefined;
    },
    { timeoutMs, message: `a message in ${queue}` },
  );
}

/** Drains a queue without waiting. */
export async function drain(admin: Admin, queue: string): Promise<GetMessage[]> {
  const messages: GetMessage[] = [];
  for (;;) {
    const msg = await admin.ch.get(queue, { noAck: true });
    if (!msg) return messages;
    messages.push(msg);
  }
}

export function headerString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/** Host and port of the test broker, for a TcpProxy in front of it. */
export function brokerAddress(): { host: string; port: number } {
  const url = new URL(TEST_AMQP_URL);
  return { host: url.hostname, port: Number(url.port || 5672) };
}

/** The vhost URL with the proxy's port instead of the broker's. */
export function viaProxy(vhostUrl: string, port: number): string {
  const url = new URL(vhostUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

export { sleep } from '@ttelgo/testing';
