/**
 * Component test of vendor webhooks: the service on its own Postgres schema and RabbitMQ vhost, events published
 * like order and vendor-billing publish them, the set-endpoint RPC called like the gateway calls it, and a real
 * local HTTP server as the vendors' endpoint. WEBHOOK_ALLOW_PRIVATE_URLS=true so 127.0.0.1 is reachable
 * (the SSRF rules themselves are in webhook-ssrf.test.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  LowBalanceV1,
  OrderCompletedV1,
  OrderFailedV1,
  OrderRefundedV1,
  SetWebhookEndpointV1,
  createEnvelope,
  routeFor,
  type EsimInstall,
  type MessageContract,
  type Owner,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcClient, UnroutableError } from '@ttelgo/messaging';
import { createLogger, createMetrics, type ServiceMetrics } from '@ttelgo/observability';
import {
  TEST_DATABASE_URL,
  consumedCount,
  createTestSchemaName,
  createTestVhost,
  dropSchema,
  sleep,
  testLogger,
  waitFor,
  type TestVhost,
} from '@ttelgo/testing';
import { createPrismaClient } from '@ttelgo/db';
import { loadNotificationConfig, type NotificationConfig } from '../src/config';
import { PrismaClient } from '../src/infrastructure/generated/prisma/client';
import { sealStoredWebhookSecrets } from '../src/infrastructure/seal-webhook-secrets.task';
import { SecretBox } from '../src/infrastructure/secret-box';
import { verifyWebhookSignature } from '../src/domain/webhook-signature';
import { startNotification, type NotificationHandle } from '../src/service';
import { mailsMentioning, startCatcher, type SmtpCatcher } from './support/smtp-catcher';
import { startVendorEndpoint, type VendorEndpoint } from './support/vendor-endpoint';

jest.setTimeout(90_000);

const logger = testLogger('notification-webhooks-test');
/** Every line the services under test log (debug and up), checked at the end for leaked secrets. */
const serviceLogLines: string[] = [];
const serviceLogger = createLogger({ service: 'notification', level: 'debug', destination: { write: (line: string) => void serviceLogLines.push(line) } });
/** Every secret this file handed out or planted, so the log check knows what must never appear. */
const knownSecrets = new Set<string>();
const RETRY_DELAYS_MS = [300, 300, 300, 300];

let schema: string;
let vhost: TestVhost;
let catcher: SmtpCatcher;
let endpoint: VendorEndpoint;
let service: NotificationHandle;
let metrics: ServiceMetrics;
let conn: AmqpConnection;
let publisher: ConfirmPublisher;
let rpc: RpcClient;
let db: pg.Client;
let config: NotificationConfig;

function esim(seed: number): EsimInstall {
  const smdpAddress = 'rsp.esimgo-sim.test';
  const matchingId = `MATCH-${seed}-${randomUUID().slice(0, 8).toUpperCase()}`;
  const lpa = `LPA:1$${smdpAddress}$${matchingId}`;
  return {
    iccid: `894000000000${String(seed).padStart(7, '0')}`,
    smdpAddress,
    matchingId,
    lpa,
    appleInstallUrl: `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${encodeURIComponent(lpa)}`,
    expiresAt: null,
  };
}

function vendorCompleted(vendorId: string, esims: EsimInstall[] = [esim(1)]) {
  return {
    orderId: randomUUID(),
    owner: { type: 'vendor' as const, id: vendorId },
    contactEmail: 'ops@reseller.example',
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: esims.length,
    total: { amount: 1100 * esims.length, currency: 'USD' },
    esims,
    completedAt: new Date().toISOString(),
  };
}

async function publish<T>(contract: MessageContract<T>, data: T, opts: { id?: string; producer?: string } = {}): Promise<string> {
  const envelope = createEnvelope(contract, data, { producer: opts.producer ?? contract.owner, correlationId: randomUUID(), ...(opts.id ? { id: opts.id } : {}) });
  await waitFor(
    async () => {
      try {
        await publisher.publish(routeFor(contract), envelope);
        return true;
      } catch (err) {
        if (err instanceof UnroutableError) return false;
        throw err;
      }
    },
    { timeoutMs: 15_000, message: `${contract.name} routable` },
  );
  return envelope.id;
}

async function setEndpoint(vendorId: string, url: string, rotateSecret?: boolean) {
  const res = await rpc.call(SetWebhookEndpointV1, { vendorId, url, ...(rotateSecret === undefined ? {} : { rotateSecret }) }, { timeoutMs: 10_000 });
  knownSecrets.add(res.secret);
  return res;
}

