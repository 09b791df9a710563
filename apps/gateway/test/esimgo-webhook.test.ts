/**
 * eSIM Go usage callback ingress: X-Signature-SHA256 over the raw body (base64 or hex), the alert validated,
 * then esim.record-usage.v1 published with a confirm to esim-provisioning's command exchange (observed here
 * through a test queue bound to it). The gateway reaches RabbitMQ through a TcpProxy so the broker can be cut.
 */
import { createHmac } from 'node:crypto';
import { RecordEsimAttachmentV1, RecordEsimUsageV1 } from '@ttelgo/contracts';
import { TcpProxy, waitFor } from '@ttelgo/testing';
import { alertDedupeKey, esimGoAlertMessageId, type RecordEsimUsage } from '../src/application/accept-esimgo-callback.use-case';
import { expectProblem, expectRetryLater, json, startTestGateway, waitUntilReady, type TestGateway } from './support/gateway.harness';
import { collectCommands, postRawBody, settle, startWebhookIngress, type ReceivedCommand, type WebhookIngress } from './support/webhook-ingress.harness';

const PATH = '/api/v1/webhooks/esimgo';
const SIGNING_KEY = 'esimgo-callback-key-of-the-gateway-tests';
const OBSERVER_QUEUE = 'test.esim-usage-alerts';
const ATTACH_OBSERVER_QUEUE = 'test.esim-attachments';
const GB = 1_000_000_000;

let ingress: WebhookIngress;
let proxy: TcpProxy;
let gateway: TestGateway;
let unconfigured: TestGateway;
const received: Array<ReceivedCommand<RecordEsimUsage>> = [];
const attachments: Array<ReceivedCommand<{ iccid: string; attachedAt: string; receivedAt: string; dedupeKey: string }>> = [];

beforeAll(async () => {
  ingress = await startWebhookIngress('gateway_esimgo_webhook', { ESIMGO_CALLBACK_SIGNING_KEY: SIGNING_KEY });
  ({ proxy, gateway } = ingress);
  unconfigured = await startTestGateway({ AMQP_URL: ingress.vhost.url }, 'gateway_esimgo_nokey');
});

afterAll(async () => {
  await unconfigured?.close();
  await ingress?.close();
});

let counter = 0;
function iccid(): string {
  counter += 1;
  return `894453${String(Date.now()).slice(-9)}${String(counter).padStart(4, '0')}`;
}

/** A V3 BundleAlert as the simulator (and eSIM Go) sends it. */
function alert(opts: { iccid?: string; alertType?: string; remaining?: number; extra?: Record<string, unknown> } = {}): { iccid: string; raw: string } {
  const id = opts.iccid ?? iccid();
  const raw = JSON.stringify({
    iccid: id,
    alertType: opts.alertType ?? 'Utilisation',
    bundle: {
      id: '123456789',
      reference: 'f4b5c0de-2f0c-4c53-9a4f-3f1f4a1d7c21',
      name: 'esim_1GB_7D_IM_U',
      description: 'eSIM, 1GB, 7 Days, Isle of Man, V2',
      initialQuantity: GB,
      remainingQuantity: opts.remaining ?? 400_000_000,
      startTime: '2026-12-10T09:00:00.000Z',
      endTime: '2026-12-17T09:00:00.000Z',
      unlimited: false,
    },
    ...opts.extra,
  });
  return { iccid: id, raw };
}

const sign = (raw: string, digest: 'base64' | 'hex' = 'base64', key = SIGNING_KEY) => createHmac('sha256', key).update(raw).digest(digest);

