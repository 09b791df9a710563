import { randomUUID } from 'node:crypto';
import { createMetrics, runWithContext } from '@ttelgo/observability';
import { testLogger, waitFor } from '@ttelgo/testing';
import { enqueue, OutboxRelay, startOutboxRuntime, type OutboxRelayOptions } from '../src';
import { createFixtureDb, type FixtureDb } from './fixture/fixture-db';
import { sleep, sql } from './helpers';
import { countingPublisher, createRelayWorld, NobodyListens, ThingHappened, type RelayWorld } from './relay-helpers';

const logger = testLogger('db-relay-test');
let db: FixtureDb;
let world: RelayWorld;
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  [db, world] = await Promise.all([createFixtureDb({ prefix: 'dbrelay' }), createRelayWorld()]);
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  world.proxy.restore();
});
afterAll(async () => {
  await world.dispose();
  await db.dispose();
});

function relay(opts: Partial<OutboxRelayOptions> = {}, target: FixtureDb = db): OutboxRelay {
  const r = new OutboxRelay({
    databaseUrl: target.databaseUrl,
    schema: target.schema,
    publisher: world.publisher,
    logger,
    pollIntervalMs: 200,
    backoffBaseMs: 50,
    backoffMaxMs: 300,
    publishTimeoutMs: 3000,
    ...opts,
  });
  relays.push(r);
  return r;
}

const row = (id: string) => db.prisma.outboxMessage.findUnique({ where: { id } });

/** A state change and its message, committed together. */
async function placeThing(n: number, target: FixtureDb = db) {
  return target.prisma.$transaction(async (tx) => {
    const envelope = await enqueue(tx, ThingHappened, { n }, { producer: 'dbtest' });
    await tx.effect.create({ data: { id: randomUUID(), messageId: envelope.id, note: `thing ${n}` } });
    return envelope;
  });
}

describe('enqueue', () => {
  it('stores the validated envelope with its route and correlation headers', async () => {
    const envelope = await runWithContext({ correlationId: 'corr-1', causationId: randomUUID() }, () =>
      db.prisma.$transaction((tx) => enqueue(tx, ThingHappened, { n: 1 }, { producer: 'dbtest' })),
    );
    const stored = await row(envelope.id);
    expect(stored).toMatchObject({
      type: 'dbtest.thing-happened.v1',
      exchange: 'ttelgo.events.dbtest',
      routingKey: 'dbtest.thing-happened.v1',
      attempts: 0,
      sentAt: null,
    });
    expect(stored?.payload).toEqual(envelope);
    expect(envelope.correlationId).toBe('corr-1');
    expect(stored?.headers).toMatchObject({ 'x-correlation-id': 'corr-1' });
    await sql(`DELETE FROM "${db.schema}".outbox WHERE id = $1`, [envelope.id]);
  });

  it('rejects data that breaks the contract and writes nothing', async () => {
    const before = await db.prisma.outboxMessage.count();
    await expect(
      db.prisma.$transaction((tx) => enqueue(tx, ThingHappened, { n: 1, extra: true } as unknown as { n: number }, { producer: 'dbtest' })),
    ).rejects.toThrow(/dbtest.thing-happened.v1/);
    expect(await db.prisma.outboxMessage.count()).toBe(before);
  });
});

