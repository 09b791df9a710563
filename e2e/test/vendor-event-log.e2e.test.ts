/**
 * The reseller's own event log, through the public API: every webhook sent or due to a reseller with each attempt
 * and what its endpoint answered; a redelivery on request (Idempotency-Key: a retried request sends nothing more);
 * signed sample events of any type; and nothing of another reseller's.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let adminToken: string;
let bundleName: string;

interface Received {
  body: string;
  signature: string;
  eventId: string;
}
interface Attempt {
  attemptNo: number;
  outcome: string;
  url: string | null;
  httpStatus: number | null;
  responseBody: string | null;
  error: string | null;
}
interface VendorEvent {
  id: string;
  type: string;
  status: string;
  test: boolean;
  payload: { id: string; type: string; data: Record<string, unknown> };
  attempts: Attempt[];
}

/** A reseller's webhook receiver: answers each POST with the next of `answers` (the last one repeats). */
async function receiver(answers: Array<{ status: number; body: string }>) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers['ttelgo-signature'] ?? ''), eventId: String(req.headers['ttelgo-event-id'] ?? '') });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
      res.statusCode = answer.status;
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function onboard() {
  const created = await api.post<{ id: string }>(
    '/api/v1/admin/vendors',
    { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', billingMode: 'POSTPAID', creditLimit: 100_000, rateLimitPerMinute: 600 },
    adminToken,
    { 'Idempotency-Key': randomUUID() },
  );
  expect(created.status).toBe(201);
  const { key } = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken)).body;
  const headers = (extra: Record<string, string> = {}) => ({ 'X-API-Key': key, ...extra });
  return {
    get: <T = any>(path: string) => api.call<T>('GET', path, { headers: headers() }), // eslint-disable-line @typescript-eslint/no-explicit-any
    post: <T = any>(path: string, body?: unknown, extra: Record<string, string> = {}) => api.call<T>('POST', path, { ...(body !== undefined ? { body } : {}), headers: headers(extra) }), // eslint-disable-line @typescript-eslint/no-explicit-any
    put: <T = any>(path: string, body: unknown) => api.call<T>('PUT', path, { body, headers: headers() }), // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

function verify(hook: Received, secret: string): boolean {
  const [t, v1] = hook.signature.split(',').map((p) => p.split('=')[1]);
  return createHmac('sha256', secret).update(`${t}.${hook.body}`).digest('hex') === v1;
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_DELAYS_MS: '300,300' } });
  api = apiClient(platform.api);
  adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
  bundleName = (await api.get<{ data: Array<{ name: string }> }>('/api/v1/bundles?country=FR&limit=1')).body.data[0]!.name;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

