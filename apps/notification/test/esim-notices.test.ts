/**
 * Component test of the usage and expiry notices (esim.bundle-notice.v1, published like esim-provisioning does):
 * a traveller's e-mail in the real SMTP catcher, to the address of the order that bought the eSIM, with the data
 * left and how to top up; a reseller's signed esim.usage_threshold / esim.expiring / esim.expired webhooks on a
 * real local HTTP server; one notice per bundle and threshold even when the event comes twice.
 */
import { randomUUID } from 'node:crypto';
import {
  EsimBundleNoticeV1,
  OrderCompletedV1,
  SetWebhookEndpointV1,
  createEnvelope,
  routeFor,
  type DataOf,
  type EsimInstall,
  type MessageContract,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcClient, UnroutableError } from '@ttelgo/messaging';
import { createMetrics } from '@ttelgo/observability';
import { TEST_DATABASE_URL, createTestSchemaName, createTestVhost, dropSchema, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import { loadNotificationConfig } from '../src/config';
import { verifyWebhookSignature } from '../src/domain/webhook-signature';
import { startNotification, type NotificationHandle } from '../src/service';
import { mailsMentioning, startCatcher, type SmtpCatcher } from './support/smtp-catcher';
import { startVendorEndpoint, type VendorEndpoint } from './support/vendor-endpoint';

jest.setTimeout(60_000);

type Notice = DataOf<typeof EsimBundleNoticeV1>;

const logger = testLogger('notification-esim-notices-test');
const GB = 1_000_000_000;
let schema: string;
let vhost: TestVhost;
let catcher: SmtpCatcher;
let endpoint: VendorEndpoint;
let service: NotificationHandle;
let conn: AmqpConnection;
let publisher: ConfirmPublisher;
let rpc: RpcClient;

async function publish<T>(contract: MessageContract<T>, data: T, opts: { id?: string } = {}): Promise<string> {
  const envelope = createEnvelope(contract, data, { producer: contract.owner, correlationId: randomUUID(), ...(opts.id ? { id: opts.id } : {}) });
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

function esim(): EsimInstall {
  const matchingId = `M-${randomUUID().slice(0, 8).toUpperCase()}`;
  const lpa = `LPA:1$rsp.test$${matchingId}`;
  const iccid = `8944${String(Date.now()).slice(-9)}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  return { iccid, smdpAddress: 'rsp.test', matchingId, lpa, appleInstallUrl: `https://esimsetup.apple.com/x?carddata=${encodeURIComponent(lpa)}`, expiresAt: null };
}

function notice(iccid: string, owner: Notice['owner'], overrides: Partial<Notice> = {}): Notice {
  return {
    iccid,
    owner,
    orderId: randomUUID(),
    bundleId: randomUUID(),
    bundleName: 'esim_1GB_7D_FR_V2',
    notice: 'USAGE_THRESHOLD',
    threshold: 80,
    usedBytes: 0.8 * GB,
    totalBytes: GB,
    remainingBytes: 0.2 * GB,
    unlimited: false,
    endsAt: '2026-12-20T09:30:00.000Z',
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

beforeAll(async () => {
  schema = createTestSchemaName('notifications_esim');
  vhost = await createTestVhost('notifications-esim');
  catcher = await startCatcher(logger);
  endpoint = await startVendorEndpoint();
  const config = loadNotificationConfig({
    NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    SMTP_URL: `smtp://127.0.0.1:${catcher.smtpPort}`,
    DELIVERY_POLL_INTERVAL_MS: '100',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    LOG_LEVEL: 'silent',
    PUBLIC_APP_URL: 'https://app.ttelgo.test',
  });
  service = await startNotification(config, { logger, metrics: createMetrics('notification'), consumerRetryDelaysMs: [200, 500] });
  conn = new AmqpConnection({ url: vhost.url, name: 'esim-notices-test', logger });
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
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
});

test("a traveller gets each notice once by e-mail, at the order's address, with the data left and how to top up", async () => {
  const owner = { type: 'customer' as const, id: `cust-${randomUUID()}` };
  const installed = esim();
  const email = `traveller-${randomUUID().slice(0, 8)}@example.com`;
  await publish(OrderCompletedV1, {
    orderId: randomUUID(),
    owner,
    contactEmail: email,
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: 1,
    total: { amount: 1299, currency: 'USD' },
    esims: [installed],
    completedAt: new Date().toISOString(),
  });
  await waitFor(async () => (await mailsMentioning(catcher, installed.iccid)).length === 1 || undefined, { timeoutMs: 15_000, message: 'the eSIM mail' });

  const eighty = notice(installed.iccid, owner);
  const id = await publish(EsimBundleNoticeV1, eighty);
  await publish(EsimBundleNoticeV1, eighty, { id });
  await publish(EsimBundleNoticeV1, eighty);
  await publish(EsimBundleNoticeV1, { ...eighty, threshold: 100, usedBytes: GB, remainingBytes: 0 });
  await publish(EsimBundleNoticeV1, { ...eighty, notice: 'EXPIRED', threshold: null });

  const mails = await waitFor(
    async () => {
      const found = (await mailsMentioning(catcher, installed.iccid)).filter((m) => m.subject !== undefined && !/ready/i.test(m.subject));
      return found.length >= 3 ? found : undefined;
    },
    { timeoutMs: 15_000, message: 'three notice mails' },
  );
  await new Promise((r) => setTimeout(r, 1000));
  const notices = (await mailsMentioning(catcher, installed.iccid)).filter((m) => !/ready/i.test(m.subject));
  expect(notices.map((m) => m.subject).sort()).toEqual([
    'You have used 80 % of esim_1GB_7D_FR_V2',
    'You have used all the data of esim_1GB_7D_FR_V2',
    'esim_1GB_7D_FR_V2 has expired',
  ]);
  const mail = mails.find((m) => m.subject.includes('80 %'))!;
  expect(mail.to).toContain(email);
  expect(mail.text).toContain('Data left: 200 MB of 1 GB.');
  expect(mail.text).toContain(`https://app.ttelgo.test/esims/${installed.iccid}`);
  expect(mail.text).toContain(`POST /api/v1/esims/${installed.iccid}/topups`);
});

test('a reseller gets signed esim.usage_threshold, esim.expiring and esim.expired webhooks, once each', async () => {
  const vendorId = randomUUID();
  const { secret } = await rpc.call(SetWebhookEndpointV1, { vendorId, url: endpoint.urlFor(vendorId) }, { timeoutMs: 10_000 });
  const owner = { type: 'vendor' as const, id: vendorId };
  const { iccid } = esim();
  const usage = notice(iccid, owner);
  await publish(EsimBundleNoticeV1, usage);
  await publish(EsimBundleNoticeV1, usage);
  await publish(EsimBundleNoticeV1, { ...usage, notice: 'EXPIRING', threshold: null });
  await publish(EsimBundleNoticeV1, { ...usage, notice: 'EXPIRED', threshold: null });

  const hooks = await waitFor(async () => (endpoint.received(vendorId).length >= 3 ? endpoint.received(vendorId) : undefined), { timeoutMs: 15_000, message: 'three webhooks' });
  await new Promise((r) => setTimeout(r, 1000));
  expect(endpoint.received(vendorId)).toHaveLength(3);
  for (const hook of hooks) expect(verifyWebhookSignature(hook.rawBody, hook.headers['ttelgo-signature'] as string, secret)).toBe(true);
  const bodies = hooks.map((h) => JSON.parse(h.rawBody) as { type: string; data: Record<string, unknown> });
  expect(bodies.map((b) => b.type).sort()).toEqual(['esim.expired', 'esim.expiring', 'esim.usage_threshold']);
  expect(bodies.find((b) => b.type === 'esim.usage_threshold')!.data).toMatchObject({
    iccid,
    bundleName: 'esim_1GB_7D_FR_V2',
    threshold: 80,
    usedBytes: 0.8 * GB,
    totalBytes: GB,
  });
});

test('a traveller whose eSIM has no known address gets nothing, and nothing fails', async () => {
  const { iccid } = esim();
  await publish(EsimBundleNoticeV1, notice(iccid, { type: 'customer', id: 'cust-unknown' }));
  await new Promise((r) => setTimeout(r, 500));
  expect(await mailsMentioning(catcher, iccid)).toEqual([]);
});