/** A vendor with an endpoint: its own path on the local server. */
async function vendorWithEndpoint(): Promise<{ vendorId: string; secret: string }> {
  const vendorId = randomUUID();
  const res = await setEndpoint(vendorId, endpoint.urlFor(vendorId));
  return { vendorId, secret: res.secret };
}

interface DeliveryRow {
  id: string;
  vendor_id: string;
  event_type: string;
  event_id: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  url: string;
}

async function deliveriesOf(vendorId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.query(`SELECT * FROM "${schema}".webhook_deliveries WHERE vendor_id = $1 ORDER BY created_at`, [vendorId]);
  return rows as DeliveryRow[];
}

async function attemptsOf(deliveryId: string) {
  const { rows } = await db.query(
    `SELECT attempt_no, outcome, http_status, error, duration_ms, at FROM "${schema}".webhook_attempts WHERE delivery_id = $1 ORDER BY attempt_no`,
    [deliveryId],
  );
  return rows as Array<{ attempt_no: number; outcome: string; http_status: number | null; error: string | null; duration_ms: number; at: Date }>;
}

async function sentDelivery(vendorId: string): Promise<DeliveryRow> {
  return waitFor(async () => {
    const [row] = await deliveriesOf(vendorId);
    return row?.status === 'SENT' && row;
  }, { timeoutMs: 20_000, message: `webhook for ${vendorId} SENT` });
}

async function sentDeliveryOf(vendorId: string, eventType: string): Promise<DeliveryRow> {
  return waitFor(async () => {
    const row = (await deliveriesOf(vendorId)).find((d) => d.event_type === eventType);
    return row?.status === 'SENT' && row;
  }, { timeoutMs: 20_000, message: `${eventType} webhook for ${vendorId} SENT` });
}

/** A refund of a completed order, as order publishes it (for a vendor order: an admin refund). */
function vendorRefunded(completed: Omit<ReturnType<typeof vendorCompleted>, 'owner'> & { owner: Owner }, customerReference: string | null = `PO-${randomUUID().slice(0, 8)}`) {
  return {
    orderId: completed.orderId,
    owner: completed.owner,
    contactEmail: completed.contactEmail,
    bundleName: completed.bundleName,
    quantity: completed.quantity,
    total: completed.total,
    reason: 'admin refund: customer never installed the eSIM',
    occurredAt: new Date().toISOString(),
    customerReference,
  };
}

beforeAll(async () => {
  schema = createTestSchemaName('notifications_wh');
  vhost = await createTestVhost('notifications-wh');
  catcher = await startCatcher(logger);
  endpoint = await startVendorEndpoint();
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  metrics = createMetrics('notification');
  config = loadNotificationConfig({ NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    SMTP_URL: `smtp://127.0.0.1:${catcher.smtpPort}`,
    SMTP_TIMEOUT_MS: '2000',
    DELIVERY_POLL_INTERVAL_MS: '100',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
    WEBHOOK_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
  });
  service = await startNotification(config, { logger: serviceLogger, metrics, consumerRetryDelaysMs: [200, 500] });
  conn = new AmqpConnection({ url: vhost.url, name: 'webhooks-test', logger });
  await conn.start();
  publisher = new ConfirmPublisher(conn, { logger });
  rpc = new RpcClient(conn, { logger, producer: 'gateway' });
  await rpc.start();
});

afterAll(async () => {
  await rpc?.stop().catch(() => undefined);
  await publisher?.close().catch(() => undefined);
  await conn?.close().catch(() => undefined);
  await service?.close();
  await endpoint?.close();
  await catcher?.close();
  await db?.end().catch(() => undefined);
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
});

