/**
 * Component test of notification: order events published on a real RabbitMQ vhost, the service on a real Postgres
 * schema, mail sent over SMTP to the real catcher (in-process, port 0) and read back through its HTTP API.
 * Tests run in order and share one service instance.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import QRCode from 'qrcode';
import {
  OrderCompletedV1,
  OrderFailedV1,
  OrderRefundedV1,
  createEnvelope,
  routeFor,
  type EsimInstall,
  type MessageContract,
  type Money,
  type Owner,
} from '@ttelgo/contracts';
import { assertSchemaMatchesPrisma } from '@ttelgo/db';
import { AmqpConnection, ConfirmPublisher, UnroutableError } from '@ttelgo/messaging';
import { createMetrics, type ServiceMetrics } from '@ttelgo/observability';
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
import { loadNotificationConfig } from '../src/config';
import { QR_PNG_OPTIONS } from '../src/infrastructure/qr-code.renderer';
import { startNotification, type NotificationHandle } from '../src/service';
import { attachmentBytes, mailsMentioning, startCatcher, type CaughtMessageJson, type SmtpCatcher } from './support/smtp-catcher';

jest.setTimeout(90_000);

const logger = testLogger('notification-test');
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Eight quick retries: enough room to see several refused attempts and then the success. */
const RETRY_DELAYS_MS = [250, 250, 250, 250, 250, 250, 250, 250];

let schema: string;
let vhost: TestVhost;
let catcher: SmtpCatcher;
let service: NotificationHandle;
let metrics: ServiceMetrics;
let conn: AmqpConnection;
let publisher: ConfirmPublisher;
let db: pg.Client;

const customer = (): Owner => ({ type: 'customer', id: randomUUID() });

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
    expiresAt: '2027-11-28T00:00:00.000Z',
  };
}

function completed(opts: { owner?: Owner; contactEmail?: string | null; esims?: EsimInstall[]; total?: Money } = {}) {
  const esims = opts.esims ?? [esim(1)];
  return {
    orderId: randomUUID(),
    owner: opts.owner ?? customer(),
    contactEmail: opts.contactEmail === undefined ? `traveller-${randomUUID().slice(0, 8)}@example.com` : opts.contactEmail,
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: esims.length,
    total: opts.total ?? { amount: 1299 * esims.length, currency: 'USD' },
    esims,
    completedAt: new Date().toISOString(),
  };
}

function closed(total: Money, bundleName = 'esim_1GB_7D_FR_V2') {
  return {
    orderId: randomUUID(),
    owner: customer(),
    contactEmail: `traveller-${randomUUID().slice(0, 8)}@example.com`,
    bundleName,
    quantity: 1,
    total,
    reason: 'PROVIDER_REJECTED: bundle out of stock at eSIM Go',
    occurredAt: new Date().toISOString(),
  };
}

/**
 * Publishes like the order service's relay does (confirm, mandatory). The consumer declares and binds its queue
 * when its channel opens; until then a publish is returned unroutable, so retry on exactly that.
 */
async function publish<T>(contract: MessageContract<T>, data: T, id?: string): Promise<string> {
  const envelope = createEnvelope(contract, data, { producer: 'order', correlationId: randomUUID(), ...(id ? { id } : {}) });
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
    { timeoutMs: 15_000, message: `${contract.name} routable to notification.order-events` },
  );
  return envelope.id;
}

async function waitForMail(orderId: string): Promise<CaughtMessageJson> {
  const [mail] = await waitFor(async () => {
    const mails = await mailsMentioning(catcher, orderId);
    return mails.length > 0 && mails;
  }, { timeoutMs: 20_000, message: `mail for order ${orderId}` });
  return mail as CaughtMessageJson;
}

async function notificationOf(orderId: string): Promise<{ id: string; status: string; skip_reason: string | null; channel: string | null } | undefined> {
  const { rows } = await db.query(`SELECT id, status, skip_reason, channel FROM "${schema}".notification WHERE order_id = $1`, [orderId]);
  return rows[0];
}

