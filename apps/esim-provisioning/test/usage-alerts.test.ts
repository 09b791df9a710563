/**
 * Component test of the usage push path: esim.record-usage.v1 commands (what the gateway's eSIM Go callback
 * ingress publishes) over a real RabbitMQ vhost into the service on its own Postgres schema; the eSIM is bought
 * through esim.provision.v1 from the real simulator, and usage is read back over RPC like the gateway does.
 * The pull refresh is off (USAGE_REFRESH_AFTER_MS=0), so every usage change seen here came from an alert.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { GetEsimV1, RecordEsimAttachmentV1, RecordEsimUsageV1, routeFor, type Envelope, type Owner } from '@ttelgo/contracts';
import { testLogger, waitFor } from '@ttelgo/testing';
import { USAGE_ALERTS_QUEUE } from '../src/entry-points/messaging/usage-alerts.consumer';
import {
  publishUntilRouted,
  provisionEsims,
  sendUsageAlert,
  startEsimProvisioningHarness,
  storedUsage as storedUsageOf,
  usageAlert,
  waitUntilProcessed,
  type EsimProvisioningHarness,
  type RecordUsage,
} from './support/esim-provisioning.harness';

jest.setTimeout(60_000);

const logger = testLogger('esim-provisioning-usage-alerts-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const GB = 1_000_000_000;

let h: EsimProvisioningHarness;
let admin: amqplib.ChannelModel;
let rpc: EsimProvisioningHarness['rpc'];
let pgClient: EsimProvisioningHarness['pgClient'];
let schema: string;

const owner: Owner = { type: 'customer', id: `cust-${randomUUID()}` };
let iccid: string;

const alert = (overrides: Partial<RecordUsage> = {}): RecordUsage => usageAlert(iccid, { bundleName: BUNDLE, initialBytes: GB, ...overrides });
const send = (data: RecordUsage, opts: { id?: string } = {}): Promise<Envelope<RecordUsage>> => sendUsageAlert(h, data, opts);
const processed = (messageId: string): Promise<void> => waitUntilProcessed(h, messageId, 'esim.record-usage');
const storedUsage = (id = iccid) => storedUsageOf(h, id);

async function queueDepths(): Promise<{ queue: number; dlq: number }> {
  const ch = await admin.createChannel();
  try {
    const queue = await ch.checkQueue(USAGE_ALERTS_QUEUE);
    const dlq = await ch.checkQueue(`${USAGE_ALERTS_QUEUE}.dlq`);
    return { queue: queue.messageCount, dlq: dlq.messageCount };
  } finally {
    await ch.close();
  }
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimusage', logger, 'gateway-test');
  ({ rpc, pgClient, schema } = h);
  admin = await amqplib.connect(h.vhost.url);
  const service = await h.startService({ USAGE_REFRESH_AFTER_MS: '0' });
  await service.syncCatalogueNow();

  // One eSIM of ours, bought the way the order service asks for it.
  [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
});

afterAll(async () => {
  await admin?.close().catch(() => undefined);
  await h?.close();
});

describe('esim.record-usage.v1', () => {
  let firstAt: Date;

  it('records the first alert of an eSIM: usage, state and the bundle end served by esim.get-esim.v1', async () => {
    expect((await rpc.call(GetEsimV1, { owner, iccid })).usage).toEqual({ initialBytes: null, remainingBytes: null, state: 'UNKNOWN' });
    const data = alert({ alertType: 'FirstUse', remainingBytes: GB - 1000 });
    firstAt = new Date(data.alertedAt);
    await processed((await send(data)).id);
    const view = await rpc.call(GetEsimV1, { owner, iccid });
    expect(view.usage).toEqual({ initialBytes: GB, remainingBytes: GB - 1000, state: 'Active' });
    expect(view.expiresAt).toBe('2026-12-17T09:00:00.000Z');
    expect((await storedUsage())?.usage_synced_at?.toISOString()).toBe(firstAt.toISOString());
  });

  it('applies a newer alert', async () => {
    const data = alert({ remainingBytes: 200_000_000, alertedAt: new Date(firstAt.getTime() + 60_000).toISOString() });
    await processed((await send(data)).id);
    expect((await rpc.call(GetEsimV1, { owner, iccid })).usage).toEqual({ initialBytes: GB, remainingBytes: 200_000_000, state: 'Active' });
  });

  it('ignores an older alert that arrives late, and a later-received one that reports usage going back', async () => {
    const before = await storedUsage();
    const older = alert({ remainingBytes: 500_000_000, alertedAt: new Date(firstAt.getTime() + 30_000).toISOString() });
    await processed((await send(older)).id);
    expect(await storedUsage()).toEqual(before);

    // Newer by the clock but more data left on the same bundle: a retried or replayed old alert.
    const replayed = alert({ remainingBytes: 500_000_000, alertedAt: new Date(firstAt.getTime() + 120_000).toISOString() });
    await processed((await send(replayed)).id);
    expect(await storedUsage()).toEqual(before);
    expect((await rpc.call(GetEsimV1, { owner, iccid })).usage.remainingBytes).toBe(200_000_000);
  });

  it('drops a duplicate delivery (same message id) and an identical alert: nothing changes', async () => {
    const depleted = alert({ remainingBytes: 0, state: 'Depleted', alertedAt: new Date(firstAt.getTime() + 180_000).toISOString() });
    const first = await send(depleted);
    await processed(first.id);
    const after = await storedUsage();
    expect(after).toMatchObject({ remaining_bytes: '0', usage_state: 'Depleted' });

    // The gateway derives the id from the raw body: eSIM Go's retry of the same alert is the same message.
    await send({ ...depleted, receivedAt: new Date().toISOString() }, { id: first.id });
    // The same figures again under another id (e.g. a replay after the inbox was cleaned up), later in time.
    const again = await send({ ...depleted, alertedAt: new Date(firstAt.getTime() + 240_000).toISOString(), dedupeKey: 'f'.repeat(64) });
    await processed(again.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedUsage()).toEqual(after);
    const { rows } = await pgClient.query(`SELECT count(*)::int AS n FROM "${schema}".inbox WHERE message_id = $1`, [first.id]);
    expect(rows[0].n).toBe(1);
    expect(await queueDepths()).toEqual({ queue: 0, dlq: 0 });
  });

  it('ignores an alert about another bundle on our eSIM', async () => {
    const before = await storedUsage();
    const other = alert({ bundleName: 'esim_3GB_30D_IM_U', initialBytes: 3 * GB, remainingBytes: 3 * GB - 1, alertedAt: new Date(firstAt.getTime() + 300_000).toISOString() });
    await processed((await send(other)).id);
    expect(await storedUsage()).toEqual(before);
  });

  it('acknowledges an alert for an ICCID we do not know (not ours): no row, no retry, nothing in the DLQ', async () => {
    const unknown = '8944530000000000000';
    const sent = await send(alert({ iccid: unknown }));
    await processed(sent.id);
    expect(await storedUsage(unknown)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(await queueDepths()).toEqual({ queue: 0, dlq: 0 });
  });

  it('dead-letters an invalid command (poison) instead of retrying it forever', async () => {
    const poison = { ...alert(), remainingBytes: -1 } as RecordUsage;
    const envelope = { id: randomUUID(), type: RecordEsimUsageV1.name, occurredAt: new Date().toISOString(), producer: 'gateway', correlationId: randomUUID(), data: poison };
    await publishUntilRouted(() => h.publisher.publish(routeFor(RecordEsimUsageV1), envelope), 'poison');
    await waitFor(async () => (await queueDepths()).dlq === 1, { timeoutMs: 10_000, message: 'the poison message did not reach the DLQ' });
  });
});

describe('esim.record-attachment.v1 (eSIM Go FirstAttachment)', () => {
  const attach = (id: string, attachedAt: string, messageId?: string) =>
    publishUntilRouted(
      () =>
        h.publisher.publishMessage(
          RecordEsimAttachmentV1,
          { iccid: id, attachedAt, receivedAt: new Date().toISOString(), dedupeKey: randomUUID().replace(/-/g, '').padEnd(64, '0') },
          { producer: 'gateway', correlationId: randomUUID(), ...(messageId ? { id: messageId } : {}) },
        ),
      'esim.record-attachment.v1',
    );

  it('sets activatedAt at the first attach; a replayed or later one changes nothing; an earlier attach wins over a first use seen before it', async () => {
    const [fresh] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    expect((await rpc.call(GetEsimV1, { owner, iccid: fresh })).activatedAt).toBeNull();

    const first = await attach(fresh, '2026-12-10T08:00:00.000Z');
    await processed(first.id);
    expect((await rpc.call(GetEsimV1, { owner, iccid: fresh })).activatedAt).toBe('2026-12-10T08:00:00.000Z');
    await processed((await attach(fresh, '2026-12-11T08:00:00.000Z')).id);
    expect((await rpc.call(GetEsimV1, { owner, iccid: fresh })).activatedAt).toBe('2026-12-10T08:00:00.000Z');

    // A first use seen first (activation = its start), then the attach that came before it.
    const [used] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    await processed((await send(usageAlert(used, { alertType: 'FirstUse', bundleName: BUNDLE, initialBytes: GB, remainingBytes: GB - 1, bundleStartsAt: '2026-12-10T09:00:00.000Z' }))).id);
    expect((await rpc.call(GetEsimV1, { owner, iccid: used })).activatedAt).toBe('2026-12-10T09:00:00.000Z');
    await processed((await attach(used, '2026-12-10T08:30:00.000Z')).id);
    expect((await rpc.call(GetEsimV1, { owner, iccid: used })).activatedAt).toBe('2026-12-10T08:30:00.000Z');
  });

  it('acknowledges the attach of an ICCID we do not hold', async () => {
    const sent = await attach('8944530000000000099', new Date().toISOString());
    await processed(sent.id);
    await new Promise((r) => setTimeout(r, 300));
    // Acked, not retried: the one dead letter is the poison message of the test above.
    expect(await queueDepths()).toEqual({ queue: 0, dlq: 1 });
  });
});
