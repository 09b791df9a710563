/**
 * SSRF rules of vendor webhooks with the development allowance OFF (the production default): the
 * set-endpoint RPC refuses private, loopback, link-local and non-http(s) URLs, and the send path re-checks the
 * resolved address before every POST (DNS rebinding). DNS answers for the *.vendor.test names are pinned by an
 * injected resolver; everything else goes to the system resolver (so `localhost` really resolves).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { OrderCompletedV1, SetWebhookEndpointV1, createEnvelope, routeFor } from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcClient, RpcRemoteError, UnroutableError } from '@ttelgo/messaging';
import { TEST_DATABASE_URL, createTestSchemaName, createTestVhost, dropSchema, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import { loadNotificationConfig } from '../src/config';
import { WebhookUrlNotAllowedError } from '../src/domain/webhook-url';
import { HttpWebhookSender } from '../src/infrastructure/webhook-http.sender';
import { WebhookUrlGuard, systemResolver, type ResolvedAddress } from '../src/infrastructure/webhook-url.guard';
import { startNotification, type NotificationHandle } from '../src/service';
import { startVendorEndpoint, type VendorEndpoint } from './support/vendor-endpoint';

jest.setTimeout(60_000);

const logger = testLogger('notification-ssrf-test');
const PUBLIC = '93.184.216.34';

/** Pinned DNS: a name maps to a list of answers; once the list has one entry left, that one repeats. */
const dnsAnswers = new Map<string, ResolvedAddress[][]>();
async function testResolver(host: string): Promise<ResolvedAddress[]> {
  const answers = dnsAnswers.get(host);
  if (!answers) return systemResolver(host);
  return (answers.length > 1 ? answers.shift() : answers[0])!;
}
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

let schema: string;
let vhost: TestVhost;
let endpoint: VendorEndpoint;
let service: NotificationHandle;
let conn: AmqpConnection;
let rpc: RpcClient;
let publisher: ConfirmPublisher;
let db: pg.Client;

beforeAll(async () => {
  schema = createTestSchemaName('notifications_ssrf');
  vhost = await createTestVhost('notifications-ssrf');
  endpoint = await startVendorEndpoint();
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  const config = loadNotificationConfig({ NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    DELIVERY_POLL_INTERVAL_MS: '100',
    WEBHOOK_RETRY_DELAYS_MS: '200,200',
    LOG_LEVEL: 'silent',
  });
  expect(config.webhooks.allowPrivateUrls).toBe(false);
  service = await startNotification(config, { logger, webhookResolver: testResolver });
  conn = new AmqpConnection({ url: vhost.url, name: 'ssrf-test', logger });
  await conn.start();
  rpc = new RpcClient(conn, { logger, producer: 'gateway' });
  await rpc.start();
  publisher = new ConfirmPublisher(conn, { logger });
});

afterAll(async () => {
  await rpc?.stop().catch(() => undefined);
  await publisher?.close().catch(() => undefined);
  await conn?.close().catch(() => undefined);
  await service?.close();
  await endpoint?.close();
  await db?.end().catch(() => undefined);
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
});

async function setEndpointError(url: string): Promise<RpcRemoteError> {
  try {
    await rpc.call(SetWebhookEndpointV1, { vendorId: randomUUID(), url }, { timeoutMs: 10_000 });
  } catch (err) {
    if (err instanceof RpcRemoteError) return err;
    throw err;
  }
  throw new Error(`${url} was accepted`);
}