async function deliveryOf(orderId: string) {
  const { rows } = await db.query(
    `SELECT d.id, d.status, d.attempts, d.provider_message_id, d.to_address, d.subject
       FROM "${schema}".email_delivery d JOIN "${schema}".notification n ON n.id = d.notification_id
      WHERE n.order_id = $1`,
    [orderId],
  );
  return rows as Array<{ id: string; status: string; attempts: number; provider_message_id: string | null; to_address: string; subject: string }>;
}

async function attemptsOf(deliveryId: string) {
  const { rows } = await db.query(
    `SELECT attempt_no, outcome, error, smtp_response, started_at, finished_at FROM "${schema}".delivery_attempt WHERE delivery_id = $1 ORDER BY attempt_no`,
    [deliveryId],
  );
  return rows as Array<{ attempt_no: number; outcome: string; error: string | null; smtp_response: string | null; started_at: Date; finished_at: Date }>;
}

beforeAll(async () => {
  schema = createTestSchemaName('notifications');
  vhost = await createTestVhost('notifications');
  catcher = await startCatcher(logger);
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();

  metrics = createMetrics('notification');
  const config = loadNotificationConfig({ NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    SMTP_URL: `smtp://127.0.0.1:${catcher.smtpPort}`,
    SMTP_TIMEOUT_MS: '2000',
    DELIVERY_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
    DELIVERY_POLL_INTERVAL_MS: '100',
    PUBLIC_APP_URL: 'https://app.ttelgo.test',
    LOG_LEVEL: 'silent',
  });
  service = await startNotification(config, { logger, metrics, consumerRetryDelaysMs: [200, 500] });

  conn = new AmqpConnection({ url: vhost.url, name: 'order-test', logger });
  await conn.start();
  publisher = new ConfirmPublisher(conn, { logger });
});

afterAll(async () => {
  await publisher?.close().catch(() => undefined);
  await conn?.close().catch(() => undefined);
  await service?.close();
  await catcher?.close();
  await db?.end().catch(() => undefined);
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
});

test('the applied migrations agree with the Prisma schema', async () => {
  await assertSchemaMatchesPrisma({
    databaseUrl: TEST_DATABASE_URL,
    schema,
    prismaSchemaPath: resolve(__dirname, '../../../prisma/notification/schema.prisma'),
  });
});

test('the service is ready once started', async () => {
  // The consumer's channel opens just after start() returns; readiness follows it.
  const res = await waitFor(async () => {
    const r = await fetch(`http://127.0.0.1:${service.opsPort}/health/ready`);
    return r.status === 200 && r;
  }, { message: 'notification ready' });
  expect(await res.json()).toMatchObject({ checks: { postgres: 'up', migrations: 'up', broker: 'up' } });
});

