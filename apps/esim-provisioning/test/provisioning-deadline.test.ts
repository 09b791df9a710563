/**
 * eSIM Go's 403 and the provisioning deadline, through the real simulator. eSIM Go answers 403 both for a bad API
 * key and for an organisation with no bundles left: the first pauses provisioning and raises an alert, the second
 * fails the order (the order service then refunds or releases). An order that has no eSIM after
 * PROVISIONING_DEADLINE_MS is settled against eSIM Go: bought -> completed, not bought -> failed. Each test starts
 * its own replica (their configurations differ) and stops it.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { ProvisionEsimV1, type Owner } from '@ttelgo/contracts';
import { declareEventExchange } from '@ttelgo/messaging';
import { testLogger, waitFor } from '@ttelgo/testing';
import type { EsimProvisioningHandle } from '../src/service';
import { publishUntilRouted, startEsimProvisioningHarness, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-deadline-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const DEADLINE_MS = 4000;

interface OutcomeEvent {
  type: string;
  data: { orderId: string; code?: string; reason?: string; providerOrderReference?: string };
}

let h: EsimProvisioningHarness;
let eventsConn: amqplib.ChannelModel;
const events: OutcomeEvent[] = [];
let service: EsimProvisioningHandle | undefined;

const requests = (key: string): number => h.sim.sim.state.requestCounts[key] ?? 0;
const customer = (): Owner => ({ type: 'customer', id: `cust-${randomUUID()}` });
const eventsFor = (orderId: string): OutcomeEvent[] => events.filter((e) => e.data.orderId === orderId);

async function start(env: Record<string, string> = {}): Promise<EsimProvisioningHandle> {
  service = await h.startService(
    { ESIMGO_TIMEOUT_MS: '1000', BREAKER_RESET_MS: '300', PROVISION_LEASE_MS: '5000', PROVISIONING_DEADLINE_MS: String(DEADLINE_MS), ...env },
    { provisionRetryDelaysMs: [300, 600, 1000, 1500, 2000, 3000, 4000] },
  );
  return service;
}

async function provision(): Promise<string> {
  const orderId = randomUUID();
  await publishUntilRouted(
    () => h.publisher.publishMessage(ProvisionEsimV1, { orderId, owner: customer(), bundleName: BUNDLE, quantity: 1 }, { producer: 'order', correlationId: randomUUID() }),
    'esim.provision.v1',
  );
  return orderId;
}

async function providerOrder(orderId: string): Promise<{ state: string; attempts: number; failure_code: string | null; requested_at: Date } | undefined> {
  const { rows } = await h.pgClient.query(`SELECT state, attempts, failure_code, requested_at FROM "${h.schema}".provider_orders WHERE order_id = $1`, [orderId]);
  return rows[0];
}

async function gauge(s: EsimProvisioningHandle, name: string): Promise<number> {
  const metric = s.metrics.registry.getSingleMetric(name);
  if (!metric) return Number.NaN;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function pastDeadline(orderId: string): Promise<void> {
  const requestedAt = (await providerOrder(orderId))!.requested_at.getTime();
  await waitFor(() => Date.now() > requestedAt + DEADLINE_MS + 200, { timeoutMs: DEADLINE_MS + 5000, message: 'the deadline did not pass' });
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimdeadline', logger, 'order-test');
  eventsConn = await amqplib.connect(h.vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'esim');
  const q = await ch.assertQueue('', { exclusive: true });
  for (const key of ['esim.provisioned.v1', 'esim.provisioning-failed.v1']) await ch.bindQueue(q.queue, 'ttelgo.events.esim', key);
  await ch.consume(q.queue, (msg) => msg && events.push(JSON.parse(msg.content.toString()) as OutcomeEvent), { noAck: true });
});

afterEach(async () => {
  h.sim.sim.control.resetFaults();
  await service?.close();
  service = undefined;
});

afterAll(async () => {
  await eventsConn?.close().catch(() => undefined);
  await h?.close();
});

describe("eSIM Go's 403", () => {
  it('"no bundles left" fails the order at once with its own code: nothing bought, nothing retried', async () => {
    await start();
    const simOrders = h.sim.sim.state.orders.size;
    h.sim.sim.control.setFaults({ noBundlesLeft: true });
    const orderId = await provision();
    await waitFor(() => eventsFor(orderId).length > 0, { timeoutMs: 15_000, message: 'no outcome for an order eSIM Go cannot sell' });
    expect(eventsFor(orderId)).toEqual([
      expect.objectContaining({ type: 'esim.provisioning-failed.v1', data: expect.objectContaining({ orderId, code: 'PROVIDER_NO_BUNDLES_LEFT' }) }),
    ]);
    expect(await providerOrder(orderId)).toMatchObject({ state: 'FAILED', failure_code: 'PROVIDER_NO_BUNDLES_LEFT' });
    expect(h.sim.sim.state.orders.size).toBe(simOrders);
  });

  it('a refused API key pauses provisioning and raises the alert; at the deadline the order fails (nothing was bought)', async () => {
    const s = await start({ ESIMGO_API_KEY: 'not-the-key', PROVISIONING_PAUSE_MS: '60000' });
    const posts = requests('POST /orders');
    const orderId = await provision();
    await waitFor(async () => (await gauge(s, 'ttelgo_provisioning_paused')) === 1, { timeoutMs: 10_000, message: 'provisioning was not paused' });
    // One refused POST, then no more while paused; the refusal was definite, so no attempt may have bought.
    expect(requests('POST /orders') - posts).toBe(1);
    expect(await providerOrder(orderId)).toMatchObject({ state: 'REQUESTED', attempts: 0 });
    expect(eventsFor(orderId)).toEqual([]);

    // Past the deadline, the next look at the order (a command retry or the reconcile job) fails it.
    await pastDeadline(orderId);
    await s.reconcileProviderOrdersNow();
    await waitFor(() => eventsFor(orderId).length > 0, { timeoutMs: 10_000, message: 'the order did not fail at its deadline' });
    expect(eventsFor(orderId)[0]).toMatchObject({ type: 'esim.provisioning-failed.v1', data: { code: 'PROVISIONING_DEADLINE_EXCEEDED' } });
    expect(requests('POST /orders') - posts).toBe(1);
    expect(await gauge(s, 'ttelgo_provider_orders_past_deadline')).toBe(0);
  });
});

describe('the provisioning deadline', () => {
  it('not bought by the deadline (eSIM Go unreachable meanwhile): FAILED, never bought late', async () => {
    const s = await start();
    const simOrders = h.sim.sim.state.orders.size;
    h.sim.sim.control.setFaults({ outage: true, paths: ['/orders'] });
    const orderId = await provision();
    await waitFor(async () => (await providerOrder(orderId))?.state === 'UNKNOWN', { timeoutMs: 15_000, message: 'the order did not become UNKNOWN' });
    await pastDeadline(orderId);
    expect(await gauge(s, 'ttelgo_provider_orders_past_deadline')).toBe(1);

    h.sim.sim.control.resetFaults();
    await s.reconcileProviderOrdersNow();
    await waitFor(() => eventsFor(orderId).length > 0, { timeoutMs: 15_000, message: 'no outcome after the deadline' });
    expect(eventsFor(orderId)[0]).toMatchObject({ type: 'esim.provisioning-failed.v1', data: { code: 'PROVISIONING_DEADLINE_EXCEEDED' } });
    expect(await providerOrder(orderId)).toMatchObject({ state: 'FAILED', failure_code: 'PROVISIONING_DEADLINE_EXCEEDED' });
    expect(h.sim.sim.state.orders.size).toBe(simOrders);
  });

  it('bought before the deadline but never heard of: completed with that eSIM Go order', async () => {
    const s = await start();
    await s.syncCatalogueNow();
    // eSIM Go commits the order and the answer is lost; then eSIM Go is unreachable until the deadline has passed.
    h.sim.sim.control.setFaults({ timeoutRate: 1, hangMs: 3000, paths: ['/orders'] });
    const orderId = await provision();
    await waitFor(async () => (await providerOrder(orderId))?.state === 'UNKNOWN', { timeoutMs: 15_000, message: 'the order did not become UNKNOWN' });
    const bought = [...h.sim.sim.state.orders.values()].at(-1)!;
    h.sim.sim.control.resetFaults();
    h.sim.sim.control.setFaults({ outage: true, paths: ['/orders'] });
    await pastDeadline(orderId);

    h.sim.sim.control.resetFaults();
    await s.reconcileProviderOrdersNow();
    await waitFor(() => eventsFor(orderId).length > 0, { timeoutMs: 15_000, message: 'no outcome after the deadline' });
    expect(eventsFor(orderId)[0]).toMatchObject({ type: 'esim.provisioned.v1', data: { providerOrderReference: bought.orderReference } });
    expect(await providerOrder(orderId)).toMatchObject({ state: 'COMPLETED', attempts: 1 });
  });
});