test('set-webhook-endpoint returns a whsec_ secret, keeps it on a later set, and rotates it on request', async () => {
  const vendorId = randomUUID();
  const first = await setEndpoint(vendorId, endpoint.urlFor(vendorId));
  expect(first).toMatchObject({ vendorId, url: endpoint.urlFor(vendorId) });
  expect(first.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  expect(Date.parse(first.updatedAt)).not.toBeNaN();

  const moved = await setEndpoint(vendorId, `${endpoint.urlFor(vendorId)}/v2`);
  expect(moved.url).toBe(`${endpoint.urlFor(vendorId)}/v2`);
  expect(moved.secret).toBe(first.secret);

  const rotated = await setEndpoint(vendorId, endpoint.urlFor(vendorId), true);
  expect(rotated.secret).toMatch(/^whsec_/);
  expect(rotated.secret).not.toBe(first.secret);
  const { rows } = await db.query(`SELECT url, secret_ciphertext FROM "${schema}".webhook_endpoints WHERE vendor_id = $1`, [vendorId]);
  expect(rows).toEqual([{ url: endpoint.urlFor(vendorId), secret_ciphertext: expect.any(String) }]);
  // Stored encrypted (bound to this vendor), never as the secret itself.
  const stored = rows[0].secret_ciphertext as string;
  expect(stored).toMatch(/^v1\.[0-9a-f]{8}\./);
  expect(stored).not.toContain(rotated.secret);
  expect(stored).not.toContain(rotated.secret.slice('whsec_'.length));
  expect(new SecretBox(config.webhooks.secretsKey).open(stored, vendorId)).toBe(rotated.secret);
});

test('a completed vendor order -> one signed POST with the eSIMs, and no e-mail', async () => {
  const { vendorId, secret } = await vendorWithEndpoint();
  const data = vendorCompleted(vendorId, [esim(21), esim(22)]);
  const messageId = await publish(OrderCompletedV1, data);

  const delivery = await sentDelivery(vendorId);
  const hooks = endpoint.received(vendorId);
  expect(hooks).toHaveLength(1);
  const hook = hooks[0]!;
  expect(hook.headers['content-type']).toBe('application/json');
  expect(hook.headers['user-agent']).toBe('TtelGo-Webhooks/1');
  expect(hook.headers['ttelgo-event-id']).toBe(delivery.id);
  const signature = hook.headers['ttelgo-signature'] as string;
  expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(verifyWebhookSignature(hook.rawBody, signature, secret)).toBe(true);
  expect(verifyWebhookSignature(hook.rawBody, signature, 'whsec_wrong')).toBe(false);
  expect(verifyWebhookSignature(hook.rawBody.replace('COMPLETED', 'FAILED'), signature, secret)).toBe(false);

  const body = JSON.parse(hook.rawBody);
  expect(body).toEqual({
    id: delivery.id,
    type: 'order.completed',
    createdAt: expect.any(String),
    data: {
      id: data.orderId,
      status: 'COMPLETED',
      kind: 'NEW',
      iccid: null,
      bundleName: data.bundleName,
      quantity: 2,
      total: { amount: 2200, currency: 'USD' },
      completedAt: data.completedAt,
      esims: data.esims.map((e) => ({
        iccid: e.iccid,
        lpa: e.lpa,
        smdpAddress: e.smdpAddress,
        matchingId: e.matchingId,
        appleInstallUrl: e.appleInstallUrl,
        expiresAt: null,
      })),
    },
  });
  expect(delivery).toMatchObject({ event_type: 'order.completed', event_id: messageId, attempts: 1, last_status: 200, url: endpoint.urlFor(vendorId) });
  const attempts = await attemptsOf(delivery.id);
  expect(attempts).toEqual([expect.objectContaining({ attempt_no: 1, outcome: 'SENT', http_status: 200, error: null })]);
  const { rows } = await db.query(`SELECT status, channel, skip_reason FROM "${schema}".notification WHERE order_id = $1`, [data.orderId]);
  expect(rows).toEqual([{ status: 'QUEUED', channel: 'webhook', skip_reason: null }]);
  const { rows: mails } = await db.query(
    `SELECT count(*)::int AS n FROM "${schema}".email_delivery d JOIN "${schema}".notification n ON n.id = d.notification_id WHERE n.order_id = $1`,
    [data.orderId],
  );
  expect(mails[0].n).toBe(0);
  expect(await mailsMentioning(catcher, data.orderId)).toHaveLength(0);
});

test('a failed vendor order -> order.failed with the failure reason', async () => {
  const { vendorId, secret } = await vendorWithEndpoint();
  const data = {
    orderId: randomUUID(),
    owner: { type: 'vendor' as const, id: vendorId },
    contactEmail: null,
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: 1,
    total: { amount: 1100, currency: 'EUR' },
    reason: 'PROVIDER_REJECTED: out of stock',
    occurredAt: new Date().toISOString(),
  };
  await publish(OrderFailedV1, data);
  await sentDelivery(vendorId);
  const [hook] = endpoint.received(vendorId);
  expect(verifyWebhookSignature(hook!.rawBody, hook!.headers['ttelgo-signature'] as string, secret)).toBe(true);
  expect(JSON.parse(hook!.rawBody)).toMatchObject({
    type: 'order.failed',
    data: { id: data.orderId, status: 'FAILED', failureReason: data.reason, failedAt: data.occurredAt, total: { amount: 1100, currency: 'EUR' } },
  });
  expect(JSON.parse(hook!.rawBody).data.esims).toBeUndefined();
});

test('the same event delivered twice -> one delivery and one POST', async () => {
  const { vendorId } = await vendorWithEndpoint();
  const data = vendorCompleted(vendorId);
  const duplicatesBefore = await consumedCount(metrics, { outcome: 'duplicate' });
  const id = await publish(OrderCompletedV1, data);
  await publish(OrderCompletedV1, data, { id });
  await waitFor(async () => (await consumedCount(metrics, { outcome: 'duplicate' })) >= duplicatesBefore + 1, { message: 'the redelivery acked as a duplicate' });
  // The same fact re-published under a new message id is absorbed too (one notification per order and kind).
  await publish(OrderCompletedV1, { ...data, completedAt: new Date().toISOString() });
  await sentDelivery(vendorId);
  await sleep(1500);
  expect(await deliveriesOf(vendorId)).toHaveLength(1);
  expect(endpoint.received(vendorId)).toHaveLength(1);
});

test('a refunded vendor order -> one signed order.refunded webhook with the refund, and no e-mail', async () => {
  const { vendorId, secret } = await vendorWithEndpoint();
  const completed = vendorCompleted(vendorId, [esim(31)]);
  await publish(OrderCompletedV1, completed);
  await sentDeliveryOf(vendorId, 'order.completed');
  const data = vendorRefunded(completed);
  const messageId = await publish(OrderRefundedV1, data);

  const delivery = await sentDeliveryOf(vendorId, 'order.refunded');
  expect(delivery).toMatchObject({ event_id: messageId, attempts: 1, last_status: 200, url: endpoint.urlFor(vendorId) });
  const hooks = endpoint.received(vendorId).filter((h) => h.headers['ttelgo-event-id'] === delivery.id);
  expect(hooks).toHaveLength(1);
  const hook = hooks[0]!;
  expect(hook.headers['content-type']).toBe('application/json');
  expect(hook.headers['user-agent']).toBe('TtelGo-Webhooks/1');
  const signature = hook.headers['ttelgo-signature'] as string;
  expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(verifyWebhookSignature(hook.rawBody, signature, secret)).toBe(true);
  expect(verifyWebhookSignature(hook.rawBody, signature, 'whsec_wrong')).toBe(false);
  expect(verifyWebhookSignature(hook.rawBody.replace('REFUNDED', 'COMPLETED'), signature, secret)).toBe(false);
  expect(JSON.parse(hook.rawBody)).toEqual({
    id: delivery.id,
    type: 'order.refunded',
    createdAt: expect.any(String),
    data: {
      id: data.orderId,
      status: 'REFUNDED',
      kind: 'NEW',
      iccid: null,
      bundleName: data.bundleName,
      quantity: 1,
      total: { amount: 1100, currency: 'USD' },
      customerReference: data.customerReference,
      refundReason: data.reason,
      refundedAt: data.occurredAt,
    },
  });
  expect((await attemptsOf(delivery.id)).map((a) => [a.attempt_no, a.outcome, a.http_status])).toEqual([[1, 'SENT', 200]]);
  const { rows } = await db.query(`SELECT kind, status, channel, skip_reason FROM "${schema}".notification WHERE order_id = $1 ORDER BY kind`, [data.orderId]);
  expect(rows).toEqual([
    { kind: 'ORDER_COMPLETED', status: 'QUEUED', channel: 'webhook', skip_reason: null },
    { kind: 'ORDER_REFUNDED', status: 'QUEUED', channel: 'webhook', skip_reason: null },
  ]);
  expect(await mailsMentioning(catcher, data.orderId)).toHaveLength(0);
});

test('the same refund re-published under a new message id (and redelivered) -> one order.refunded delivery and one POST', async () => {
  const { vendorId } = await vendorWithEndpoint();
  const data = vendorRefunded(vendorCompleted(vendorId), null);
  const duplicatesBefore = await consumedCount(metrics, { outcome: 'duplicate' });
  const id = await publish(OrderRefundedV1, data);
  const first = await sentDeliveryOf(vendorId, 'order.refunded');
  await publish(OrderRefundedV1, data, { id });
  await waitFor(async () => (await consumedCount(metrics, { outcome: 'duplicate' })) >= duplicatesBefore + 1, { message: 'the redelivery acked as a duplicate' });
  const secondId = await publish(OrderRefundedV1, { ...data, occurredAt: new Date().toISOString() });
  expect(secondId).not.toBe(id);
  await waitFor(async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE message_id = $1`, [secondId]);
    return rows[0].n === 1;
  }, { message: 'the re-published refund consumed' });
  await sleep(1000);
  const deliveries = await deliveriesOf(vendorId);
  expect(deliveries.map((d) => [d.id, d.event_type, d.event_id])).toEqual([[first.id, 'order.refunded', id]]);
  const hooks = endpoint.received(vendorId);
  expect(hooks).toHaveLength(1);
  expect(JSON.parse(hooks[0]!.rawBody).data).not.toHaveProperty('customerReference');
});

test('a refunded vendor order whose vendor has no endpoint -> skipped NO_ENDPOINT, nothing sent', async () => {
  const vendorId = randomUUID();
  const data = vendorRefunded(vendorCompleted(vendorId));
  await publish(OrderRefundedV1, data);
  const row = await waitFor(async () => {
    const { rows } = await db.query(`SELECT kind, status, channel, skip_reason FROM "${schema}".notification WHERE order_id = $1`, [data.orderId]);
    return rows[0];
  });
  expect(row).toEqual({ kind: 'ORDER_REFUNDED', status: 'SKIPPED', channel: null, skip_reason: 'NO_ENDPOINT' });
  await sleep(800);
  expect(await deliveriesOf(vendorId)).toHaveLength(0);
  expect(endpoint.received(vendorId)).toHaveLength(0);
  expect(await mailsMentioning(catcher, data.orderId)).toHaveLength(0);
});

test('an endpoint failing twice (500) then answering 200 -> delivered on the third attempt, three attempts logged', async () => {
  const { vendorId, secret } = await vendorWithEndpoint();
  endpoint.script(vendorId, [500, 500, 200]);
  const data = vendorCompleted(vendorId);
  await publish(OrderCompletedV1, data);

  const delivery = await sentDelivery(vendorId);
  expect(delivery.attempts).toBe(3);
  expect(delivery.last_status).toBe(200);
  expect(delivery.last_error).toBeNull();
  const attempts = await attemptsOf(delivery.id);
  expect(attempts.map((a) => [a.attempt_no, a.outcome, a.http_status])).toEqual([
    [1, 'RETRY', 500],
    [2, 'RETRY', 500],
    [3, 'SENT', 200],
  ]);
  expect(attempts[0]!.error).toContain('HTTP 500');
  // Each retry waited its delay.
  expect(attempts[1]!.at.getTime() - attempts[0]!.at.getTime()).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]!);
  const hooks = endpoint.received(vendorId);
  expect(hooks).toHaveLength(3);
  // Every attempt is the same event (same id and body), freshly signed.
  expect(new Set(hooks.map((h) => h.headers['ttelgo-event-id']))).toEqual(new Set([delivery.id]));
  expect(new Set(hooks.map((h) => h.rawBody)).size).toBe(1);
  for (const h of hooks) expect(verifyWebhookSignature(h.rawBody, h.headers['ttelgo-signature'] as string, secret)).toBe(true);
});

test('a redirect is not followed: it counts as a failed attempt', async () => {
  const { vendorId } = await vendorWithEndpoint();
  const elsewhere = `${randomUUID()}`;
  endpoint.script(vendorId, [{ status: 302, location: endpoint.urlFor(elsewhere) }, 200]);
  await publish(OrderCompletedV1, vendorCompleted(vendorId));
  const delivery = await sentDelivery(vendorId);
  expect((await attemptsOf(delivery.id)).map((a) => [a.outcome, a.http_status])).toEqual([
    ['RETRY', 302],
    ['SENT', 200],
  ]);
  expect(endpoint.received(elsewhere)).toHaveLength(0);
});

test('an endpoint that keeps failing -> FAILED after the last delay, every attempt logged', async () => {
  const { vendorId } = await vendorWithEndpoint();
  endpoint.script(vendorId, [503]);
  await publish(OrderCompletedV1, vendorCompleted(vendorId));
  const failed = await waitFor(async () => {
    const [row] = await deliveriesOf(vendorId);
    return row?.status === 'FAILED' && row;
  }, { timeoutMs: 20_000, message: 'delivery FAILED' });
  expect(failed.attempts).toBe(RETRY_DELAYS_MS.length + 1);
  const attempts = await attemptsOf(failed.id);
  expect(attempts.map((a) => a.outcome)).toEqual([...RETRY_DELAYS_MS.map(() => 'RETRY'), 'FAILED']);
  await sleep(800);
  expect(endpoint.received(vendorId)).toHaveLength(RETRY_DELAYS_MS.length + 1);
});

test('billing.low-balance.v1 -> a signed balance.low webhook', async () => {
  const { vendorId, secret } = await vendorWithEndpoint();
  const occurredAt = new Date().toISOString();
  const messageId = await publish(LowBalanceV1, { vendorId, currency: 'USD', available: 450, threshold: 1000, occurredAt }, { producer: 'billing' });
  const delivery = await sentDelivery(vendorId);
  expect(delivery).toMatchObject({ event_type: 'balance.low', event_id: messageId });
  const [hook] = endpoint.received(vendorId);
  expect(verifyWebhookSignature(hook!.rawBody, hook!.headers['ttelgo-signature'] as string, secret)).toBe(true);
  expect(JSON.parse(hook!.rawBody)).toEqual({
    id: delivery.id,
    type: 'balance.low',
    createdAt: expect.any(String),
    data: { vendorId, available: { amount: 450, currency: 'USD' }, threshold: { amount: 1000, currency: 'USD' }, occurredAt },
  });
});

test('a vendor without an endpoint: order recorded as skipped NO_ENDPOINT, low balance dropped, nothing sent', async () => {
  const vendorId = randomUUID();
  const data = vendorCompleted(vendorId);
  await publish(OrderCompletedV1, data);
  await publish(LowBalanceV1, { vendorId, currency: 'USD', available: 1, threshold: 10, occurredAt: new Date().toISOString() }, { producer: 'billing' });
  const row = await waitFor(async () => {
    const { rows } = await db.query(`SELECT status, channel, skip_reason FROM "${schema}".notification WHERE order_id = $1`, [data.orderId]);
    return rows[0];
  });
  expect(row).toEqual({ status: 'SKIPPED', channel: null, skip_reason: 'NO_ENDPOINT' });
  await sleep(1000);
  expect(await deliveriesOf(vendorId)).toHaveLength(0);
  expect(endpoint.received(vendorId)).toHaveLength(0);
});

test('a customer-owned order still sends e-mail only', async () => {
  const hooksBefore = endpoint.received().length;
  const data = { ...vendorCompleted('unused'), owner: { type: 'customer' as const, id: randomUUID() }, contactEmail: `t-${randomUUID().slice(0, 8)}@example.com` };
  await publish(OrderCompletedV1, data);
  await waitFor(async () => (await mailsMentioning(catcher, data.orderId)).length === 1, { timeoutMs: 20_000, message: 'customer mail' });
  await sleep(800);
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM "${schema}".webhook_deliveries w JOIN "${schema}".notification n ON n.id = w.notification_id WHERE n.order_id = $1`,
    [data.orderId],
  );
  expect(rows[0].n).toBe(0);
  expect(endpoint.received().slice(hooksBefore).filter((h) => h.rawBody.includes(data.orderId))).toHaveLength(0);
});

test('a refunded customer-owned order still sends the refund e-mail, and no webhook', async () => {
  const hooksBefore = endpoint.received().length;
  const customer = { ...vendorCompleted('unused'), owner: { type: 'customer' as const, id: randomUUID() }, contactEmail: `t-${randomUUID().slice(0, 8)}@example.com` };
  const data = vendorRefunded(customer, null);
  await publish(OrderRefundedV1, data);
  const mails = await waitFor(async () => {
    const found = await mailsMentioning(catcher, data.orderId);
    return found.length === 1 && found;
  }, { timeoutMs: 20_000, message: 'customer refund mail' });
  expect(mails[0]!.subject).toContain('Your refund of $11.00 is on its way');
  const { rows } = await db.query(`SELECT status, channel FROM "${schema}".notification WHERE order_id = $1`, [data.orderId]);
  expect(rows).toEqual([{ status: 'QUEUED', channel: 'email' }]);
  await sleep(800);
  const { rows: hooks } = await db.query(
    `SELECT count(*)::int AS n FROM "${schema}".webhook_deliveries w JOIN "${schema}".notification n ON n.id = w.notification_id WHERE n.order_id = $1`,
    [data.orderId],
  );
  expect(hooks[0].n).toBe(0);
  expect(endpoint.received().slice(hooksBefore).filter((h) => h.rawBody.includes(data.orderId))).toHaveLength(0);
});

// ---- secrets at rest ---------------------------------------------------------------------------------------

async function storedSecret(vendorId: string): Promise<string> {
  const { rows } = await db.query(`SELECT secret_ciphertext FROM "${schema}".webhook_endpoints WHERE vendor_id = $1`, [vendorId]);
  return rows[0]?.secret_ciphertext as string;
}

/** A row as the service wrote it before secrets were encrypted: the plaintext whsec_ in the column. */
async function insertLegacyEndpoint(vendorId: string): Promise<string> {
  const secret = `whsec_${randomUUID().replace(/-/g, '')}legacy`;
  await db.query(`INSERT INTO "${schema}".webhook_endpoints (vendor_id, url, secret_ciphertext) VALUES ($1, $2, $3)`, [vendorId, endpoint.urlFor(vendorId), secret]);
  knownSecrets.add(secret);
  return secret;
}

async function attemptsWhere(vendorId: string, predicate: (a: Awaited<ReturnType<typeof attemptsOf>>) => boolean) {
  return waitFor(async () => {
    const [delivery] = await deliveriesOf(vendorId);
    if (!delivery) return false;
    const attempts = await attemptsOf(delivery.id);
    return predicate(attempts) && { delivery, attempts };
  }, { timeoutMs: 20_000, message: `attempts of ${vendorId}` });
}

test('legacy plaintext secrets are encrypted when a replica starts, and their deliveries still verify', async () => {
  const vendorId = randomUUID();
  const secret = await insertLegacyEndpoint(vendorId);
  expect(await storedSecret(vendorId)).toBe(secret);

  // A second replica on the same schema: its start-up task seals the row (the first replica keeps running).
  const replica = await startNotification({ ...config, opsPort: 0 }, { logger: serviceLogger, consumerRetryDelaysMs: [200, 500] });
  try {
    const stored = await storedSecret(vendorId);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(secret.slice('whsec_'.length));

    await publish(OrderCompletedV1, vendorCompleted(vendorId));
    await sentDelivery(vendorId);
    const [hook] = endpoint.received(vendorId);
    expect(verifyWebhookSignature(hook!.rawBody, hook!.headers['ttelgo-signature'] as string, secret)).toBe(true);

    // The vendor keeps its secret: a later set (no rotation) returns the very one it always had.
    const again = await setEndpoint(vendorId, endpoint.urlFor(vendorId));
    expect(again.secret).toBe(secret);
  } finally {
    await replica.close();
  }
});

test('two replicas sealing the same legacy rows at once: each row is encrypted once and keeps its secret', async () => {
  const vendors = Array.from({ length: 20 }, () => randomUUID());
  const secrets = new Map<string, string>();
  for (const v of vendors) secrets.set(v, await insertLegacyEndpoint(v));
  const box = new SecretBox(config.webhooks.secretsKey);
  const clients = [0, 1].map(() => createPrismaClient(PrismaClient, { databaseUrl: TEST_DATABASE_URL, schema }));
  try {
    const results = await Promise.all(clients.map((prisma) => sealStoredWebhookSecrets({ prisma, box, logger })));
    // Other tests' rows are already sealed with the current key, so only these 20 were candidates. A row both
    // tasks read is written by one of them (the other's conditional UPDATE matches nothing): sealed once in total.
    expect(results[0]!.sealed + results[1]!.sealed).toBe(vendors.length);
    expect(results.map((r) => r.unreadable + r.reencrypted)).toEqual([0, 0]);
    for (const v of vendors) expect(box.open(await storedSecret(v), v)).toBe(secrets.get(v));
    // Idempotent: nothing left to do.
    expect(await sealStoredWebhookSecrets({ prisma: clients[0]!, box, logger })).toEqual({ sealed: 0, reencrypted: 0, raced: 0, unreadable: 0 });
  } finally {
    await Promise.all(clients.map((c) => c.$disconnect()));
  }
});

test('after a key rotation the start-up task re-encrypts rows under the previous key; a row under an unknown key is left alone', async () => {
  const oldKey = randomBytes(32);
  const rotatedVendor = randomUUID();
  const secret = `whsec_${randomUUID().replace(/-/g, '')}`;
  const strangerVendor = randomUUID();
  await db.query(`INSERT INTO "${schema}".webhook_endpoints (vendor_id, url, secret_ciphertext) VALUES ($1, $2, $3), ($4, $5, $6)`, [
    rotatedVendor, endpoint.urlFor(rotatedVendor), new SecretBox(oldKey).seal(secret, rotatedVendor),
    strangerVendor, endpoint.urlFor(strangerVendor), new SecretBox(randomBytes(32)).seal('whsec_unknown', strangerVendor),
  ]);
  const strangerBefore = await storedSecret(strangerVendor);
  const box = new SecretBox(config.webhooks.secretsKey, [oldKey]);
  const prisma = createPrismaClient(PrismaClient, { databaseUrl: TEST_DATABASE_URL, schema });
  try {
    expect(await sealStoredWebhookSecrets({ prisma, box, logger })).toEqual({ sealed: 0, reencrypted: 1, raced: 0, unreadable: 1 });
    const stored = await storedSecret(rotatedVendor);
    expect(SecretBox.keyIdOf(stored)).toBe(box.currentKeyId);
    // Readable without the previous key now.
    expect(new SecretBox(config.webhooks.secretsKey).open(stored, rotatedVendor)).toBe(secret);
    expect(await storedSecret(strangerVendor)).toBe(strangerBefore);
  } finally {
    await prisma.$disconnect();
    await db.query(`DELETE FROM "${schema}".webhook_endpoints WHERE vendor_id = $1`, [strangerVendor]);
  }
});

test('a plaintext secret that appears after start is never used to sign: the attempt fails with a clear error', async () => {
  const vendorId = randomUUID();
  await insertLegacyEndpoint(vendorId);
  await publish(OrderCompletedV1, vendorCompleted(vendorId));
  const { delivery, attempts } = await attemptsWhere(vendorId, (a) => a.length >= 1);
  expect(attempts[0]).toMatchObject({ outcome: 'RETRY', http_status: null });
  expect(attempts[0]!.error).toContain('stored unencrypted');
  expect(delivery.last_error).toContain('webhook secret unusable, not sent');
  expect(endpoint.received(vendorId)).toHaveLength(0);
});

test('a ciphertext copied from another vendor does not decrypt: the delivery retries with a clear error, nothing is sent, and a rotation repairs it', async () => {
  const victim = await vendorWithEndpoint();
  const other = await vendorWithEndpoint();
  await db.query(
    `UPDATE "${schema}".webhook_endpoints SET secret_ciphertext = (SELECT secret_ciphertext FROM "${schema}".webhook_endpoints WHERE vendor_id = $1) WHERE vendor_id = $2`,
    [victim.vendorId, other.vendorId],
  );
  await publish(OrderCompletedV1, vendorCompleted(other.vendorId));
  const { delivery, attempts } = await attemptsWhere(other.vendorId, (a) => a.length >= 1);
  // Hold the retries while the vendor rotates (the schedule is 300 ms here).
  await db.query(`UPDATE "${schema}".webhook_deliveries SET next_attempt_at = now() + interval '1 hour' WHERE id = $1 AND status = 'PENDING'`, [delivery.id]);
  expect(attempts[0]).toMatchObject({ outcome: 'RETRY', http_status: null });
  expect(attempts[0]!.error).toMatch(/^webhook secret unusable, not sent: cannot be decrypted: sealed value does not authenticate/);
  expect(attempts[0]!.error).not.toContain(victim.secret);
  expect(endpoint.received(other.vendorId)).toHaveLength(0);

  // Without a rotation the endpoint cannot hand its secret back: 409 WEBHOOK_SECRET_UNAVAILABLE, and nothing changes.
  const before = await db.query(`SELECT url, secret_ciphertext, updated_at FROM "${schema}".webhook_endpoints WHERE vendor_id = $1`, [other.vendorId]);
  await expect(setEndpoint(other.vendorId, `${endpoint.urlFor(other.vendorId)}?moved=1`)).rejects.toMatchObject({ code: 'WEBHOOK_SECRET_UNAVAILABLE', status: 409 });
  expect((await db.query(`SELECT url, secret_ciphertext, updated_at FROM "${schema}".webhook_endpoints WHERE vendor_id = $1`, [other.vendorId])).rows).toEqual(before.rows);
  // The service is fine: the victim's own webhooks still go out, signed with the victim's secret.
  await publish(LowBalanceV1, { vendorId: victim.vendorId, currency: 'USD', available: 1, threshold: 10, occurredAt: new Date().toISOString() }, { producer: 'billing' });
  await sentDelivery(victim.vendorId);
  const [victimHook] = endpoint.received(victim.vendorId);
  expect(verifyWebhookSignature(victimHook!.rawBody, victimHook!.headers['ttelgo-signature'] as string, victim.secret)).toBe(true);

  const rotated = await setEndpoint(other.vendorId, endpoint.urlFor(other.vendorId), true);
  await db.query(`UPDATE "${schema}".webhook_deliveries SET next_attempt_at = now() WHERE id = $1`, [delivery.id]);
  const sent = await sentDelivery(other.vendorId);
  expect(sent.id).toBe(delivery.id);
  const hooks = endpoint.received(other.vendorId);
  expect(hooks).toHaveLength(1);
  expect(verifyWebhookSignature(hooks[0]!.rawBody, hooks[0]!.headers['ttelgo-signature'] as string, rotated.secret)).toBe(true);
});

// Last: runs after every test above has set, rotated, planted and failed secrets.
test('no log line of the services carries a webhook secret', () => {
  const text = serviceLogLines.join('');
  expect(text).toContain('webhook secrets sealed with the current key');
  expect(text).toContain('webhook endpoint set');
  expect(text).toContain('webhook secret unusable');
  expect(knownSecrets.size).toBeGreaterThan(20);
  const leaked = [...knownSecrets].filter((secret) => text.includes(secret.slice('whsec_'.length)));
  expect(leaked).toEqual([]);
});
