import { z } from 'zod';
import { DEAD_LETTER_EXCHANGE, createEnvelope, defineEvent, eventExchange, routeFor, type Envelope } from '@ttelgo/contracts';
import { PrismaInboxStore } from '@ttelgo/db';
import { createMetrics, getContext, type ServiceMetrics } from '@ttelgo/observability';
import { createTestVhost, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
// The db lib's shared test fixture: a generated Prisma client over outbox/inbox/effect tables in a random schema.
// eslint-disable-next-line @nx/enforce-module-boundaries -- a relative import of another project's test fixture
import { createFixtureDb, type FixtureDb, type FixturePrisma } from '../../db/test/fixture/fixture-db';
import {
  AmqpConnection,
  ConfirmPublisher,
  DEAD_LETTER_ARCHIVE_QUEUE,
  PermanentError,
  TransientError,
  declareEventExchange,
  dlqName,
  startConsumer,
  type Consumer,
  type InboxStore,
} from '../src';
import { drain, headerString, openAdmin, sleep, takeOne } from './helpers';

const OrderSchema = z.object({ orderId: z.string(), amount: z.number().int() });
type OrderPlacedData = z.infer<typeof OrderSchema>;
// Every test has its own message type, so its queue is bound to its own routing key and no other test's
// consumer sees its messages.
let OrderPlaced = defineEvent('constest.order-placed.v1', OrderSchema);

/** Reads the counter of one outcome of messagesConsumed. */
async function consumed(metrics: ServiceMetrics, handler: string, outcome: string): Promise<number> {
  const { values } = await metrics.messagesConsumed.get();
  return values.filter((v) => v.labels.handler === handler && v.labels.outcome === outcome).reduce((sum, v) => sum + v.value, 0);
}

describe('startConsumer against the real broker and Postgres', () => {
  const logger = testLogger();
  let vhost: TestVhost;
  let db: FixtureDb;
  let prisma: FixturePrisma;
  let conn: AmqpConnection;
  let publisher: ConfirmPublisher;
  let hookRuns = 0;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    [vhost, db] = await Promise.all([createTestVhost('msgcons'), createFixtureDb({ prefix: 'msgcons' })]);
    prisma = db.prisma;
    conn = new AmqpConnection({ url: vhost.url, name: 'consumer-test', logger, reconnect: { initialMs: 50, maxMs: 500 } });
    conn.declare(async (ch) => {
      hookRuns += 1;
      await declareEventExchange(ch, 'constest');
    });
    await conn.start();
    publisher = new ConfirmPublisher(conn, { logger });
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await conn?.close();
    await Promise.all([vhost?.dispose(), db?.dispose()]);
  });

  function envelope(data: OrderPlacedData, id?: string): Envelope<OrderPlacedData> {
    return createEnvelope(OrderPlaced, data, { producer: 'constest', correlationId: `corr-${data.orderId}`, ...(id ? { id } : {}) });
  }

  /** The handler's effect, in the same transaction as the inbox row. */
  async function recordEffect(env: Envelope<OrderPlacedData>, tx: unknown, note = env.data.orderId): Promise<void> {
    await (tx as FixturePrisma).effect.create({ data: { id: globalThis.crypto.randomUUID(), messageId: env.id, note } });
  }

  async function effectsOf(messageId: string): Promise<number> {
    return prisma.effect.count({ where: { messageId } });
  }

  beforeEach(() => {
    const slug = expect.getState().currentTestName!.toLowerCase().replace(/[^a-z]+/g, '-').slice(-40).replace(/^-+|-+$/g, '');
    OrderPlaced = defineEvent(`constest.${slug}.v1`, OrderSchema);
  });

  async function start(queue: string, handlerName: string, handle: (env: Envelope<OrderPlacedData>, tx: unknown) => Promise<void>, extra: { inbox?: InboxStore; metrics?: ServiceMetrics; retryDelaysMs?: number[] } = {}): Promise<Consumer> {
    const consumer = startConsumer<OrderPlacedData>(conn, {
      queue,
      handlerName,
      contracts: [OrderPlaced],
      handle,
      inbox: extra.inbox ?? new PrismaInboxStore(prisma),
      retryDelaysMs: extra.retryDelaysMs ?? [200, 400],
      logger,
      ...(extra.metrics ? { metrics: extra.metrics } : {}),
    });
    consumers.push(consumer);
    await waitFor(() => conn.isConnected(), { message: `consumer of ${queue} started` });
    return consumer;
  }

  it('runs the effect once for a duplicate delivery of one message id, and acks both', async () => {
    const metrics = createMetrics('consumer-dup');
    const seen: Array<{ correlationId?: string; causationId?: string }> = [];
    await start('constest.dup', 'dup-handler', async (env, tx) => {
      seen.push(getContext());
      await recordEffect(env, tx);
    }, { metrics });
    const env = envelope({ orderId: 'o-dup', amount: 100 });
    await publisher.publish(routeFor(OrderPlaced), env);
    await publisher.publish(routeFor(OrderPlaced), env);
    await waitFor(async () => (await consumed(metrics, 'dup-handler', 'ok')) + (await consumed(metrics, 'dup-handler', 'duplicate')) === 2, { message: 'both deliveries handled' });
    expect(await consumed(metrics, 'dup-handler', 'duplicate')).toBe(1);
    expect(await effectsOf(env.id)).toBe(1);
    expect(seen).toEqual([expect.objectContaining({ correlationId: 'corr-o-dup', causationId: env.id })]);
    await waitFor(async () => (await vhost.queueDepth('constest.dup')) === 0, { message: 'queue empty (acked)' });
  });

  it('causes no second effect when the consumer dies after commit and before ack', async () => {
    const calls: Array<'processed' | 'duplicate'> = [];
    const inner = new PrismaInboxStore(prisma);
    let killed = false;
    // Commit, then lose the connection before the consumer gets to ack: the broker redelivers.
    const dyingInbox: InboxStore = {
      runOnce: async (messageId, handler, fn) => {
        const result = await inner.runOnce(messageId, handler, fn);
        calls.push(result);
        if (!killed) {
          killed = true;
          const before = hookRuns;
          await vhost.closeConnections();
          await waitFor(() => hookRuns > before, { message: 'reconnected after the kill', timeoutMs: 15_000 });
        }
        return result;
      },
    };
    await start('constest.crash', 'crash-handler', (env, tx) => recordEffect(env, tx), { inbox: dyingInbox });
    const env = envelope({ orderId: 'o-crash', amount: 200 });
    await publisher.publish(routeFor(OrderPlaced), env);
    await waitFor(() => calls.length >= 2, { message: 'redelivery after the kill', timeoutMs: 20_000 });
    expect(calls).toEqual(['processed', 'duplicate']);
    expect(await effectsOf(env.id)).toBe(1);
    await waitFor(async () => (await vhost.queueDepth('constest.crash')) === 0, { message: 'redelivery acked' });
  });

  it('dead-letters invalid messages (bad JSON, wrong schema, unknown type) with a reason, without running the handler', async () => {
    const metrics = createMetrics('consumer-invalid');
    let handled = 0;
    const queue = 'constest.invalid';
    await start(queue, 'invalid-handler', async () => {
      handled += 1;
    }, { metrics });
    const { exchange, routingKey } = routeFor(OrderPlaced);
    const badSchema = { ...envelope({ orderId: 'o-bad', amount: 1 }), data: { orderId: 'o-bad', amount: 'lots' } };
    const wrongType = { ...envelope({ orderId: 'o-type', amount: 1 }), type: 'constest.something-else.v1' };
    const publishBody = (body: string, id: string, type?: string) =>
      publisher.send(exchange, routingKey, Buffer.from(body), { messageId: id, ...(type ? { type } : {}), contentType: 'application/json', persistent: true });
    await publishBody('{not json', 'bad-json-1', OrderPlaced.name);
    await publishBody(JSON.stringify(badSchema), badSchema.id, OrderPlaced.name);
    await publishBody(JSON.stringify(wrongType), wrongType.id);

    const admin = await openAdmin(vhost.url);
    try {
      const reasons = new Map<string, string | undefined>();
      for (let i = 0; i < 3; i++) {
        const msg = await takeOne(admin, dlqName(queue));
        reasons.set(String(msg.properties.messageId), headerString(msg.properties.headers?.['x-dead-letter-reason']));
      }
      expect(reasons.get('bad-json-1')).toMatch(/invalid JSON/);
      expect(reasons.get(badSchema.id)).toMatch(/amount/);
      expect(reasons.get(wrongType.id)).toMatch(/unexpected message type 'constest.something-else.v1'/);
    } finally {
      await admin.close();
    }
    expect(handled).toBe(0);
    expect(await consumed(metrics, 'invalid-handler', 'invalid')).toBe(3);
    await waitFor(async () => (await vhost.queueDepth(queue)) === 0, { message: 'invalid messages acked' });
  });

  it('copies every dead letter to the archive queue too, with the reason and the original queue', async () => {
    const queue = 'constest.archived';
    await start(queue, 'archived-handler', async () => undefined);
    const { exchange, routingKey } = routeFor(OrderPlaced);
    const id = `archived-${globalThis.crypto.randomUUID()}`;
    await publisher.send(exchange, routingKey, Buffer.from('{not json'), { messageId: id, type: OrderPlaced.name, contentType: 'application/json', persistent: true });

    const admin = await openAdmin(vhost.url);
    try {
      const inDlq = await takeOne(admin, dlqName(queue));
      expect(inDlq.properties.messageId).toBe(id);
      // Other tests dead-letter into the same archive: look for this message among them.
      const archived = await waitFor(
        async () => {
          for (;;) {
            const msg = await admin.ch.get(DEAD_LETTER_ARCHIVE_QUEUE, { noAck: true });
            if (!msg) return undefined;
            if (msg.properties.messageId === id) return msg;
          }
        },
        { message: 'the dead letter in the archive queue' },
      );
      expect(archived.content.toString()).toBe('{not json');
      expect(archived.fields.routingKey).toBe(dlqName(queue));
      expect(headerString(archived.properties.headers?.['x-original-queue'])).toBe(queue);
      expect(headerString(archived.properties.headers?.['x-dead-letter-reason'])).toMatch(/invalid JSON/);
    } finally {
      await admin.close();
    }
  });

  it('retries a transient failure after the retry delays, then succeeds once', async () => {
    const attempts: Array<{ at: number; retryHeader: number | undefined }> = [];
    const queue = 'constest.transient';
    const env = envelope({ orderId: 'o-transient', amount: 300 });
    let started = 0;
    await start(queue, 'transient-handler', async (e, tx) => {
      attempts.push({ at: Date.now() - started, retryHeader: undefined });
      await recordEffect(e, tx);
      // The effect above is rolled back with the inbox row when the handler throws.
      if (attempts.length === 1) throw new TransientError('provider timed out');
      if (attempts.length === 2) throw new Error('connection reset'); // unknown errors are retried too
    });
    started = Date.now();
    await publisher.publish(routeFor(OrderPlaced), env);
    await waitFor(async () => (await effectsOf(env.id)) === 1, { message: 'handled after retries', timeoutMs: 15_000 });
    expect(attempts).toHaveLength(3);
    // 1st retry after >= 200 ms, 2nd after a further >= 400 ms.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(180);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(380);
    await sleep(300);
    expect(attempts).toHaveLength(3);
    expect(await effectsOf(env.id)).toBe(1);
  });

  it('dead-letters after the retries are exhausted, and a PermanentError at once', async () => {
    const metrics = createMetrics('consumer-exhausted');
    const queue = 'constest.exhausted';
    const attemptsById = new Map<string, number>();
    const permanent = envelope({ orderId: 'o-permanent', amount: 1 });
    const transient = envelope({ orderId: 'o-always-failing', amount: 1 });
    await start(queue, 'exhausted-handler', async (e) => {
      attemptsById.set(e.id, (attemptsById.get(e.id) ?? 0) + 1);
      if (e.id === permanent.id) throw new PermanentError('bundle does not exist');
      throw new TransientError('still down');
    }, { metrics });
    await publisher.publish(routeFor(OrderPlaced), permanent);
    await publisher.publish(routeFor(OrderPlaced), transient);

    const admin = await openAdmin(vhost.url);
    try {
      const byId = new Map<string, { reason?: string; retries?: unknown }>();
      for (let i = 0; i < 2; i++) {
        const msg = await takeOne(admin, dlqName(queue), 15_000);
        byId.set(String(msg.properties.messageId), {
          reason: headerString(msg.properties.headers?.['x-dead-letter-reason']),
          retries: msg.properties.headers?.['x-retry-count'],
        });
        expect(JSON.parse(msg.content.toString()).id).toBe(msg.properties.messageId);
      }
      expect(byId.get(permanent.id)?.reason).toMatch(/PermanentError: bundle does not exist/);
      expect(byId.get(transient.id)?.reason).toMatch(/retries exhausted after 2: TransientError: still down/);
      expect(byId.get(transient.id)?.retries).toBe(2);
      expect(await drain(admin, dlqName(queue))).toHaveLength(0);
    } finally {
      await admin.close();
    }
    expect(attemptsById.get(permanent.id)).toBe(1);
    expect(attemptsById.get(transient.id)).toBe(3);
    expect(await consumed(metrics, 'exhausted-handler', 'retry')).toBe(2);
    expect(await consumed(metrics, 'exhausted-handler', 'dead-letter')).toBe(2);
  });

  it('resumes consuming after the broker closes the connection', async () => {
    const handled: string[] = [];
    await start('constest.resume', 'resume-handler', async (e, tx) => {
      handled.push(e.data.orderId);
      await recordEffect(e, tx);
    });
    await publisher.publish(routeFor(OrderPlaced), envelope({ orderId: 'before', amount: 1 }));
    await waitFor(() => handled.includes('before'), { message: 'first message handled' });

    const before = hookRuns;
    await vhost.closeConnections();
    await waitFor(() => hookRuns > before && conn.isConnected(), { message: 'reconnected with consumers resumed', timeoutMs: 15_000 });
    await publisher.publish(routeFor(OrderPlaced), envelope({ orderId: 'after', amount: 1 }));
    await waitFor(() => handled.includes('after'), { message: 'message after the reconnect handled' });
  });

  it('re-opens a consumer whose queue was deleted, and reports not-ready while the broker refuses the declaration', async () => {
    const queue = 'constest.zombie';
    const handled: string[] = [];
    await start(queue, 'zombie-handler', async (e) => {
      handled.push(e.data.orderId);
    });
    const admin = await openAdmin(vhost.url);
    try {
      // Someone re-creates the queue with other arguments: the consumer is cancelled and its re-declaration fails
      // with PRECONDITION_FAILED. The process must not look healthy while it consumes nothing.
      await admin.ch.deleteQueue(queue);
      await admin.ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
      await waitFor(() => !conn.isConnected(), { message: 'not ready while the consumer is down' });
      await sleep(300);
      expect(conn.isConnected()).toBe(false);
      expect(conn.disconnectedForMs()).toBeGreaterThanOrEqual(250);

      // Fix the broker side: the consumer re-declares its queue and resumes.
      await admin.ch.deleteQueue(queue);
      await waitFor(() => conn.isConnected(), { message: 'consumer recovered', timeoutMs: 15_000 });
      await publisher.publish(routeFor(OrderPlaced), envelope({ orderId: 'after-fix', amount: 1 }));
      await waitFor(() => handled.includes('after-fix'), { message: 'handled after the fix' });
    } finally {
      await admin.close();
    }
  });

  it('stop() cancels the consumer and waits for the handler in flight before it resolves', async () => {
    const queue = 'constest.stop';
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    let entered = false;
    const consumer = await start(queue, 'stop-handler', async (e, tx) => {
      entered = true;
      await gate;
      await recordEffect(e, tx);
      finished = true;
    });
    const env = envelope({ orderId: 'o-stop', amount: 1 });
    await publisher.publish(routeFor(OrderPlaced), env);
    await waitFor(() => entered, { message: 'delivered to the handler' });
    const stopping = consumer.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await sleep(200);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(await effectsOf(env.id)).toBe(1);
    // Acked before stop() resolved, and nothing consumes the queue any more.
    await waitFor(async () => (await vhost.queueDepth(queue)) === 0, { message: 'acked' });
    const admin = await openAdmin(vhost.url);
    try {
      const check = await admin.ch.checkQueue(queue);
      expect(check.consumerCount).toBe(0);
      expect(DEAD_LETTER_EXCHANGE).toBe('ttelgo.dlx');
      expect(eventExchange('constest')).toBe(routeFor(OrderPlaced).exchange);
    } finally {
      await admin.close();
    }
  });
});