describe('OutboxRelay', () => {
  it('publishes a message committed while the broker was unreachable once the broker is back', async () => {
    world.proxy.cut();
    await waitFor(() => !world.publisher.connected, { message: 'publisher noticed the broker loss' });
    await relay().start();
    const envelope = await placeThing(7);

    const failed = await waitFor(async () => {
      const r = await row(envelope.id);
      return r && r.attempts >= 1 ? r : undefined;
    }, { message: 'a failed publish attempt was recorded' });
    expect(failed.sentAt).toBeNull();
    expect(failed.lastError).toEqual(expect.any(String));
    expect(world.idsSeen([envelope.id])).toBe(0);

    world.proxy.restore();
    await waitFor(() => world.idsSeen([envelope.id]) === 1, { timeoutMs: 15_000, message: 'message delivered after the broker came back' });
    await waitFor(async () => (await row(envelope.id))?.sentAt, { message: 'row marked sent' });
    const delivery = world.deliveries.find((d) => d.messageId === envelope.id)!;
    expect(delivery.type).toBe('dbtest.thing-happened.v1');
    expect(delivery.body).toEqual(envelope);
    expect(delivery.headers['x-correlation-id']).toBe(envelope.correlationId);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    let doomedId = '';
    await expect(
      db.prisma.$transaction(async (tx) => {
        doomedId = (await enqueue(tx, ThingHappened, { n: 666 }, { producer: 'dbtest' })).id;
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const marker = await placeThing(667);
    const r = relay();
    await r.drainOnce();
    await waitFor(() => world.idsSeen([marker.id]) === 1, { message: 'marker delivered' });
    expect(world.idsSeen([doomedId])).toBe(0);
    expect(await row(doomedId)).toBeNull();
  });

  it('treats an unroutable (returned) message as a failure and backs off', async () => {
    const envelope = await db.prisma.$transaction((tx) => enqueue(tx, NobodyListens, { n: 1 }, { producer: 'dbtest' }));
    const r = relay({ backoffBaseMs: 60_000, backoffMaxMs: 60_000 });
    expect(await r.drainOnce()).toBe(0);
    const failed = await row(envelope.id);
    expect(failed?.sentAt).toBeNull();
    expect(failed?.attempts).toBe(1);
    expect(failed?.lastError).toMatch(/unroutable|return/i);
    // Backoff of the first retry: between half and all of the 60 s base step.
    const delayMs = failed!.availableAt.getTime() - Date.now();
    expect(delayMs).toBeGreaterThan(25_000);
    expect(delayMs).toBeLessThanOrEqual(60_000);
    await sql(`DELETE FROM "${db.schema}".outbox WHERE id = $1`, [envelope.id]);
  });

  it('with two relays on one table publishes each of 500 rows exactly once', async () => {
    const pubA = countingPublisher(world.publisher, 2);
    const pubB = countingPublisher(world.publisher, 2);
    const a = relay({ publisher: pubA, batchSize: 25 });
    const b = relay({ publisher: pubB, batchSize: 25 });
    await Promise.all([a.start(), b.start()]);
    // enqueue() into a collecting tx, then one multi-row INSERT: fast even on a loaded machine.
    const data: Record<string, unknown>[] = [];
    const collector = { outboxMessage: { create: async (args: { data: Record<string, unknown> }) => data.push(args.data) } };
    const ids: string[] = [];
    for (let n = 0; n < 500; n++) ids.push((await enqueue(collector, ThingHappened, { n }, { producer: 'dbtest' })).id);
    await db.prisma.outboxMessage.createMany({ data: data as never });
    const idSet = new Set(ids);
    await waitFor(() => new Set(world.deliveries.map((d) => d.messageId).filter((id) => idSet.has(id))).size === 500, {
      timeoutMs: 30_000,
      message: 'all 500 messages delivered',
    });
    await waitFor(async () => (await db.prisma.outboxMessage.count({ where: { id: { in: ids }, sentAt: null } })) === 0, {
      message: 'all rows marked sent',
    });
    // Every row is marked sent, so no relay publishes again: once each publish has been delivered, a duplicate
    // publish would show as a second delivery of its id.
    await waitFor(() => world.deliveries.filter((d) => idSet.has(d.messageId)).length >= pubA.count + pubB.count, {
      message: 'every publish delivered',
    });
    const perId = new Map<string, number>();
    for (const d of world.deliveries) if (idSet.has(d.messageId)) perId.set(d.messageId, (perId.get(d.messageId) ?? 0) + 1);
    expect(perId.size).toBe(500);
    expect([...perId.values()].filter((n) => n > 1)).toEqual([]);
    expect(pubA.count + pubB.count).toBe(500);
    // Both relays really took part (otherwise this would not test concurrency).
    expect(pubA.count).toBeGreaterThan(0);
    expect(pubB.count).toBeGreaterThan(0);
  });

  it('wakes on NOTIFY long before the poll interval, also after its listener connection was killed', async () => {
    const r = relay({ pollIntervalMs: 10_000 });
    await r.start();
    await sleep(300); // the start-up drain has finished; from now on only NOTIFY (or 10 s) wakes it

    let started = Date.now();
    const first = await placeThing(1);
    await waitFor(() => world.idsSeen([first.id]) === 1, { timeoutMs: 2000, message: 'delivered within 2 s of commit' });
    expect(Date.now() - started).toBeLessThan(2000);

    const killed = await sql<{ ok: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = left($1, 63)`,
      [`ttelgo:outbox-listen:${db.schema}`],
    );
    expect(killed).toEqual([{ ok: true }]);
    await waitFor(
      async () =>
        (await sql(`SELECT 1 FROM pg_stat_activity WHERE application_name = left($1, 63) AND query ILIKE 'LISTEN%'`, [`ttelgo:outbox-listen:${db.schema}`]))
          .length === 1,
      { timeoutMs: 5000, message: 'listener reconnected' },
    );
    started = Date.now();
    const second = await placeThing(2);
    await waitFor(() => world.idsSeen([second.id]) === 1, { timeoutMs: 2000, message: 'delivered within 2 s after the listener reconnected' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stop() waits for the batch in flight, which is marked sent', async () => {
    const slow = countingPublisher(world.publisher, 400);
    const r = relay({ publisher: slow });
    await r.start();
    const envelope = await placeThing(3);
    await waitFor(() => slow.started >= 1, { message: 'publish started' });
    await r.stop();
    expect(slow.count).toBe(1);
    expect((await row(envelope.id))?.sentAt).toBeInstanceOf(Date);
  });

  it('reports backlog and the age of the oldest unsent row', async () => {
    const own = await createFixtureDb({ prefix: 'dbrelaym' });
    try {
      const metrics = createMetrics('db-relay-test');
      world.proxy.cut();
      await waitFor(() => !world.publisher.connected);
      await placeThing(1, own);
      await placeThing(2, own);
      await sql(`UPDATE "${own.schema}".outbox SET created_at = now() - interval '90 seconds'`);
      const r = relay({ metrics, metricsIntervalMs: 100 }, own);
      await r.start();
      const backlog = async () => (await metrics.outboxBacklog.get()).values[0]?.value;
      const oldest = async () => (await metrics.outboxOldestAgeSeconds.get()).values[0]?.value;
      await waitFor(async () => (await backlog()) === 2, { message: 'backlog gauge = 2' });
      expect(await oldest()).toBeGreaterThanOrEqual(90);
      world.proxy.restore();
      await waitFor(async () => (await backlog()) === 0, { timeoutMs: 15_000, message: 'backlog drained' });
      expect(await oldest()).toBe(0);
      await r.stop();
    } finally {
      await own.dispose();
    }
  });
});

describe('startOutboxRuntime (what every service runs)', () => {
  it('publishes committed messages and cleans up old sent outbox rows and old inbox rows on demand', async () => {
    const old = randomUUID();
    const oldInbox = randomUUID();
    await sql(`INSERT INTO "${db.schema}".outbox (id, type, exchange, routing_key, payload, created_at, sent_at) VALUES ($1, 'x.y.v1', 'e', 'r', '{}', now() - interval '30 days', now() - interval '30 days')`, [old]);
    await sql(`INSERT INTO "${db.schema}".inbox (message_id, handler, received_at) VALUES ($1, 'h', now() - interval '40 days')`, [oldInbox]);
    const runtime = await startOutboxRuntime({
      databaseUrl: db.databaseUrl,
      schema: db.schema,
      publisher: world.publisher,
      logger,
      pollIntervalMs: 200,
      retention: { intervalMs: 3_600_000, outboxDays: 7, inboxDays: 14 },
    });
    try {
      const envelope = await db.prisma.$transaction((tx) => enqueue(tx, ThingHappened, { n: 4242 }, { producer: 'dbtest' }));
      await waitFor(() => world.idsSeen([envelope.id]) === 1, { timeoutMs: 10_000, message: 'published by the runtime relay' });
      await runtime.runRetentionNow();
      expect(await sql(`SELECT id FROM "${db.schema}".outbox WHERE id = $1`, [old])).toEqual([]);
      expect(await sql(`SELECT message_id FROM "${db.schema}".inbox WHERE message_id = $1`, [oldInbox])).toEqual([]);
      // The fresh row stays (sent moments ago, kept for diagnosis).
      await waitFor(async () => (await row(envelope.id))?.sentAt, { message: 'row marked sent' });
      expect(await row(envelope.id)).not.toBeNull();
    } finally {
      await runtime.stop();
    }
  });
});
