/**
 * Component test of the usage push path: esim.record-usage.v1 commands (what the gateway's eSIM Go callback
 * ingress publishes) over a real RabbitMQ vhost into the service on its own Postgres schema; the eSIM is bought
 * through esim.provision.v1 from the real simulator, and usage is read back over RPC like the gateway does.
 * The pull refresh is off (USAGE_REFRESH_AFTER_MS=0), so every usage change seen here came from an alert.
 */
import { createHash, randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import pg from 'pg';
import { GetEsimV1, ProvisionEsimV1, RecordEsimUsageV1, routeFor, type DataOf, type Envelope, type Owner } from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcClient, UnroutableError } from '@ttelgo/messaging';
import { createMetrics } from '@ttelgo/observability';
import { TEST_DATABASE_URL, createTestSchemaName, createTestVhost, dropSchema, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import { loadEsimProvisioningConfig } from '../src/config';
import { USAGE_ALERTS_QUEUE } from '../src/entry-points/messaging/usage-alerts.consumer';
import { startEsimProvisioning, type EsimProvisioningHandle } from '../src/service';
import { startEsimGoSim, type RunningSimulator } from './support/esimgo-sim';

jest.setTimeout(60_000);

type RecordUsage = DataOf<typeof RecordEsimUsageV1>;

const logger = testLogger('esim-provisioning-usage-alerts-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const GB = 1_000_000_000;

let schema: string;
let vhost: TestVhost;
let sim: RunningSimulator;
let service: EsimProvisioningHandle;
let clientConn: AmqpConnection;
let publisher: ConfirmPublisher;
let rpc: RpcClient;
let admin: amqplib.ChannelModel;
let pgClient: pg.Client;

const owner: Owner = { type: 'customer', id: `cust-${randomUUID()}` };
let iccid: string;

async function publishUntilRouted(fn: () => Promise<void>, what: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        await fn();
        return true;
      } catch (err) {
        if (err instanceof UnroutableError) return undefined;
        throw err;
      }
    },
    { timeoutMs: 10_000, message: `${what} could not be routed` },
  );
}

let seq = 0;
function alert(overrides: Partial<RecordUsage> = {}): RecordUsage {
  seq += 1;
  const base: RecordUsage = {
    iccid,
    alertType: 'Utilisation',
    bundleName: BUNDLE,
    assignmentId: '100000001',
    assignmentReference: null,
    initialBytes: GB,
    remainingBytes: 500_000_000,
    unlimited: false,
    state: 'Active',
    bundleStartsAt: '2026-12-10T09:00:00.000Z',
    bundleEndsAt: '2026-12-17T09:00:00.000Z',
    alertedAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    dedupeKey: createHash('sha256').update(`alert-${seq}-${randomUUID()}`).digest('hex'),
  };
  return { ...base, ...overrides };
}

async function send(data: RecordUsage, opts: { id?: string } = {}): Promise<Envelope<RecordUsage>> {
  let sent: Envelope<RecordUsage> | undefined;
  await publishUntilRouted(async () => {
    sent = await publisher.publishMessage(RecordEsimUsageV1, data, { producer: 'gateway', correlationId: randomUUID(), ...(opts.id ? { id: opts.id } : {}) });
  }, 'esim.record-usage.v1');
  return sent!;
}

async function processed(messageId: string): Promise<void> {
  await waitFor(
    async () => (await pgClient.query(`SELECT 1 FROM "${schema}".inbox WHERE message_id = $1 AND handler = 'esim.record-usage'`, [messageId])).rowCount === 1,
    { timeoutMs: 10_000, message: `alert ${messageId} was not processed` },
  );
}

async function storedUsage(id = iccid): Promise<{ initial_bytes: string | null; remaining_bytes: string | null; usage_state: string; usage_synced_at: Date | null; expires_at: Date | null }> {
  const { rows } = await pgClient.query(`SELECT initial_bytes, remaining_bytes, usage_state, usage_synced_at, expires_at FROM "${schema}".esims WHERE iccid = $1`, [id]);
  return rows[0];
}

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
  schema = createTestSchemaName('esimusage');
  vhost = await createTestVhost('esimusage');
  sim = await startEsimGoSim(logger);
  pgClient = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await pgClient.connect();
  admin = await amqplib.connect(vhost.url);

  const config = loadEsimProvisioningConfig({
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    ESIMGO_BASE_URL: sim.baseUrl,
    ESIMGO_API_KEY: sim.apiKey,
    USAGE_REFRESH_AFTER_MS: '0',
    PROVISION_RECONCILE_INTERVAL_MS: '3600000',
    LOG_LEVEL: 'silent',
  });
  service = await startEsimProvisioning(config, { logger, metrics: createMetrics('esim-provisioning') });
  await service.syncCatalogueNow();

  clientConn = new AmqpConnection({ url: vhost.url, name: 'gateway-test', logger });
  await clientConn.start();
  publisher = new ConfirmPublisher(clientConn, { logger });
  rpc = new RpcClient(clientConn, { logger, producer: 'gateway' });
  await rpc.start();

  // One eSIM of ours, bought the way the order service asks for it.
  const orderId = randomUUID();
  await publishUntilRouted(
    async () => void (await publisher.publishMessage(ProvisionEsimV1, { orderId, owner, bundleName: BUNDLE, quantity: 1 }, { producer: 'order', correlationId: randomUUID() })),
    'esim.provision.v1',
  );
  iccid = await waitFor(
    async () => (await pgClient.query<{ iccid: string }>(`SELECT iccid FROM "${schema}".esims WHERE order_id = $1`, [orderId])).rows[0]?.iccid,
    { timeoutMs: 30_000, message: 'the eSIM was not provisioned' },
  );
});

afterAll(async () => {
  await rpc?.stop().catch(() => undefined);
  await clientConn?.close().catch(() => undefined);
  await service?.close();
  await admin?.close().catch(() => undefined);
  await sim?.close();
  await pgClient?.end().catch(() => undefined);
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
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
    expect((await storedUsage()).usage_synced_at?.toISOString()).toBe(firstAt.toISOString());
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
    await publishUntilRouted(() => publisher.publish(routeFor(RecordEsimUsageV1), envelope), 'poison');
    await waitFor(async () => (await queueDepths()).dlq === 1, { timeoutMs: 10_000, message: 'the poison message did not reach the DLQ' });
  });
});
