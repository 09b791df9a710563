import { DEAD_LETTER_EXCHANGE, commandExchange, eventExchange } from '@ttelgo/contracts';
import { createTestVhost, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import { AmqpConnection, DEAD_LETTER_ARCHIVE_QUEUE, declareCommandExchange, declareConsumerQueue, declareRpcQueue, dlqName, exchangeType, retryQueueName } from '../src';
import { openAdmin, takeOne, type Admin } from './helpers';

describe('topology declarations against the real broker', () => {
  let vhost: TestVhost;
  let admin: Admin;

  beforeAll(async () => {
    vhost = await createTestVhost('msgtopo');
    admin = await openAdmin(vhost.url);
  });

  afterAll(async () => {
    await admin?.close();
    await vhost?.dispose();
  });

  const spec = {
    queue: 'topo.things',
    bindings: [{ exchange: eventExchange('topo'), routingKey: 'topo.thing-happened.v1' }],
    deliveryLimit: 2,
    retryDelaysMs: [100, 250],
  };

  it('declares the queue, its DLQ and retry queues idempotently, and refuses other arguments', async () => {
    await declareConsumerQueue(admin.ch, spec);
    await declareConsumerQueue(admin.ch, spec); // same arguments: no error
    for (const queue of [spec.queue, dlqName(spec.queue), DEAD_LETTER_ARCHIVE_QUEUE, retryQueueName(spec.queue, 100), retryQueueName(spec.queue, 250)]) {
      await expect(admin.ch.checkQueue(queue)).resolves.toMatchObject({ queue });
    }
    await declareCommandExchange(admin.ch, 'topo');
    await expect(admin.ch.checkExchange(commandExchange('topo'))).resolves.toBeDefined();
    await expect(declareRpcQueue(admin.ch, 'topo')).resolves.toBe('ttelgo.rpc.topo');
    await expect(declareRpcQueue(admin.ch, 'topo')).resolves.toBe('ttelgo.rpc.topo');

    // The arguments really are on the queue: another delivery limit is a PRECONDITION_FAILED.
    const other = await openAdmin(vhost.url);
    try {
      await expect(declareConsumerQueue(other.ch, { ...spec, deliveryLimit: 3 })).rejects.toMatchObject({ code: 406 });
    } finally {
      await other.close();
    }
    expect(exchangeType(eventExchange('x'))).toBe('topic');
    expect(exchangeType(commandExchange('x'))).toBe('direct');
    expect(exchangeType(DEAD_LETTER_EXCHANGE)).toBe('direct');
  });

  it('dead-letters a message past x-delivery-limit into <queue>.dlq', async () => {
    admin.ch.publish(eventExchange('topo'), 'topo.thing-happened.v1', Buffer.from('{}'), { messageId: 'poison-1' });
    // A consumer that keeps crashing: every delivery is handed back.
    let deliveries = 0;
    const { consumerTag } = await admin.ch.consume(spec.queue, (msg) => {
      if (!msg) return;
      deliveries += 1;
      admin.ch.nack(msg, false, true);
    });
    const dead = await takeOne(admin, dlqName(spec.queue));
    await admin.ch.cancel(consumerTag);
    expect(dead.properties.messageId).toBe('poison-1');
    expect(deliveries).toBe(3); // the first delivery plus deliveryLimit redeliveries
  });

  it('copies a message dead-lettered past x-delivery-limit to the archive queue as well', async () => {
    const dead = await waitFor(async () => (await admin.ch.get(DEAD_LETTER_ARCHIVE_QUEUE, { noAck: true })) || undefined, { message: 'poison-1 in the archive' });
    expect(dead.properties.messageId).toBe('poison-1');
    expect(dead.fields.routingKey).toBe(dlqName(spec.queue));
  });

  it('sends a message parked in a retry queue back to the consumer queue after its TTL', async () => {
    const started = Date.now();
    admin.ch.sendToQueue(retryQueueName(spec.queue, 250), Buffer.from('{}'), { messageId: 'parked-1' });
    const back = await waitFor(async () => (await admin.ch.get(spec.queue, { noAck: true })) || undefined, { message: 'message back in the queue' });
    expect(back.properties.messageId).toBe('parked-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('fails start() when the broker refuses the topology, instead of running without it', async () => {
    const conn = new AmqpConnection({ url: vhost.url, name: 'topology-refused', logger: testLogger() });
    conn.declare((ch) => declareConsumerQueue(ch, { ...spec, deliveryLimit: 5 }));
    expect(conn.isConnected()).toBe(false);
    try {
      await expect(conn.start()).rejects.toMatchObject({ code: 406 });
      expect(conn.isConnected()).toBe(false);
    } finally {
      await conn.close();
    }
  });
});
