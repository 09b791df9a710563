/**
 * What esim-provisioning does when eSIM Go's answers are not what we expect: a list it cannot read is never "no
 * orders" (it would buy twice), it asks for pages of at most 50 (the simulator refuses more, as eSIM Go may), and
 * it pages on pageCount or an empty page, never on "a page shorter than asked". Driven through the real simulator.
 */
import { randomUUID } from 'node:crypto';
import { ProvisionEsimV1, type Owner } from '@ttelgo/contracts';
import { testLogger, waitFor } from '@ttelgo/testing';
import type { EsimProvisioningHandle } from '../src/service';
import { publishUntilRouted, startEsimProvisioningHarness, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-provider-contract-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const ESIMGO_TIMEOUT_MS = 1000;

let h: EsimProvisioningHarness;
let service: EsimProvisioningHandle;

const requests = (key: string): number => h.sim.sim.state.requestCounts[key] ?? 0;
const customer = (): Owner => ({ type: 'customer', id: `cust-${randomUUID()}` });

async function providerOrder(orderId: string): Promise<{ state: string; attempts: number; provider_reference: string | null } | undefined> {
  const { rows } = await h.pgClient.query(`SELECT state, attempts, provider_reference FROM "${h.schema}".provider_orders WHERE order_id = $1`, [orderId]);
  return rows[0];
}

async function contractErrors(operation: string): Promise<number> {
  const metric = service.metrics.registry.getSingleMetric('ttelgo_provider_contract_errors_total');
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => v.labels.provider === 'esimgo' && v.labels.operation === operation).reduce((sum, v) => sum + v.value, 0);
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimcontract', logger, 'order-test');
  service = await h.startService(
    { ESIMGO_TIMEOUT_MS: String(ESIMGO_TIMEOUT_MS), BREAKER_RESET_MS: '300', PROVISION_LEASE_MS: '5000' },
    { provisionRetryDelaysMs: [300, 600, 1000, 1500, 2000, 3000, 4000] },
  );
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  h.sim.sim.control.resetFaults();
});

describe('eSIM Go answers we cannot read', () => {
  it('an order list in a shape we do not know is a contract error: counted, retried, never taken as "no orders"', async () => {
    const orderId = randomUUID();
    const simOrdersBefore = h.sim.sim.state.orders.size;
    const posts = requests('POST /orders');
    // eSIM Go commits the purchase and never answers: the order is UNKNOWN and must be looked up before any retry.
    h.sim.sim.control.setFaults({ timeoutRate: 1, hangMs: 3 * ESIMGO_TIMEOUT_MS, paths: ['/orders'] });
    await publishUntilRouted(
      () => h.publisher.publishMessage(ProvisionEsimV1, { orderId, owner: customer(), bundleName: BUNDLE, quantity: 1 }, { producer: 'order', correlationId: randomUUID() }),
      'esim.provision.v1',
    );
    await waitFor(async () => (await providerOrder(orderId))?.state === 'UNKNOWN', { timeoutMs: 15_000, intervalMs: 20, message: 'the order never became UNKNOWN' });
    // Then eSIM Go answers its order list under a key we have never seen.
    h.sim.sim.control.resetFaults();
    h.sim.sim.control.setFaults({ ordersListKey: 'data' });
    const lookups = requests('GET /orders');
    // Three more lookups, or the order was finished some other way (by buying again: the failure this guards).
    await waitFor(async () => requests('GET /orders') - lookups >= 3 || (await providerOrder(orderId))?.state === 'COMPLETED', {
      timeoutMs: 20_000,
      message: 'the order was not looked up again',
    });

    expect(requests('POST /orders') - posts).toBe(1);
    expect(h.sim.sim.state.orders.size - simOrdersBefore).toBe(1);
    expect((await providerOrder(orderId))?.state).toBe('UNKNOWN');
    expect(await contractErrors('orders.list')).toBeGreaterThanOrEqual(3);

    // Once eSIM Go answers as documented again, the order of the first attempt is adopted: bought once.
    h.sim.sim.control.setFaults({ ordersListKey: 'orders' });
    const bought = [...h.sim.sim.state.orders.values()].at(-1)!;
    await waitFor(async () => (await providerOrder(orderId))?.state === 'COMPLETED', { timeoutMs: 20_000, message: 'the order was not completed' });
    expect(await providerOrder(orderId)).toMatchObject({ attempts: 1, provider_reference: bought.orderReference });
    expect(requests('POST /orders') - posts).toBe(1);
  });
});

