/**
 * What the component tests of esim-provisioning share: the service on its own Postgres schema and RabbitMQ vhost,
 * the real eSIM Go simulator, a Postgres client to arrange and read the stored rows, and a client connection that
 * publishes commands and calls RPCs the way the order service and the gateway do.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ProvisionEsimV1, RecordEsimUsageV1, type DataOf, type Envelope, type Owner } from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcClient, UnroutableError } from '@ttelgo/messaging';
import { createMetrics, type Logger } from '@ttelgo/observability';
import { TEST_DATABASE_URL, createTestSchemaName, createTestVhost, dropSchema, waitFor, type TestVhost } from '@ttelgo/testing';
import { loadEsimProvisioningConfig } from '../../src/config';
import { startEsimProvisioning, type EsimProvisioningHandle, type StartOptions } from '../../src/service';
import { startEsimGoSim, type RunningSimulator } from './esimgo-sim';

export type RecordUsage = DataOf<typeof RecordEsimUsageV1>;

export interface EsimProvisioningHarness {
  schema: string;
  vhost: TestVhost;
  sim: RunningSimulator;
  /** A plain client on the test database: tests name the schema in their SQL. */
  pgClient: pg.Client;
  /** Publishes commands with a confirm, like the order service and the gateway. */
  publisher: ConfirmPublisher;
  /** Calls the service's RPCs as the gateway. */
  rpc: RpcClient;
  /**
   * A replica of the service on the harness's schema, vhost and simulator. `env` adds to (or overrides) the test
   * defaults; the provider order reconciliation runs only when a test drives it. close() stops it.
   */
  startService(env?: Record<string, string>, opts?: Omit<StartOptions, 'logger' | 'metrics'>): Promise<EsimProvisioningHandle>;
  /** Stops the client, every replica, the simulator, and drops the schema and vhost. */
  close(): Promise<void>;
}