const deliver = (raw: string, signature: string | undefined, target: TestGateway = gateway) =>
  postRawBody(target, PATH, raw, { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-signature-sha256': signature } : {}) });

const mine = (id: string) => received.filter((m) => m.envelope.data.iccid === id);

it('refuses every callback with 503 + Retry-After when no signing key is configured (never accepts unsigned)', async () => {
  const { raw } = alert();
  for (const signature of [undefined, sign(raw)]) {
    const res = await deliver(raw, signature, unconfigured);
    expectRetryLater(res, 'WEBHOOK_NOT_CONFIGURED');
  }
});

it('answers 503 while esim-provisioning has not bound its queue (the mandatory publish comes back), so eSIM Go retries', async () => {
  const { raw } = alert();
  const res = await deliver(raw, sign(raw));
  expectRetryLater(res, 'SERVICE_UNAVAILABLE');
});

describe("with esim-provisioning's usage queue bound", () => {
  beforeAll(async () => {
    await collectCommands(ingress.observer, { queue: OBSERVER_QUEUE, owner: 'esim', messageName: RecordEsimUsageV1.name }, received);
    await collectCommands(ingress.observer, { queue: ATTACH_OBSERVER_QUEUE, owner: 'esim', messageName: RecordEsimAttachmentV1.name }, attachments);
  });

  it('hands a FirstAttachment callback over as one esim.record-attachment.v1 (the activation), with a stable message id', async () => {
    const id = iccid();
    const raw = JSON.stringify({ alertType: 'FirstAttachment', iccid: id });
    const before = Date.now();
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    expect((await deliver(raw, sign(raw, 'hex'))).status).toBe(200);
    const both = await waitFor(() => {
      const found = attachments.filter((m) => m.envelope.data.iccid === id);
      return found.length === 2 ? found : undefined;
    });
    expect(both[0]!.envelope).toMatchObject({ type: 'esim.record-attachment.v1', producer: 'gateway', data: { iccid: id, dedupeKey: alertDedupeKey(Buffer.from(raw)) } });
    expect(Date.parse(both[0]!.envelope.data.attachedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(both[0]!.messageId).toBe(both[1]!.messageId);
    expect(both[0]!.messageId).toBe(esimGoAlertMessageId(alertDedupeKey(Buffer.from(raw))));
    await settle();
    expect(mine(id)).toHaveLength(0);

    const timed = JSON.stringify({ alertType: 'FirstAttachment', iccid: id, timestamp: '2026-12-10T08:00:00Z' });
    expect((await deliver(timed, sign(timed))).status).toBe(200);
    await waitFor(() => attachments.find((m) => m.envelope.data.attachedAt === '2026-12-10T08:00:00.000Z'));
    const malformed = JSON.stringify({ alertType: 'FirstAttachment', iccid: 'not-an-iccid' });
    expectProblem(await deliver(malformed, sign(malformed)), 400, 'VALIDATION_FAILED');
  });

  it.each(['base64', 'hex'] as const)('accepts a %s-signed usage alert and hands over exactly one esim.record-usage.v1', async (digest) => {
    const { iccid: id, raw } = alert();
    const before = Date.now();
    const res = await deliver(raw, sign(raw, digest));
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ received: true });
    // The 200 came after the confirm: the message is already in the queue.
    await waitFor(() => mine(id).length > 0);
    await settle();
    expect(mine(id)).toHaveLength(1);
    const [message] = mine(id);
    expect(message!.envelope).toMatchObject({ type: 'esim.record-usage.v1', producer: 'gateway' });
    expect(message!.envelope.data).toMatchObject({
      iccid: id,
      alertType: 'Utilisation',
      bundleName: 'esim_1GB_7D_IM_U',
      assignmentId: '123456789',
      assignmentReference: 'f4b5c0de-2f0c-4c53-9a4f-3f1f4a1d7c21',
      initialBytes: GB,
      remainingBytes: 400_000_000,
      unlimited: false,
      state: 'Active',
      bundleStartsAt: '2026-12-10T09:00:00.000Z',
      bundleEndsAt: '2026-12-17T09:00:00.000Z',
      dedupeKey: alertDedupeKey(Buffer.from(raw)),
    });
    // No time in eSIM Go's alert: the time of receipt stands in for it.
    expect(Date.parse(message!.envelope.data.alertedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(message!.envelope.data.alertedAt).toBe(message!.envelope.data.receivedAt);
    expect(RecordEsimUsageV1.strictSchema.safeParse(message!.envelope.data).success).toBe(true);
    expect(message!.messageId).toBe(message!.envelope.id);
    expect(message!.messageId).toBe(esimGoAlertMessageId(alertDedupeKey(Buffer.from(raw))));
  });

  it('maps a depleted bundle to Depleted and uses the alert\'s own timestamp when it has one', async () => {
    const { iccid: id, raw } = alert({ remaining: 0, alertType: 'Utilisation', extra: { timestamp: '2026-12-10T10:00:00Z' } });
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    const [message] = await waitFor(() => (mine(id).length > 0 ? mine(id) : undefined));
    expect(message!.envelope.data).toMatchObject({ remainingBytes: 0, state: 'Depleted', alertedAt: '2026-12-10T10:00:00.000Z' });
  });

  it('gives a redelivered alert the same message id (the inbox of esim-provisioning drops the second)', async () => {
    const { iccid: id, raw } = alert({ alertType: 'FirstUse', remaining: GB - 1000 });
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    expect((await deliver(raw, sign(raw, 'hex'))).status).toBe(200);
    const both = await waitFor(() => (mine(id).length === 2 ? mine(id) : undefined));
    expect(both[0]!.messageId).toBe(both[1]!.messageId);
  });

  it('refuses missing, wrong, foreign-key and tampered signatures with 400 INVALID_SIGNATURE, publishing nothing', async () => {
    const before = received.length;
    const { raw } = alert();
    expectProblem(await deliver(raw, undefined), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw, ''), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw, 'not-a-signature'), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw, sign(raw, 'base64', 'esimgo-sim-key')), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw, sign(raw, 'hex', 'esimgo-sim-key')), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw.replace('400000000', '900000000'), sign(raw)), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver('', sign('')), 400, 'INVALID_SIGNATURE');
    await settle();
    expect(received.length).toBe(before);
  });

  it('refuses a signed body that is not JSON or not a usage alert with 400, publishing nothing', async () => {
    const before = received.length;
    const notJson = '{"iccid": "8944530000000000001", "alertType": ';
    expectProblem(await deliver(notJson, sign(notJson)), 400, 'INVALID_PAYLOAD');
    const noType = JSON.stringify({ iccid: iccid(), bundle: {} });
    expectProblem(await deliver(noType, sign(noType)), 400, 'VALIDATION_FAILED');
    const { raw } = alert();
    const noQuantity = raw.replace('"remainingQuantity":400000000', '"remainingQuantity":"lots"');
    const res = await deliver(noQuantity, sign(noQuantity));
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(json(res))).toContain('bundle.remainingQuantity');
    const badIccid = JSON.stringify({ ...JSON.parse(raw), iccid: 8944538532008160000 });
    expectProblem(await deliver(badIccid, sign(badIccid)), 400, 'VALIDATION_FAILED');
    await settle();
    expect(received.length).toBe(before);
  });

  it('acknowledges an alert type it does not use (SMSFailed, a new one) with 200 and publishes nothing', async () => {
    const before = received.length;
    const attachmentsBefore = attachments.length;
    for (const body of [
      { alertType: 'SMSFailed', iccid: iccid(), msisdn: '447700900000', timestamp: '2026-12-10T10:00:00Z' },
      { alertType: 'SomethingNew', iccid: iccid(), whatever: { nested: true } },
    ]) {
      const raw = JSON.stringify(body);
      const res = await deliver(raw, sign(raw));
      expect(res.status).toBe(200);
      expect(json(res)).toEqual({ received: true });
    }
    await settle();
    expect(received.length).toBe(before);
    expect(attachments.length).toBe(attachmentsBefore);
  });

  it('refuses a body over the size limit with 413', async () => {
    const raw = JSON.stringify({ alertType: 'Utilisation', padding: 'x'.repeat(70_000) });
    expectProblem(await deliver(raw, sign(raw)), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('writes an audit row with the eSIM as resource and no secret', async () => {
    const { iccid: id, raw } = alert();
    const res = await deliver(raw, sign(raw));
    expect(res.status).toBe(200);
    const row = await waitFor(async () => (await gateway.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE request_id = $1', [res.headers['x-request-id']]))[0]);
    expect(row).toMatchObject({ action: 'esimgo.webhook', actor_type: 'esimgo', resource_type: 'esim', resource_id: id, outcome: 'success', status_code: 200 });
    expect(JSON.stringify(row)).not.toContain(SIGNING_KEY);

    // A delivery whose signature fails authenticated nobody: counted, not stored (anyone can send those).
    const refused = await deliver(raw, 'bad');
    expect(refused.status).toBe(400);
    const next = alert();
    const after = await deliver(next.raw, sign(next.raw));
    await waitFor(async () => (await gateway.query('SELECT 1 FROM audit_log WHERE request_id = $1', [after.headers['x-request-id']]))[0]);
    expect(await gateway.query('SELECT 1 FROM audit_log WHERE request_id = $1', [refused.headers['x-request-id']])).toEqual([]);
  });

  it('answers 503 + Retry-After while the broker is unreachable, and 200 again once it is back', async () => {
    proxy.cut();
    const { iccid: id, raw } = alert();
    const started = Date.now();
    const res = await deliver(raw, sign(raw));
    expectRetryLater(res, 'SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(res.body).not.toMatch(/amqp|rabbit|ECONN/i);
    await settle();
    expect(mine(id)).toHaveLength(0);

    proxy.restore();
    await waitUntilReady(gateway, { timeoutMs: 20_000, message: 'gateway did not reconnect' });
    // eSIM Go's retry of the same alert now goes through.
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    await waitFor(() => mine(id).length === 1);
  });
});