test('order.completed.v1 -> one mail with the LPA string and a decodable inline QR PNG per eSIM', async () => {
  const data = completed({ esims: [esim(11), esim(12)] });
  await publish(OrderCompletedV1, data);
  const mail = await waitForMail(data.orderId);

  expect(mail.to).toEqual([data.contactEmail]);
  expect(mail.from).toBe('no-reply@ttelgo.local');
  expect(mail.subject).toBe(`Your 2 eSIMs are ready (order ${data.orderId.split('-')[0]!.toUpperCase()})`);
  expect(mail.html).toContain(`https://app.ttelgo.test/orders/${data.orderId}`);
  for (const install of data.esims) {
    expect(mail.text).toContain(`LPA activation code: ${install.lpa}`);
    expect(mail.text).toContain(install.appleInstallUrl);
    // The Apple link goes into an href attribute, so its '&'/'=' survive escaping as a valid URL.
    expect(mail.html).toContain(`href="${install.appleInstallUrl}"`);
  }
  expect(mail.text).toContain('INSTALL ON AN IPHONE');
  expect(mail.text).toContain('INSTALL ON ANDROID');
  expect(mail.text).toContain('$25.98');

  const pngs = mail.attachments.filter((a) => a.contentType === 'image/png');
  expect(pngs).toHaveLength(2);
  for (const install of data.esims) {
    const part = pngs.find((a) => a.filename === `esim-${install.iccid}.png`);
    expect(part).toBeDefined();
    expect(part!.inline).toBe(true);
    expect(part!.contentId).toBeTruthy();
    // Referenced from the HTML as an inline image, so clients show it instead of listing an attachment.
    expect(mail.html).toContain(`src="cid:${part!.contentId}"`);
    const bytes = await attachmentBytes(catcher, part!);
    expect(bytes.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    // No QR decoder is installed: the same encoder with the same options must give exactly these bytes.
    const expected = await QRCode.toBuffer(install.lpa, { ...QR_PNG_OPTIONS });
    expect(bytes.equals(expected)).toBe(true);
  }

  const [delivery] = await waitFor(async () => {
    const rows = await deliveryOf(data.orderId);
    return rows[0]?.status === 'SENT' && rows;
  });
  expect(delivery!.attempts).toBe(1);
  // The stored id is the Message-ID the mail arrived with.
  expect(`<${delivery!.provider_message_id}>`).toBe(mail.messageId);
  const attempts = await attemptsOf(delivery!.id);
  expect(attempts).toHaveLength(1);
  expect(attempts[0]).toMatchObject({ attempt_no: 1, outcome: 'SENT', error: null });
  expect(attempts[0]!.smtp_response).toMatch(/^250 /);
});

test('the same event delivered twice, and a second event for the same order, send one mail', async () => {
  const data = completed();
  const duplicatesBefore = await consumedCount(metrics, { outcome: 'duplicate' });
  const id = await publish(OrderCompletedV1, data);
  await publish(OrderCompletedV1, data, id);
  await waitFor(async () => (await consumedCount(metrics, { outcome: 'duplicate' })) >= duplicatesBefore + 1, { message: 'the redelivery acked as a duplicate' });
  // A replayed fact under a new message id (a producer bug, a manual re-publish) is absorbed too.
  await publish(OrderCompletedV1, { ...data, completedAt: new Date().toISOString() });
  await waitForMail(data.orderId);
  await waitFor(async () => (await consumedCount(metrics, { outcome: 'ok' })) > 0);
  // Give a wrongly queued second mail every chance to arrive before counting.
  await sleep(1500);

  expect(await mailsMentioning(catcher, data.orderId)).toHaveLength(1);
  expect(await deliveryOf(data.orderId)).toHaveLength(1);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE message_id = $1`, [id]);
  expect(rows[0].n).toBe(1);
});

test('an SMTP server that refuses connections -> retried, recorded, and sent once it is back', async () => {
  await catcher.stopSmtp();
  let data: ReturnType<typeof closed>;
  try {
    data = closed({ amount: 1299, currency: 'USD' });
    await publish(OrderFailedV1, data);
    const delivery = await waitFor(async () => {
      const [row] = await deliveryOf(data.orderId);
      return row && row.attempts >= 2 && row;
    }, { message: 'two refused attempts' });
    expect(delivery.status).toBe('PENDING');
    const refused = await attemptsOf(delivery.id);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const attempt of refused) {
      expect(attempt.outcome).toBe('RETRY');
      expect(attempt.error).toMatch(/ECONNREFUSED/);
    }
    // Each retry waited its delay after the previous attempt.
    expect(refused[1]!.started_at.getTime() - refused[0]!.finished_at.getTime()).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]! - 5);
  } finally {
    await catcher.startSmtp();
  }

  const mail = await waitForMail(data.orderId);
  expect(mail.to).toEqual([data.contactEmail]);
  const [sent] = await waitFor(async () => {
    const rows = await deliveryOf(data.orderId);
    return rows[0]?.status === 'SENT' && rows;
  });
  const attempts = await attemptsOf(sent!.id);
  expect(attempts.at(-1)!.outcome).toBe('SENT');
  expect(attempts.slice(0, -1).every((a) => a.outcome === 'RETRY')).toBe(true);
  expect(attempts.map((a) => a.attempt_no)).toEqual(attempts.map((_, i) => i + 1));
  expect(sent!.attempts).toBe(attempts.length);
  await sleep(1000);
  expect(await mailsMentioning(catcher, data.orderId)).toHaveLength(1);
});

test('order.failed.v1 -> a mail saying what happened and that the card refund is under way', async () => {
  const data = closed({ amount: 1299, currency: 'USD' });
  await publish(OrderFailedV1, data);
  const mail = await waitForMail(data.orderId);
  expect(mail.to).toEqual([data.contactEmail]);
  expect(mail.subject).toBe(`We could not complete your order ${data.orderId.split('-')[0]!.toUpperCase()}`);
  expect(mail.text).toContain('could not issue the eSIM');
  expect(mail.text).toContain('A refund of $12.99 to the card you paid with is under way');
  expect(mail.html).toContain('A refund of $12.99');
  expect(mail.attachments).toHaveLength(0);
});

test('order.refunded.v1 -> the amount formatted from minor units in its currency, values HTML-escaped', async () => {
  const usd = closed({ amount: 1299, currency: 'USD' }, 'Bundle <b>"FR"</b> & more');
  const jpy = closed({ amount: 1299, currency: 'JPY' });
  const bhd = closed({ amount: 1299, currency: 'BHD' });
  await publish(OrderRefundedV1, usd);
  await publish(OrderRefundedV1, jpy);
  await publish(OrderRefundedV1, bhd);

  const usdMail = await waitForMail(usd.orderId);
  expect(usdMail.subject).toContain('Your refund of $12.99 is on its way');
  expect(usdMail.text).toContain('We have refunded $12.99 for your order of 1 x Bundle <b>"FR"</b> & more');
  expect(usdMail.html).toContain('Bundle &lt;b&gt;&quot;FR&quot;&lt;/b&gt; &amp; more');
  expect(usdMail.html).not.toContain('<b>"FR"</b>');

  const jpyMail = await waitForMail(jpy.orderId);
  expect(jpyMail.subject).toContain('Your refund of ¥1,299 is on its way');
  expect(jpyMail.text).toContain('We have refunded ¥1,299');

  const bhdMail = await waitForMail(bhd.orderId);
  expect(bhdMail.text).toContain('BHD');
  expect(bhdMail.text).toContain('1.299');
});

test('a vendor-owned order without a webhook endpoint sends nothing and is recorded as skipped; so is an order without a contact e-mail', async () => {
  const vendor = completed({ owner: { type: 'vendor', id: `vendor_${randomUUID().slice(0, 8)}` }, contactEmail: 'ops@reseller.example' });
  const anonymous = completed({ contactEmail: null });
  await publish(OrderCompletedV1, vendor);
  await publish(OrderFailedV1, { ...closed({ amount: 500, currency: 'EUR' }), orderId: vendor.orderId, owner: vendor.owner });
  await publish(OrderCompletedV1, anonymous);

  const skipped = await waitFor(async () => {
    const n = await notificationOf(vendor.orderId);
    return n && n;
  });
  expect(skipped).toMatchObject({ status: 'SKIPPED', skip_reason: 'NO_ENDPOINT', channel: null });
  const noContact = await waitFor(async () => {
    const n = await notificationOf(anonymous.orderId);
    return n && n;
  });
  expect(noContact).toMatchObject({ status: 'SKIPPED', skip_reason: 'NO_CONTACT_EMAIL', channel: null });
  await waitFor(async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM "${schema}".notification WHERE order_id = $1`, [vendor.orderId]);
    return rows[0].n === 2;
  }, { message: 'the vendor order failed event recorded' });

  // A delivery would have been written in the same transaction as the notification row.
  expect(await deliveryOf(vendor.orderId)).toHaveLength(0);
  expect(await deliveryOf(anonymous.orderId)).toHaveLength(0);
  await sleep(1000);
  expect(await mailsMentioning(catcher, vendor.orderId)).toHaveLength(0);
  expect(await mailsMentioning(catcher, anonymous.orderId)).toHaveLength(0);
  const all = (await (await fetch(`${catcher.webUrl}/api/messages`)).json()) as Array<{ to: string[] }>;
  expect(all.some((m) => m.to.includes('ops@reseller.example'))).toBe(false);
});
