import { z } from 'zod';
import { defineRpc, rpcQueue } from '@ttelgo/contracts';
import { createMetrics, runWithContext } from '@ttelgo/observability';
import { TcpProxy, createTestVhost, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import {
  AmqpConnection,
  BrokerUnavailableError,
  DIRECT_REPLY_TO,
  RpcClient,
  RpcRemoteError,
  RpcServer,
  RpcTimeoutError,
  declareRpcQueue,
} from '../src';
import { brokerAddress, openAdmin, sleep, viaProxy } from './helpers';

const GetThing = defineRpc(
  'rpctest.get-thing.v1',
  z.object({ id: z.string() }),
  z.object({ id: z.string(), name: z.string(), correlationId: z.string() }),
);
const Slow = defineRpc('rpctest.slow-thing.v1', z.object({ delayMs: z.number().int() }), z.object({ done: z.boolean() }));
const Silent = defineRpc('rpcsilent.never-answers.v1', z.object({}), z.object({}));
const Unserved = defineRpc('rpcnobody.no-queue.v1', z.object({}), z.object({}));

/** What an AppError of @ttelgo/http looks like to the RPC server: an Error with a code and a status. */
class NotFoundError extends Error {
  readonly code = 'THING_NOT_FOUND';
  readonly status = 404;
}

describe('RpcServer and RpcClient against the real broker', () => {
  const logger = testLogger();
  const metrics = createMetrics('rpc-test');
  let vhost: TestVhost;
  let serverConn: AmqpConnection;
  let clientConn: AmqpConnection;
  let proxy: TcpProxy;
  let server: RpcServer;
  let client: RpcClient;
  const slowTimers = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    vhost = await createTestVhost('msgrpc');
    proxy = new TcpProxy(brokerAddress());
    const port = await proxy.start();
    serverConn = new AmqpConnection({ url: vhost.url, name: 'rpc-server', logger });
    clientConn = new AmqpConnection({ url: viaProxy(vhost.url, port), name: 'rpc-client', logger, reconnect: { initialMs: 50, maxMs: 300 } });
    await Promise.all([serverConn.start(), clientConn.start()]);
    server = new RpcServer(serverConn, { owner: 'rpctest', logger, metrics });
    server.handle(GetThing, async (req, envelope) => {
      if (req.id === 'missing') throw new NotFoundError(`thing ${req.id} does not exist`);
      if (req.id === 'crash') throw new Error('database exploded with secrets');
      if (req.id === 'bad-response') return { id: req.id } as never;
      return { id: req.id, name: `thing ${req.id}`, correlationId: envelope.correlationId };
    });
    server.handle(Slow, (req) => new Promise((resolve) => {
      const timer = setTimeout(() => {
        slowTimers.delete(timer);
        resolve({ done: true });
      }, req.delayMs);
      slowTimers.add(timer);
    }));
    await server.start();
    client = new RpcClient(clientConn, { logger, metrics, producer: 'gateway' });
    await client.start();
  });

  afterAll(async () => {
    await client?.stop();
    await server?.stop();
    await Promise.all([clientConn?.close(), serverConn?.close()]);
    await proxy?.stop();
    await vhost?.dispose();
  });

  it('answers a call, carrying the caller correlation id', async () => {
    const result = await runWithContext({ correlationId: 'corr-rpc-1' }, () => client.call(GetThing, { id: 'a1' }));
    expect(result).toEqual({ id: 'a1', name: 'thing a1', correlationId: 'corr-rpc-1' });
    // Many calls in parallel are matched to their own replies.
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const results = await Promise.all(ids.map((id) => client.call(GetThing, { id })));
    expect(results.map((r) => r.id)).toEqual(ids);
  });

  it('returns a remote coded error with its code, status and message', async () => {
    const call = client.call(GetThing, { id: 'missing' });
    await expect(call).rejects.toBeInstanceOf(RpcRemoteError);
    await expect(call).rejects.toMatchObject({ code: 'THING_NOT_FOUND', status: 404, message: 'thing missing does not exist' });
  });

  it('hides an unexpected server error behind INTERNAL_ERROR 500', async () => {
    await expect(client.call(GetThing, { id: 'crash' })).rejects.toMatchObject({ code: 'INTERNAL_ERROR', status: 500, message: 'internal error' });
    // A handler whose response breaks the contract is a server bug too.
    await expect(client.call(GetThing, { id: 'bad-response' })).rejects.toMatchObject({ code: 'INTERNAL_ERROR', status: 500 });
  });

  it('answers INVALID_REQUEST 400 to a request that does not match the contract', async () => {
    const admin = await openAdmin(vhost.url);
    try {
      const reply = new Promise<unknown>((resolve) => {
        void admin.ch.consume(DIRECT_REPLY_TO, (msg) => msg && resolve(JSON.parse(msg.content.toString())), { noAck: true });
      });
      await sleep(50);
      const bad = { id: globalThis.crypto.randomUUID(), type: GetThing.name, occurredAt: new Date().toISOString(), producer: 'x', correlationId: 'c', data: { id: 42 } };
      admin.ch.sendToQueue(rpcQueue('rpctest'), Buffer.from(JSON.stringify(bad)), { type: GetThing.name, replyTo: DIRECT_REPLY_TO, correlationId: 'bad-1', messageId: bad.id });
      await expect(reply).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', status: 400 } });
    } finally {
      await admin.close();
    }
  });

  it('times out with RpcTimeoutError when nobody answers, and the request expires in the queue', async () => {
    const admin = await openAdmin(vhost.url);
    try {
      await declareRpcQueue(admin.ch, 'rpcsilent'); // a queue without a consumer: the owner is "hung"
      const started = Date.now();
      const call = client.call(Silent, {}, { timeoutMs: 300 });
      await expect(call).rejects.toBeInstanceOf(RpcTimeoutError);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(800);
      await waitFor(async () => (await admin.ch.checkQueue(rpcQueue('rpcsilent'))).messageCount === 0, { message: 'request expired in the queue' });
    } finally {
      await admin.close();
    }
  });

  it('times out when the server is slower than the caller', async () => {
    const started = Date.now();
    await expect(client.call(Slow, { delayMs: 1500 }, { timeoutMs: 300 })).rejects.toBeInstanceOf(RpcTimeoutError);
    expect(Date.now() - started).toBeLessThan(800);
    // The late reply is dropped quietly and the client keeps working.
    await sleep(1400);
    await expect(client.call(Slow, { delayMs: 1 }, { timeoutMs: 2000 })).resolves.toEqual({ done: true });
  });

  it('fails fast with BrokerUnavailableError when the RPC queue does not exist', async () => {
    const started = Date.now();
    await expect(client.call(Unserved, {}, { timeoutMs: 5000 })).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('fails fast with BrokerUnavailableError while the broker is unreachable, and works again after it returns', async () => {
    proxy.cut();
    await waitFor(() => !clientConn.isConnected(), { message: 'client noticed' });
    const started = Date.now();
    await expect(client.call(GetThing, { id: 'x' }, { timeoutMs: 5000 })).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(Date.now() - started).toBeLessThan(200);
    proxy.restore();
    await waitFor(() => clientConn.isConnected(), { message: 'client reconnected' });
    await expect(client.call(GetThing, { id: 'back' })).resolves.toMatchObject({ id: 'back' });
  });

  it('records rpc durations by outcome', async () => {
    const { values } = await metrics.rpcDuration.get();
    const count = (outcome: string) =>
      values.filter((v) => v.metricName?.endsWith('_count') && v.labels.outcome === outcome).reduce((s, v) => s + v.value, 0);
    expect(count('ok')).toBeGreaterThan(0);
    expect(count('timeout')).toBeGreaterThan(0);
    expect(count('remote-error')).toBeGreaterThan(0);
  });
});