/** Schema, vhost and simulator named after `prefix`; the client connection shows up in RabbitMQ as `clientName`. */
export async function startEsimProvisioningHarness(prefix: string, logger: Logger, clientName: string): Promise<EsimProvisioningHarness> {
  const schema = createTestSchemaName(prefix);
  const vhost = await createTestVhost(prefix);
  const services: EsimProvisioningHandle[] = [];
  let sim: RunningSimulator | undefined;
  let pgClient: pg.Client | undefined;
  let clientConn: AmqpConnection | undefined;
  let rpc: RpcClient | undefined;

  const close = async (): Promise<void> => {
    await rpc?.stop().catch(() => undefined);
    await clientConn?.close().catch(() => undefined);
    // close() of a replica a test already stopped does nothing.
    for (const service of services.splice(0).reverse()) await service.close();
    await sim?.close();
    await pgClient?.end().catch(() => undefined);
    await dropSchema(TEST_DATABASE_URL, schema);
    await vhost.dispose();
  };

  try {
    sim = await startEsimGoSim(logger);
    pgClient = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await pgClient.connect();
    clientConn = new AmqpConnection({ url: vhost.url, name: clientName, logger });
    await clientConn.start();
    const publisher = new ConfirmPublisher(clientConn, { logger });
    rpc = new RpcClient(clientConn, { logger, producer: 'gateway' });
    await rpc.start();
    const running = sim;
    return {
      schema,
      vhost,
      sim: running,
      pgClient,
      publisher,
      rpc,
      startService: async (env = {}, opts = {}) => {
        const config = loadEsimProvisioningConfig({ NODE_ENV: 'test',
          DATABASE_URL: TEST_DATABASE_URL,
          DB_SCHEMA: schema,
          AMQP_URL: vhost.url,
          OPS_PORT: '0',
          ESIMGO_BASE_URL: running.baseUrl,
          ESIMGO_API_KEY: running.apiKey,
          PROVISION_RECONCILE_INTERVAL_MS: '3600000',
          LOG_LEVEL: 'silent',
          ...env,
        });
        const service = await startEsimProvisioning(config, { logger, metrics: createMetrics('esim-provisioning'), ...opts });
        services.push(service);
        return service;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The consumers declare their queues asynchronously at start: a publish that comes back unroutable is re-sent. */
export async function publishUntilRouted<T>(publish: () => Promise<T>, what: string): Promise<T> {
  const routed = await waitFor(
    async () => {
      try {
        return { value: await publish() };
      } catch (err) {
        if (err instanceof UnroutableError) return undefined;
        throw err;
      }
    },
    { timeoutMs: 10_000, message: `${what} could not be routed` },
  );
  return routed.value;
}

/** Buys `quantity` eSIMs through esim.provision.v1, as the order service does; their ICCIDs in ICCID order. */
export async function provisionEsims(h: EsimProvisioningHarness, order: { owner: Owner; bundleName: string; quantity: number }): Promise<string[]> {
  const orderId = randomUUID();
  await publishUntilRouted(
    () => h.publisher.publishMessage(ProvisionEsimV1, { orderId, ...order }, { producer: 'order', correlationId: randomUUID() }),
    'esim.provision.v1',
  );
  return waitFor(
    async () => {
      const { rows } = await h.pgClient.query<{ iccid: string }>(`SELECT iccid FROM "${h.schema}".esims WHERE order_id = $1 ORDER BY iccid`, [orderId]);
      return rows.length === order.quantity ? rows.map((r) => r.iccid) : undefined;
    },
    { timeoutMs: 30_000, message: `the ${order.quantity} eSIM(s) of order ${orderId} were not provisioned` },
  );
}

/** An esim.record-usage.v1 command as the gateway makes it from an eSIM Go alert; every field can be overridden. */
export function usageAlert(iccid: string, overrides: Partial<RecordUsage> = {}): RecordUsage {
  const now = new Date().toISOString();
  return {
    iccid,
    alertType: 'Utilisation',
    bundleName: 'esim_1GB_7D_IM_U',
    assignmentId: '100000001',
    assignmentReference: null,
    initialBytes: 1_000_000_000,
    remainingBytes: 500_000_000,
    unlimited: false,
    state: 'Active',
    bundleStartsAt: '2026-12-10T09:00:00.000Z',
    bundleEndsAt: '2026-12-17T09:00:00.000Z',
    alertedAt: now,
    receivedAt: now,
    dedupeKey: createHash('sha256').update(`alert-${randomUUID()}`).digest('hex'),
    ...overrides,
  };
}

/** Publishes esim.record-usage.v1 as the gateway (under the given message id, for a redelivery). */
export function sendUsageAlert(h: EsimProvisioningHarness, data: RecordUsage, opts: { id?: string } = {}): Promise<Envelope<RecordUsage>> {
  return publishUntilRouted(
    () => h.publisher.publishMessage(RecordEsimUsageV1, data, { producer: 'gateway', correlationId: randomUUID(), ...(opts.id ? { id: opts.id } : {}) }),
    'esim.record-usage.v1',
  );
}

/** Waits until the service's inbox holds the message (for `handler`, when given): it was processed and committed. */
export async function waitUntilProcessed(h: EsimProvisioningHarness, messageId: string, handler?: string): Promise<void> {
  const byHandler = handler === undefined ? '' : ' AND handler = $2';
  await waitFor(
    async () =>
      (await h.pgClient.query(`SELECT 1 FROM "${h.schema}".inbox WHERE message_id = $1${byHandler}`, handler === undefined ? [messageId] : [messageId, handler]))
        .rowCount === 1 || undefined,
    { timeoutMs: 10_000, message: `message ${messageId} was not processed` },
  );
}

export interface StoredUsage {
  initial_bytes: string | null;
  remaining_bytes: string | null;
  usage_state: string;
  usage_synced_at: Date | null;
  expires_at: Date | null;
  expires_at_reported: boolean;
}

/**
 * The usage columns of the first bundle on one stored eSIM (the one it was bought with), under the names of its
 * eSIM Go figures; undefined when there is no eSIM for the ICCID.
 */
export async function storedUsage(h: EsimProvisioningHarness, iccid: string): Promise<StoredUsage | undefined> {
  const { rows } = await h.pgClient.query<StoredUsage>(
    `SELECT initial_bytes, remaining_bytes, provider_state AS usage_state, usage_synced_at, ends_at AS expires_at, ends_at_reported AS expires_at_reported
       FROM "${h.schema}".esim_bundles WHERE iccid = $1 ORDER BY assigned_at, id LIMIT 1`,
    [iccid],
  );
  return rows[0];
}
