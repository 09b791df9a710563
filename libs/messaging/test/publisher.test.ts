import { z } from 'zod';
import { defineEvent, eventExchange } from '@ttelgo/contracts';
import { createMetrics } from '@ttelgo/observability';
import { TcpProxy, createTestVhost, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import {
  AmqpConnection,
  BrokerUnavailableError,
  ConfirmPublisher,
  UnroutableError,
  declareEventExchange,
} from '../src';
import { brokerAddress, headerString, openAdmin, takeOne, viaProxy } from './helpers';

const ThingHappened = defineEvent('pubtest.thing-happened.v1', z.object({ n: z.number().int() }));
const Orphan = defineEvent('orphan.nobody-listens.v1', z.object({ n: z.number().int() }));
const QUEUE = 'pubtest.things';

describe('ConfirmPublisher against the real broker', () => {
  const logger = testLogger();
  let vhost: TestVhost;
  let proxy: TcpProxy;
  let conn: AmqpConnection;
  let publisher: ConfirmPublisher;
  const metrics = createMetrics('messaging-publisher-test');
  let hookRuns = 0;

  beforeAll(async () => {
    vhost = await createTestVhost('msgpub');
    proxy = new TcpProxy(brokerAddress());
    const port = await proxy.start();
    conn = new AmqpConnection({ url: viaProxy(vhost.url, port), name: 'publisher-test', logger, heartbeatSeconds: 5, reconnect: { initialMs: 50, maxMs: 400 } });
    conn.declare(async (ch) => {
      hookRuns += 1;
      await declareEventExchange(ch, 'pubtest');
      await declareEventExchange(ch, 'orphan');
      await ch.assertQueue(QUEUE, { durable: true });
      await ch.bindQueue(QUEUE, eventExchange('pubtest'), ThingHappened.name);
    });
    await conn.start();
    publisher = new ConfirmPublisher(conn, { logger, metrics, confirmTimeoutMs: 5000 });
  });

  afterAll(async () => {
    await conn?.close();
    await proxy?.stop();
    await vhost?.dispose();
  });

  it('publishes a confirmed message with the envelope properties and headers', async () => {
    const envelope = await publisher.publishMessage(ThingHappened, { n: 1 }, { producer: 'pubtest', correlationId: 'corr-1' });
    const admin = await openAdmin(vhost.url);
    try {
      const msg = await takeOne(admin, QUEUE);
      expect(JSON.parse(msg.content.toString())).toEqual(envelope);
      expect(msg.properties.messageId).toBe(envelope.id);
      expect(msg.properties.type).toBe(ThingHappened.name);
      expect(msg.properties.contentType).toBe('application/json');
      expect(msg.properties.deliveryMode).toBe(2);
      expect(typeof msg.properties.timestamp).toBe('number');
      expect(headerString(msg.properties.headers?.['x-correlation-id'])).toBe('corr-1');
    } finally {
      await admin.close();
    }
    const published = await metrics.messagesPublished.get();
    expect(published.values.find((v) => v.labels.outcome === 'confirmed' && v.labels.type === ThingHappened.name)?.value).toBe(1);
  });

  it('rejects a message that reaches no queue with UnroutableError (mandatory + basic.return)', async () => {
    const attempt = publisher.publishMessage(Orphan, { n: 2 }, { producer: 'orphan', correlationId: 'corr-2' });
    await expect(attempt).rejects.toBeInstanceOf(UnroutableError);
    await expect(attempt).rejects.toMatchObject({ exchange: eventExchange('orphan'), routingKey: Orphan.name });
    const published = await metrics.messagesPublished.get();
    expect(published.values.find((v) => v.labels.outcome === 'returned')?.value).toBe(1);
    // The channel is still usable after a return.
    await expect(publisher.publishMessage(ThingHappened, { n: 3 }, { producer: 'pubtest', correlationId: 'corr-3' })).resolves.toMatchObject({ type: ThingHappened.name });
  });

  it('rejects quickly with BrokerUnavailableError while disconnected, then recovers and redeclares the topology', async () => {
    proxy.cut();
    await waitFor(() => !conn.isConnected(), { message: 'connection noticed the cut' });
    // While the proxy is down nobody can reach the topology; delete it behind the connection's back, so only a
    // redeclaration after the reconnect can make the next publish routable again.
    const admin = await openAdmin(vhost.url);
    await admin.ch.deleteQueue(QUEUE);
    await admin.ch.deleteExchange(eventExchange('pubtest'));
    await admin.close();

    const started = Date.now();
    await expect(publisher.publishMessage(ThingHappened, { n: 4 }, { producer: 'pubtest', correlationId: 'c' })).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(Date.now() - started).toBeLessThan(200);
    expect(conn.disconnectedForMs()).toBeGreaterThan(0);

    const runsBefore = hookRuns;
    proxy.restore();
    await waitFor(() => conn.isConnected(), { message: 'reconnected' });
    expect(hookRuns).toBeGreaterThan(runsBefore);
    expect(conn.disconnectedForMs()).toBe(0);
    const envelope = await publisher.publishMessage(ThingHappened, { n: 5 }, { producer: 'pubtest', correlationId: 'c5' });
    const check = await openAdmin(vhost.url);
    try {
      expect((await takeOne(check, QUEUE)).properties.messageId).toBe(envelope.id);
    } finally {
      await check.close();
    }
  });

  it('comes back after the broker closes every connection of the vhost and publishes again', async () => {
    const runsBefore = hookRuns;
    await vhost.closeConnections();
    await waitFor(() => hookRuns > runsBefore && conn.isConnected(), { message: 'reconnected and redeclared', timeoutMs: 15_000 });
    const envelope = await publisher.publishMessage(ThingHappened, { n: 6 }, { producer: 'pubtest', correlationId: 'c6' });
    const admin = await openAdmin(vhost.url);
    try {
      expect((await takeOne(admin, QUEUE)).properties.messageId).toBe(envelope.id);
    } finally {
      await admin.close();
    }
  });

  it('implements the outbox port: publishRaw keeps the row id, type and headers', async () => {
    const body = Buffer.from(JSON.stringify({ id: 'x', correlationId: 'from-body' }));
    const id = globalThis.crypto.randomUUID();
    await publisher.publishRaw({ id, type: ThingHappened.name, exchange: eventExchange('pubtest'), routingKey: ThingHappened.name, body, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    const admin = await openAdmin(vhost.url);
    try {
      const msg = await takeOne(admin, QUEUE);
      expect(msg.properties.messageId).toBe(id);
      expect(msg.properties.type).toBe(ThingHappened.name);
      expect(msg.content.equals(body)).toBe(true);
      expect(headerString(msg.properties.headers?.traceparent)).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      expect(headerString(msg.properties.headers?.['x-correlation-id'])).toBe('from-body');
    } finally {
      await admin.close();
    }
    await expect(
      publisher.publishRaw({ id: globalThis.crypto.randomUUID(), type: 't', exchange: eventExchange('orphan'), routingKey: 'nowhere', body, headers: {} }),
    ).rejects.toBeInstanceOf(UnroutableError);
  });
});