it('lists every webhook with each attempt and the answer, redelivers one once per Idempotency-Key, and shows nothing to another reseller', async () => {
  const hooks = await receiver([
    { status: 500, body: 'database down' },
    { status: 200, body: 'ok, thanks' },
  ]);
  try {
    const vendor = await onboard();
    const { secret } = (await vendor.put<{ secret: string }>('/api/v1/vendor/webhook-endpoint', { url: hooks.url })).body;
    const bought = await vendor.post<{ id: string; status: string }>('/api/v1/vendor/orders', { bundleName, quantity: 1 }, { 'Idempotency-Key': randomUUID(), Prefer: 'wait=20' });
    expect(bought.body.status).toBe('COMPLETED');

    const event = await waitFor(
      async () => {
        const page = (await vendor.get<{ data: VendorEvent[] }>('/api/v1/vendor/events')).body.data;
        const e = page.find((x) => x.type === 'order.completed');
        return e?.status === 'SENT' ? e : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'order.completed SENT in the event log' },
    );
    expect(event.payload).toMatchObject({ id: event.id, type: 'order.completed', data: { id: bought.body.id, status: 'COMPLETED', bundleName } });
    expect(event.test).toBe(false);
    expect(event.attempts).toEqual([
      expect.objectContaining({ attemptNo: 1, outcome: 'RETRY', url: hooks.url, httpStatus: 500, responseBody: 'database down', error: 'HTTP 500: database down' }),
      expect.objectContaining({ attemptNo: 2, outcome: 'SENT', url: hooks.url, httpStatus: 200, responseBody: 'ok, thanks', error: null }),
    ]);
    expect(hooks.received.map((h) => h.eventId)).toEqual([event.id, event.id]);

    // Redeliver: one more signed POST of the same body; the same key again sends nothing more.
    const key = randomUUID();
    const redelivered = await vendor.post<VendorEvent>(`/api/v1/vendor/events/${event.id}/redeliver`, undefined, { 'Idempotency-Key': key });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.id).toBe(event.id);
    const after = await waitFor(
      async () => {
        const e = (await vendor.get<VendorEvent>(`/api/v1/vendor/events/${event.id}`)).body;
        return e.attempts.length === 3 && e.status === 'SENT' ? e : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, message: 'the redelivery attempt' },
    );
    expect(after.attempts[2]).toMatchObject({ attemptNo: 3, outcome: 'SENT', httpStatus: 200 });
    expect(hooks.received).toHaveLength(3);
    expect(hooks.received[2]!.body).toBe(hooks.received[1]!.body);
    expect(verify(hooks.received[2]!, secret)).toBe(true);

    const replay = await vendor.post<VendorEvent>(`/api/v1/vendor/events/${event.id}/redeliver`, undefined, { 'Idempotency-Key': key });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const noKey = await vendor.post<{ code: string }>(`/api/v1/vendor/events/${event.id}/redeliver`);
    expect(noKey.status).toBe(400);
    await new Promise((r) => setTimeout(r, 1000)); // a second POST would have gone out by now (workers wake on NOTIFY)
    expect(hooks.received).toHaveLength(3);

    // Another reseller sees none of it.
    const other = await onboard();
    expect((await other.get<{ data: VendorEvent[] }>('/api/v1/vendor/events')).body.data).toEqual([]);
    const foreign = await other.get<{ code: string }>(`/api/v1/vendor/events/${event.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('EVENT_NOT_FOUND');
    const foreignRedeliver = await other.post<{ code: string }>(`/api/v1/vendor/events/${event.id}/redeliver`, undefined, { 'Idempotency-Key': randomUUID() });
    expect(foreignRedeliver.status).toBe(404);
    expect(hooks.received).toHaveLength(3);
  } finally {
    await hooks.close();
  }
}, 120_000);

it('sends a signed sample of any event type, logged as a test, and pages the log newest first', async () => {
  const hooks = await receiver([{ status: 204, body: '' }]);
  try {
    const vendor = await onboard();
    const none = await vendor.post<{ code: string }>('/api/v1/vendor/webhook-endpoint/test', { type: 'order.completed' });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('NO_WEBHOOK_ENDPOINT');

    const { secret } = (await vendor.put<{ secret: string }>('/api/v1/vendor/webhook-endpoint', { url: hooks.url })).body;
    const types = ['order.completed', 'order.failed', 'order.refunded', 'balance.low', 'esim.usage_threshold', 'esim.expiring', 'esim.expired'];
    const sent: VendorEvent[] = [];
    for (const type of types) {
      const res = await vendor.post<VendorEvent>('/api/v1/vendor/webhook-endpoint/test', { type });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`/api/v1/vendor/events/${res.body.id}`);
      expect(res.body).toMatchObject({ type, test: true, payload: { id: res.body.id, type } });
      sent.push(res.body);
    }
    await waitFor(() => hooks.received.length === types.length || undefined, { timeoutMs: 20_000, intervalMs: 100, message: 'seven sample webhooks' });
    for (const hook of hooks.received) expect(verify(hook, secret)).toBe(true);
    const bodies = hooks.received.map((h) => JSON.parse(h.body) as { type: string; data: Record<string, unknown> });
    expect(bodies.map((b) => b.type).sort()).toEqual([...types].sort());
    expect(bodies.find((b) => b.type === 'esim.usage_threshold')!.data).toMatchObject({ threshold: 80, bundleName: 'sample_bundle' });

    const bad = await vendor.post<{ code: string }>('/api/v1/vendor/webhook-endpoint/test', { type: 'order.exploded' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');

    // Pages of 3, newest first, every event once.
    const seen: VendorEvent[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: VendorEvent[]; nextCursor: string | null } = (await vendor.get(`/api/v1/vendor/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((e) => e.id)).toEqual(sent.map((e) => e.id).reverse());
    expect(seen.every((e) => e.test)).toBe(true);
    const onlyExpired = (await vendor.get<{ data: VendorEvent[] }>('/api/v1/vendor/events?type=esim.expired')).body.data;
    expect(onlyExpired.map((e) => e.type)).toEqual(['esim.expired']);
    expect((await vendor.get<{ code: string }>('/api/v1/vendor/events?cursor=bm90LWEtY3Vyc29y')).body.code).toBe('INVALID_CURSOR');
  } finally {
    await hooks.close();
  }
}, 120_000);
