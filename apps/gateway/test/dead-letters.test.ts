/**
 * Dead letters end to end: a consumer queue declared with declareConsumerQueue dead-letters an invalid message
 * (the consumer runner's way: a copy to ttelgo.dlx with `<queue>.dlq`), the archive queue gets a copy, the gateway
 * stores it once, lists it, replays it to the original queue exactly once; non-admins are refused.
 */
import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { DEAD_LETTER_EXCHANGE, ProblemSchema, TokenResponseSchema } from '@ttelgo/contracts';
import { DEAD_LETTER_ARCHIVE_QUEUE, declareConsumerQueue, dlqName } from '@ttelgo/messaging';
import { createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { TEST_ADMIN, api, bearer, json, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

interface DeadLetterItem {
  id: string;
  messageId: string;
  type: string | null;
  originalQueue: string;
  reason: string;
  receivedAt: string;
  replayedAt: string | null;
  replayedBy: string | null;
  body: unknown;
  bodyTruncated: boolean;
}

let vhost: TestVhost;
let gateway: TestGateway;
let http: ReturnType<typeof api>;
let adminToken: string;
let adminId: string;
let customerToken: string;
let model: amqp.ChannelModel;
let ch: amqp.ConfirmChannel;

const QUEUE = 'dltest.things';

beforeAll(async () => {
  vhost = await createTestVhost('gateway_dlq');
  gateway = await startTestGateway({ AMQP_URL: vhost.url }, 'gateway_dlq');
  http = api(gateway.handle.port);
  const admin = TokenResponseSchema.parse(json(await http.post('/api/v1/auth/login', TEST_ADMIN)));
  adminToken = admin.accessToken;
  adminId = admin.user.id;
  const customer = await http.post('/api/v1/auth/register', { email: `c.${randomUUID().slice(0, 8)}@example.com`, password: 'a long enough password' });
  customerToken = TokenResponseSchema.parse(json(customer)).accessToken;
  model = await amqp.connect(vhost.url);
  model.on('error', () => undefined);
  ch = await model.createConfirmChannel();
  ch.on('error', () => undefined);
  await declareConsumerQueue(ch, { queue: QUEUE, bindings: [], retryDelaysMs: [] });
});

afterAll(async () => {
  await model?.close().catch(() => undefined);
  await gateway?.close();
  await vhost?.dispose();
});

const admin = () => bearer(adminToken);

function expectProblem(res: RawResponse, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(ProblemSchema.parse(json(res))).toMatchObject({ status, code });
}

/** What the consumer runner does with an invalid message: a confirmed copy to ttelgo.dlx with `<queue>.dlq`. */
async function deadLetter(queue: string, body: string, messageId: string, headers: Record<string, unknown> = {}): Promise<void> {
  ch.publish(DEAD_LETTER_EXCHANGE, dlqName(queue), Buffer.from(body), {
    messageId,
    type: 'dltest.thing-happened.v1',
    contentType: 'application/json',
    persistent: true,
    headers: { 'x-dead-letter-reason': 'invalid JSON: Unexpected token', 'x-original-queue': queue, 'x-correlation-id': 'corr-1', ...headers },
  });
  await ch.waitForConfirms();
}

async function listed(messageId: string): Promise<DeadLetterItem> {
  return waitFor(
    async () => {
      const res = await http.get('/api/v1/admin/dead-letters?limit=100', admin());
      expect(res.status).toBe(200);
      return json<{ data: DeadLetterItem[] }>(res).data.find((d) => d.messageId === messageId);
    },
    { timeoutMs: 10_000, message: `dead letter ${messageId} listed` },
  );
}

it('archives a dead letter once, lists it, replays it to its queue exactly once', async () => {
  const messageId = randomUUID();
  await deadLetter(QUEUE, '{"not": "valid for the contract"}', messageId);
  // The <queue>.dlq copy is still there: the archive is an additional binding.
  const inDlq = await waitFor(async () => (await ch.get(dlqName(QUEUE), { noAck: true })) || undefined, { message: 'copy in the dlq' });
  expect(inDlq.properties.messageId).toBe(messageId);

  const item = await listed(messageId);
  expect(item).toMatchObject({
    messageId,
    type: 'dltest.thing-happened.v1',
    originalQueue: QUEUE,
    reason: 'invalid JSON: Unexpected token',
    replayedAt: null,
    body: { not: 'valid for the contract' },
    bodyTruncated: false,
  });

  // A redelivered archive message (same messageId, queue and reason) is stored once.
  await deadLetter(QUEUE, '{"not": "valid for the contract"}', messageId);
  await waitFor(async () => (await vhost.queueDepth(DEAD_LETTER_ARCHIVE_QUEUE)) === 0, { message: 'archive drained' });
  expect(await gateway.query('SELECT id FROM dead_letters WHERE message_id = $1', [messageId])).toHaveLength(1);

  const replay = await http.post(`/api/v1/admin/dead-letters/${item.id}/replay`, undefined, admin());
  expect(replay.status).toBe(200);
  expect(json(replay)).toMatchObject({ id: item.id, messageId, originalQueue: QUEUE, replayedBy: adminId });

  const back = await waitFor(async () => (await ch.get(QUEUE, { noAck: true })) || undefined, { message: 'replayed message in the queue' });
  expect(back.content.toString()).toBe('{"not": "valid for the contract"}');
  expect(back.properties.messageId).toBe(messageId);
  expect(back.properties.type).toBe('dltest.thing-happened.v1');
  const headers = back.properties.headers ?? {};
  expect(headers['x-correlation-id']).toBe('corr-1');
  for (const dropped of ['x-dead-letter-reason', 'x-original-queue', 'x-death']) expect(headers[dropped]).toBeUndefined();

  expectProblem(await http.post(`/api/v1/admin/dead-letters/${item.id}/replay`, undefined, admin()), 409, 'ALREADY_REPLAYED');
  expect((await listed(messageId)).replayedAt).not.toBeNull();
  expect(await ch.get(QUEUE, { noAck: true })).toBe(false);

  const audit = await gateway.query<{ outcome: string; resource_id: string }>(
    "SELECT outcome, resource_id FROM audit_log WHERE action = 'admin.dead-letter.replay' ORDER BY at",
  );
  expect(audit).toEqual([
    { outcome: 'success', resource_id: item.id },
    { outcome: 'failure', resource_id: item.id },
  ]);
});

it('answers 409 DEAD_LETTER_QUEUE_GONE when the original queue no longer exists, and keeps it replayable', async () => {
  const messageId = randomUUID();
  // Declared (so ttelgo.dlx routes its dead letters to the archive), then deleted before the replay.
  await declareConsumerQueue(ch, { queue: 'dltest.gone', bindings: [], retryDelaysMs: [] });
  await ch.deleteQueue('dltest.gone');
  await deadLetter('dltest.gone', 'not json at all', messageId);
  const item = await listed(messageId);
  expect(item).toMatchObject({ originalQueue: 'dltest.gone', body: 'not json at all' });
  expectProblem(await http.post(`/api/v1/admin/dead-letters/${item.id}/replay`, undefined, admin()), 409, 'DEAD_LETTER_QUEUE_GONE');
  expect((await listed(messageId)).replayedAt).toBeNull();
});

it('pages newest first and truncates large bodies to 10 KB', async () => {
  const messageId = randomUUID();
  await deadLetter(QUEUE, JSON.stringify({ big: 'x'.repeat(20_000) }), messageId);
  const item = await listed(messageId);
  expect(item.bodyTruncated).toBe(true);
  expect(typeof item.body).toBe('string');
  expect(Buffer.byteLength(item.body as string)).toBeLessThanOrEqual(10 * 1024);

  const first = json<{ data: DeadLetterItem[]; nextCursor: string | null }>(await http.get('/api/v1/admin/dead-letters?limit=1', admin()));
  expect(first.data[0]?.messageId).toBe(messageId);
  expect(first.nextCursor).not.toBeNull();
  const second = json<{ data: DeadLetterItem[] }>(await http.get(`/api/v1/admin/dead-letters?limit=1&cursor=${first.nextCursor}`, admin()));
  expect(second.data[0]?.messageId).not.toBe(messageId);
  expectProblem(await http.get('/api/v1/admin/dead-letters?cursor=bm9wZQ', admin()), 400, 'INVALID_CURSOR');
});

it('refuses non-admins', async () => {
  for (const [method, path] of [['GET', '/api/v1/admin/dead-letters'], ['POST', `/api/v1/admin/dead-letters/${randomUUID()}/replay`]] as const) {
    expectProblem(await http.send(method, path), 401, 'AUTHENTICATION_REQUIRED');
    expectProblem(await http.send(method, path, undefined, bearer(customerToken)), 403, 'FORBIDDEN');
  }
});
