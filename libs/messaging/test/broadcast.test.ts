import { z } from 'zod';
import { defineEvent } from '@ttelgo/contracts';
import { createTestVhost, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import { AmqpConnection, ConfirmPublisher, dlqName, startConsumer, type Consumer } from '../src';
import { openAdmin, takeOne } from './helpers';

const Changed = defineEvent('bcast.something-changed.v1', z.object({ revision: z.string() }));

/** Broadcast consumers: every replica sees every event (cache invalidation), unlike competing consumers. */
describe('broadcast consumers', () => {
  let vhost: TestVhost;
  const connections: AmqpConnection[] = [];
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    vhost = await createTestVhost('msgbcast');
  });

  afterAll(async () => {
    for (const c of consumers) await c.stop();
    for (const c of connections) await c.close();
    await vhost?.dispose();
  });

  async function replica(name: string, seen: string[]): Promise<void> {
    const conn = new AmqpConnection({ url: vhost.url, name, logger: testLogger() });
    connections.push(conn);
    consumers.push(
      startConsumer(conn, {
        queue: 'bcast.cache',
        handlerName: 'invalidate',
        contracts: [Changed],
        broadcast: {},
        retryDelaysMs: [],
        handle: async (envelope) => {
          if (envelope.data.revision === 'boom') throw new Error('cannot handle');
          seen.push(envelope.data.revision);
        },
        logger: testLogger(),
      }),
    );
    await conn.start();
  }

  it('delivers each event to every replica, and dead-letters what a replica cannot handle', async () => {
    const a: string[] = [];
    const b: string[] = [];
    await replica('replica-a', a);
    await replica('replica-b', b);
    const pubConn = new AmqpConnection({ url: vhost.url, name: 'publisher', logger: testLogger() });
    connections.push(pubConn);
    await pubConn.start();
    const publisher = new ConfirmPublisher(pubConn, { logger: testLogger() });
    await waitFor(() => connections.every((c) => c.isConnected()), { message: 'all connected' });

    await publisher.publishMessage(Changed, { revision: 'r1' }, { producer: 'bcast', correlationId: 'c1' });
    await publisher.publishMessage(Changed, { revision: 'r2' }, { producer: 'bcast', correlationId: 'c2' });
    await waitFor(() => a.length === 2 && b.length === 2, { message: 'both replicas saw both events' });
    expect(a).toEqual(['r1', 'r2']);
    expect(b).toEqual(['r1', 'r2']);

    await publisher.publishMessage(Changed, { revision: 'boom' }, { producer: 'bcast', correlationId: 'c3' });
    const admin = await openAdmin(vhost.url);
    try {
      const first = await takeOne(admin, dlqName('bcast.cache'));
      const second = await takeOne(admin, dlqName('bcast.cache'));
      expect([first, second].map((m) => JSON.parse(m.content.toString()).data.revision)).toEqual(['boom', 'boom']);
    } finally {
      await admin.close();
    }
    await publisher.close();
  });
});