describe('buying without a reference of ours (eSIM Go has none)', () => {
  it('the purchase carries only the documented OrderRequest fields', async () => {
    const posts = requests('POST /orders');
    const orderId = randomUUID();
    await publishUntilRouted(
      () => h.publisher.publishMessage(ProvisionEsimV1, { orderId, owner: customer(), bundleName: BUNDLE, quantity: 1 }, { producer: 'order', correlationId: randomUUID() }),
      'esim.provision.v1',
    );
    await waitFor(async () => (await providerOrder(orderId))?.state === 'COMPLETED', { timeoutMs: 20_000, message: 'the order was not completed' });
    expect(requests('POST /orders') - posts).toBe(1);
    const bought = h.sim.sim.state.orders.get((await providerOrder(orderId))!.provider_reference!)!;
    expect(bought.clientReference).toBeUndefined();
  });

  it('two orders of the same bundle whose answers were lost each adopt their own eSIM Go order, none bought twice', async () => {
    const ids = [randomUUID(), randomUUID()];
    const simOrdersBefore = h.sim.sim.state.orders.size;
    const posts = requests('POST /orders');
    h.sim.sim.control.setFaults({ timeoutRate: 1, hangMs: 3 * ESIMGO_TIMEOUT_MS, paths: ['/orders'] });
    for (const orderId of ids) {
      await publishUntilRouted(
        () => h.publisher.publishMessage(ProvisionEsimV1, { orderId, owner: customer(), bundleName: BUNDLE, quantity: 1 }, { producer: 'order', correlationId: randomUUID() }),
        'esim.provision.v1',
      );
    }
    for (const orderId of ids) {
      await waitFor(async () => (await providerOrder(orderId))?.state === 'UNKNOWN', { timeoutMs: 15_000, intervalMs: 20, message: 'the order never became UNKNOWN' });
    }
    h.sim.sim.control.resetFaults();
    for (const orderId of ids) {
      await waitFor(async () => (await providerOrder(orderId))?.state === 'COMPLETED', { timeoutMs: 20_000, message: 'the order was not completed' });
    }
    const references = await Promise.all(ids.map(async (id) => (await providerOrder(id))!.provider_reference));
    expect(new Set(references).size).toBe(2);
    expect(requests('POST /orders') - posts).toBe(2);
    expect(h.sim.sim.state.orders.size - simOrdersBefore).toBe(2);
    for (const ref of references) expect(h.sim.sim.state.orders.has(ref!)).toBe(true);
  });
});

describe('paging through eSIM Go', () => {
  it('reads the whole catalogue in pages of at most 50 (the simulator refuses more)', async () => {
    const gets = requests('GET /catalogue');
    const result = await service.syncCatalogueNow();
    expect(result).toMatchObject({ status: 'synced', bundleCount: h.sim.sim.state.catalogue.length });
    expect(requests('GET /catalogue') - gets).toBe(Math.ceil(h.sim.sim.state.catalogue.length / 50));
  });

  it('a page shorter than asked is not the last one: paging stops on pageCount', async () => {
    // eSIM Go serving 20 a page whatever we ask: the second page is still there.
    h.sim.sim.control.setFaults({ pageSizeCap: 20 });
    const gets = requests('GET /catalogue');
    const result = await service.syncCatalogueNow();
    expect(result).toMatchObject({ status: 'synced', bundleCount: h.sim.sim.state.catalogue.length, removed: 0 });
    expect(requests('GET /catalogue') - gets).toBe(Math.ceil(h.sim.sim.state.catalogue.length / 20));
  });
});