test.each([
  'http://127.0.0.1',
  'http://10.0.0.1',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]',
  'ftp://x',
  'http://user:pw@example.com',
  'http://192.168.1.10:8080/hook',
  'http://172.16.5.4',
  'http://100.64.0.1',
  'http://0.0.0.0',
  'http://[fd00::1]',
  'http://[fe80::1]',
  'http://[::ffff:127.0.0.1]',
  'http://[::ffff:169.254.169.254]',
  'http://0x7f.1',
  'http://2130706433',
  'http://localhost:8080',
  'http://mixed.vendor.test/hook',
])('refuses %s with WEBHOOK_URL_NOT_ALLOWED 400', async (url) => {
  dnsAnswers.set('mixed.vendor.test', [[v4(PUBLIC), v4('10.1.2.3')]]);
  const err = await setEndpointError(url);
  expect(err.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
  expect(err.status).toBe(400);
});

test('nothing is stored for a refused URL; a public one is accepted', async () => {
  const refusedVendor = randomUUID();
  await expect(rpc.call(SetWebhookEndpointV1, { vendorId: refusedVendor, url: 'http://10.0.0.1/hook' })).rejects.toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED' });
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".webhook_endpoints WHERE vendor_id = $1`, [refusedVendor]);
  expect(rows[0].n).toBe(0);

  dnsAnswers.set('hooks.vendor.test', [[v4(PUBLIC)]]);
  const ok = await rpc.call(SetWebhookEndpointV1, { vendorId: randomUUID(), url: 'https://hooks.vendor.test/ttelgo' });
  expect(ok.secret).toMatch(/^whsec_/);
  const literal = await rpc.call(SetWebhookEndpointV1, { vendorId: randomUUID(), url: `http://${PUBLIC}:8443/hook` });
  expect(literal.url).toBe(`http://${PUBLIC}:8443/hook`);
});

test('DNS rebinding: a name that resolved publicly at set time and to 127.0.0.1 at send time is never sent to', async () => {
  const vendorId = randomUUID();
  const key = randomUUID();
  const url = `http://rebind.vendor.test:${endpoint.port}/hooks/${key}`;
  dnsAnswers.set('rebind.vendor.test', [[v4(PUBLIC)], [v4('127.0.0.1')]]);
  await rpc.call(SetWebhookEndpointV1, { vendorId, url });

  const envelope = createEnvelope(
    OrderCompletedV1,
    {
      orderId: randomUUID(),
      owner: { type: 'vendor', id: vendorId },
      contactEmail: null,
      bundleName: 'esim_1GB_7D_FR_V2',
      quantity: 1,
      total: { amount: 1100, currency: 'USD' },
      esims: [
        {
          iccid: '8940000000000000001',
          smdpAddress: 'rsp.test',
          matchingId: 'M-1',
          lpa: 'LPA:1$rsp.test$M-1',
          appleInstallUrl: 'https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=x',
          expiresAt: null,
        },
      ],
      completedAt: new Date().toISOString(),
    },
    { producer: 'order', correlationId: randomUUID() },
  );
  await waitFor(async () => {
    try {
      await publisher.publish(routeFor(OrderCompletedV1), envelope);
      return true;
    } catch (err) {
      if (err instanceof UnroutableError) return false;
      throw err;
    }
  });

  const failed = await waitFor(async () => {
    const { rows } = await db.query(`SELECT id, status, attempts, last_error FROM "${schema}".webhook_deliveries WHERE vendor_id = $1`, [vendorId]);
    return rows[0]?.status === 'FAILED' && rows[0];
  }, { timeoutMs: 20_000, message: 'rebinding delivery FAILED' });
  expect(failed.attempts).toBe(3);
  // What the host resolved to stays in our logs: the stored error (the vendor's event log shows it) says no more.
  expect(failed.last_error).toBe('The webhook URL is not allowed.');
  const { rows: attempts } = await db.query(`SELECT outcome, http_status FROM "${schema}".webhook_attempts WHERE delivery_id = $1 ORDER BY attempt_no`, [failed.id]);
  expect(attempts).toEqual([
    { outcome: 'RETRY', http_status: null },
    { outcome: 'RETRY', http_status: null },
    { outcome: 'FAILED', http_status: null },
  ]);
  expect(endpoint.received(key)).toHaveLength(0);
});

test('the sender re-checks a literal private address before connecting', async () => {
  const key = randomUUID();
  const sender = new HttpWebhookSender({ guard: new WebhookUrlGuard({ allowPrivate: false }), timeoutMs: 2000 });
  await expect(sender.post({ url: endpoint.urlFor(key), body: '{}', headers: { 'Content-Type': 'application/json' } })).rejects.toBeInstanceOf(
    WebhookUrlNotAllowedError,
  );
  // The same request with the development allowance does reach the server: the refusal above was the guard.
  const allowed = new HttpWebhookSender({ guard: new WebhookUrlGuard({ allowPrivate: true }), timeoutMs: 2000 });
  await expect(allowed.post({ url: endpoint.urlFor(key), body: '{}', headers: { 'Content-Type': 'application/json' } })).resolves.toMatchObject({ status: 200 });
  expect(endpoint.received(key)).toHaveLength(1);
});
