/**
 * Component test of the catalogue, driven the way the gateway drives it: RPC over a real RabbitMQ vhost, the
 * service on a real Postgres schema, eSIM Go played by the real simulator over HTTP. Postgres is reached through
 * a TcpProxy so the last test can cut it. Tests run in order and share one service instance.
 */
import amqplib from 'amqplib';
import pg from 'pg';
import { GetBundleV1, ListBundlesV1, type Bundle } from '@ttelgo/contracts';
import { assertSchemaMatchesPrisma, createPrismaClient } from '@ttelgo/db';
import { AmqpConnection, RpcClient, RpcRemoteError, declareEventExchange } from '@ttelgo/messaging';
import { createMetrics } from '@ttelgo/observability';
import {
  boundTo,
  rpcRemoteError,
  sleep,
  TcpProxy,
  TEST_DATABASE_URL,
  createTestSchemaName,
  createTestVhost,
  dropSchema,
  testLogger,
  waitFor,
  waitForOutboxObserved,
  type TestVhost,
} from '@ttelgo/testing';
import { loadEsimProvisioningConfig } from '../src/config';
import { CatalogueRepository } from '../src/infrastructure/catalogue.repository';
import { PrismaClient } from '../src/infrastructure/generated/prisma/client';
import { startEsimProvisioning, type EsimProvisioningHandle } from '../src/service';
import { startEsimGoSim, type RunningSimulator } from './support/esimgo-sim';
import { resolve } from 'node:path';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-test');
const MARKUP_BPS = 3000; // RETAIL_MARKUP_PERCENT default 30
const BREAKER_RESET_MS = 1500;
const PER_PAGE = 50; // 740 bundles -> 15 pages per sync: more than the 10 rps budget, so the limiter must pace them

interface CatalogueUpdated {
  id: string;
  type: string;
  producer: string;
  data: { revision: string; bundleCount: number; added: number; changed: number; removed: number; syncedAt: string };
}

let schema: string;
let vhost: TestVhost;
let sim: RunningSimulator;
let dbProxy: TcpProxy;
let service: EsimProvisioningHandle;
let clientConn: AmqpConnection;
let rpc: RpcClient;
const events: CatalogueUpdated[] = [];
let eventsConn: amqplib.ChannelModel;
let pgClient: pg.Client;

/** Independent of the service's code: cents of the simulator's decimal USD price, then + 30 % rounded half-up. */
function expectedRetailCents(usd: number, markupBps = MARKUP_BPS): number {
  const cents = Math.round(Number(usd.toFixed(2)) * 100);
  return cents + Math.floor((cents * markupBps + 5000) / 10000);
}

async function listAll(filters: { country?: string; region?: string }, limit: number): Promise<{ bundles: Bundle[]; pages: number }> {
  const bundles: Bundle[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await rpc.call(ListBundlesV1, { ...filters, limit, ...(cursor ? { cursor } : {}) });
    pages += 1;
    bundles.push(...page.data);
    if (page.nextCursor === null) return { bundles, pages };
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error('pagination does not end');
  }
}

async function breakerGauge(): Promise<number | undefined> {
  const metric = await service.metrics.breakerState.get();
  return metric.values.find((v) => v.labels.breaker === 'esimgo')?.value;
}

async function externalCalls(outcome: string): Promise<number> {
  const metric = await service.metrics.externalCallDuration.get();
  return metric.values
    .filter((v) => v.metricName === 'ttelgo_external_call_duration_seconds_count' && v.labels.outcome === outcome)
    .reduce((sum, v) => sum + v.value, 0);
}

async function syncState(): Promise<{ revision: string | null; bundle_count: number; last_error: string | null; synced_at: Date | null; last_attempt_at: Date | null }> {
  const { rows } = await pgClient.query(`SELECT revision, bundle_count, last_error, synced_at, last_attempt_at FROM "${schema}".catalogue_sync_state WHERE id = 1`);
  return rows[0];
}

beforeAll(async () => {
  schema = createTestSchemaName('esims');
  vhost = await createTestVhost('esims');
  sim = await startEsimGoSim(logger);
  const db = new URL(TEST_DATABASE_URL);
  dbProxy = new TcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  const proxyPort = await dbProxy.start();
  const proxiedDb = new URL(TEST_DATABASE_URL);
  proxiedDb.hostname = '127.0.0.1';
  proxiedDb.port = String(proxyPort);

  pgClient = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await pgClient.connect();

  // The event exchange and a test queue exist before the service starts, so the first sync's event is seen.
  eventsConn = await amqplib.connect(vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'esim');
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, 'ttelgo.events.esim', 'esim.catalogue-updated.v1');
  await ch.consume(q.queue, (msg) => msg && events.push(JSON.parse(msg.content.toString()) as CatalogueUpdated), { noAck: true });

  const config = loadEsimProvisioningConfig({ NODE_ENV: 'test',
    DATABASE_URL: proxiedDb.toString(),
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    ESIMGO_BASE_URL: sim.baseUrl,
    ESIMGO_API_KEY: sim.apiKey,
    BREAKER_RESET_MS: String(BREAKER_RESET_MS),
    LOG_LEVEL: 'silent',
  });
  service = await startEsimProvisioning(config, { logger, metrics: createMetrics('esim-provisioning'), cataloguePerPage: PER_PAGE });

  clientConn = new AmqpConnection({ url: vhost.url, name: 'gateway-test', logger });
  await clientConn.start();
  rpc = new RpcClient(clientConn, { logger, producer: 'gateway' });
  await rpc.start();
});

afterAll(async () => {
  await rpc?.stop().catch(() => undefined);
  await clientConn?.close().catch(() => undefined);
  await service?.close();
  await eventsConn?.close().catch(() => undefined);
  await sim?.close();
  await dbProxy?.stop();
  await pgClient?.end().catch(() => undefined);
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
});

/** Every outbox row sent, and every catalogue event among them received by the test's queue: `events` is complete. */
function everyEventObserved(): Promise<void> {
  return waitForOutboxObserved({
    db: pgClient,
    schema,
    observed: (id) => events.some((e) => e.id === id),
    routes: boundTo([['ttelgo.events.esim', 'esim.catalogue-updated.v1']]),
  });
}

describe('esim-provisioning catalogue', () => {
  it('applies migrations that agree with the Prisma schema', async () => {
    await assertSchemaMatchesPrisma({
      databaseUrl: TEST_DATABASE_URL,
      schema,
      prismaSchemaPath: resolve(__dirname, '../../../prisma/esim-provisioning/schema.prisma'),
    });
  });

  it('syncs the whole catalogue at start, paced under the provider rate limit, and announces it once', async () => {
    const first = await waitFor(() => events[0], { timeoutMs: 30_000, message: 'no esim.catalogue-updated.v1 after start' });
    const total = sim.sim.state.catalogue.length;
    expect(total).toBeGreaterThanOrEqual(300);
    expect(first.type).toBe('esim.catalogue-updated.v1');
    expect(first.producer).toBe('esim-provisioning');
    expect(first.data).toMatchObject({ bundleCount: total, added: total, changed: 0, removed: 0 });

    const state = await syncState();
    expect(state.bundle_count).toBe(total);
    expect(state.revision).toBe(first.data.revision);
    expect(state.last_error).toBeNull();

    // 15 pages and the country network data went out; the simulator answers 429 above 10 requests/s and never had to.
    expect(sim.sim.state.requestCounts['GET /catalogue']).toBe(Math.ceil(total / PER_PAGE) + (total % PER_PAGE === 0 ? 1 : 0));
    expect(sim.sim.state.requestCounts['GET /networks']).toBe(1);
    expect(await externalCalls('ok')).toBe(sim.sim.state.requestCounts['GET /catalogue']! + 1);
    expect(await externalCalls('rate_limited')).toBe(0);

    // The start-up sync runs in the background: its event can overtake this replica's snapshot refresh.
    const all = await waitFor(async () => {
      const listed = await listAll({}, 100);
      return listed.bundles.length === total && listed;
    }, { timeoutMs: 5000, message: 'the synced catalogue is not served' });
    expect(new Set(all.bundles.map((b) => b.name))).toEqual(new Set(sim.sim.state.catalogue.map((b) => b.name)));
    expect(events).toHaveLength(1);
  });

  it('lists bundles covering FR only, at cost + 30 % rounded half-up', async () => {
    const page = await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 });
    const expected = sim.sim.state.catalogue.filter((b) => b.countries.some((c) => c.iso === 'FR'));
    expect(expected.length).toBeGreaterThan(5);
    expect(page.nextCursor).toBeNull();
    expect(page.data.map((b) => b.name).sort()).toEqual(expected.map((b) => b.name).sort());
    for (const bundle of page.data) {
      expect(bundle.countries.some((c) => c.iso === 'FR')).toBe(true);
      const source = sim.sim.state.bundlesByName.get(bundle.name)!;
      expect(bundle.price).toEqual({ amount: expectedRetailCents(source.price), currency: 'USD' });
      expect(bundle.dataMb).toBe(source.dataAmount);
      expect(bundle.durationDays).toBe(source.duration);
    }
    const names = page.data.map((b) => b.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('walks every FR bundle page by page with no duplicates and ends with nextCursor null', async () => {
    const expected = sim.sim.state.catalogue.filter((b) => b.countries.some((c) => c.iso === 'FR')).map((b) => b.name);
    const { bundles, pages } = await listAll({ country: 'FR' }, 3);
    const names = bundles.map((b) => b.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([...expected].sort());
    expect(pages).toBe(Math.ceil(expected.length / 3) + (expected.length % 3 === 0 ? 1 : 0));

    const europe = await listAll({ region: 'Europe' }, 50);
    expect(europe.bundles.length).toBeGreaterThan(0);
    for (const b of europe.bundles) expect(b.countries.every((c) => c.region === 'Europe')).toBe(true);
  });

  it('stores what the snapshot serves: the Postgres listing (country table, keyset) agrees with the RPC one', async () => {
    const prisma = createPrismaClient(PrismaClient, { databaseUrl: TEST_DATABASE_URL, schema, poolMax: 2 });
    try {
      const repo = new CatalogueRepository(prisma, schema);
      for (const filters of [{ country: 'FR' }, { region: 'europe' }, { country: 'FR', region: 'Europe' }, {}]) {
        const fromRpc = (await listAll(filters, 100)).bundles.map((b) => b.name);
        const fromDb: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await repo.list(filters, after, 25);
          fromDb.push(...page.map((b) => b.name));
          if (page.length < 25) break;
          after = page[page.length - 1]!.name;
        }
        expect(fromDb).toEqual(fromRpc);
      }
      const stored = await repo.getByName('esim_1GB_7D_FR_V2');
      const source = sim.sim.state.bundlesByName.get('esim_1GB_7D_FR_V2')!;
      expect(stored).toMatchObject({
        cost: { amount: Math.round(source.price * 100), currency: 'USD' },
        regions: ['Europe'],
        groups: source.groups,
        speed: [...source.speed].sort(),
        countries: [{ iso: 'FR', name: 'France', region: 'Europe' }],
      });
    } finally {
      await prisma.$disconnect();
    }
  });

  it('refuses a cursor replayed with other filters, or a forged one, with INVALID_CURSOR 400', async () => {
    const page = await rpc.call(ListBundlesV1, { country: 'FR', limit: 2 });
    expect(page.nextCursor).not.toBeNull();
    const mismatch = await rpcRemoteError(rpc.call(ListBundlesV1, { country: 'DE', limit: 2, cursor: page.nextCursor! }));
    expect({ code: mismatch.code, status: mismatch.status }).toEqual({ code: 'INVALID_CURSOR', status: 400 });
    const forged = await rpcRemoteError(rpc.call(ListBundlesV1, { limit: 2, cursor: 'bm90LWEtY3Vyc29y' }));
    expect(forged.code).toBe('INVALID_CURSOR');
  });

  it('gets one bundle by name, and answers BUNDLE_NOT_FOUND 404 for an unknown one', async () => {
    const { bundle } = await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' });
    const source = sim.sim.state.bundlesByName.get('esim_1GB_7D_FR_V2')!;
    expect(bundle).toMatchObject({ name: 'esim_1GB_7D_FR_V2', price: { amount: expectedRetailCents(source.price), currency: 'USD' } });

    const err = await rpcRemoteError(rpc.call(GetBundleV1, { name: 'esim_no_such_bundle' }));
    expect(err).toBeInstanceOf(RpcRemoteError);
    expect({ code: err.code, status: err.status }).toEqual({ code: 'BUNDLE_NOT_FOUND', status: 404 });
    // names are case-sensitive, like eSIM Go's
    expect((await rpcRemoteError(rpc.call(GetBundleV1, { name: 'ESIM_1GB_7D_FR_V2' }))).code).toBe('BUNDLE_NOT_FOUND');
  });

  it("prices list and get at a vendor's markupBps when one is given, and at the retail markup without", async () => {
    const VENDOR_BPS = 1250;
    const { bundle } = await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2', markupBps: VENDOR_BPS });
    const source = sim.sim.state.bundlesByName.get('esim_1GB_7D_FR_V2')!;
    expect(bundle.price).toEqual({ amount: expectedRetailCents(source.price, VENDOR_BPS), currency: 'USD' });
    expect(bundle.price.amount).not.toBe(expectedRetailCents(source.price));
    // 0 bps is a real markup (sell at cost), not "absent".
    expect((await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2', markupBps: 0 })).bundle.price.amount).toBe(expectedRetailCents(source.price, 0));

    const vendorPage = await rpc.call(ListBundlesV1, { country: 'FR', limit: 100, markupBps: VENDOR_BPS });
    const retailPage = await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 });
    expect(vendorPage.data.map((b) => b.name)).toEqual(retailPage.data.map((b) => b.name));
    for (const b of vendorPage.data) {
      expect(b.price).toEqual({ amount: expectedRetailCents(sim.sim.state.bundlesByName.get(b.name)!.price, VENDOR_BPS), currency: 'USD' });
    }
    for (const b of retailPage.data) expect(b.price.amount).toBe(expectedRetailCents(sim.sim.state.bundlesByName.get(b.name)!.price));

    // A cursor is about rows, not prices: the next page of a vendor listing is priced at the vendor's markup too.
    const first = await rpc.call(ListBundlesV1, { country: 'FR', limit: 2, markupBps: VENDOR_BPS });
    const second = await rpc.call(ListBundlesV1, { country: 'FR', limit: 2, cursor: first.nextCursor!, markupBps: VENDOR_BPS });
    expect([...first.data, ...second.data]).toEqual(vendorPage.data.slice(0, 4));
  });

  it('publishes nothing for a sync that changes nothing', async () => {
    const before = events.length;
    const result = await service.syncCatalogueNow();
    expect(result).toMatchObject({ status: 'synced', added: 0, changed: 0, removed: 0, published: false });
    await everyEventObserved();
    expect(events).toHaveLength(before);
    const { rows } = await pgClient.query(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    expect(rows[0].n).toBe(before);
  });

  it('publishes exactly one event for a changed catalogue and serves the change at once', async () => {
    const before = events.length;
    const changedBundle = sim.sim.state.bundlesByName.get('esim_1GB_7D_FR_V2')!;
    const oldPrice = changedBundle.price;
    changedBundle.price = Math.round((oldPrice + 1.25) * 100) / 100;
    const withdrawnIndex = sim.sim.state.catalogue.findIndex((b) => b.name === 'esim_3GB_30D_FR_V2');
    expect(withdrawnIndex).toBeGreaterThanOrEqual(0);
    const [withdrawn] = sim.sim.state.catalogue.splice(withdrawnIndex, 1);
    sim.sim.state.bundlesByName.delete(withdrawn!.name);

    const result = await service.syncCatalogueNow();
    expect(result).toMatchObject({ status: 'synced', added: 0, changed: 1, removed: 1, published: true });
    const event = await waitFor(() => events[before], { timeoutMs: 10_000, message: 'no event for the changed catalogue' });
    expect(event.data).toMatchObject({ changed: 1, removed: 1, added: 0, bundleCount: sim.sim.state.catalogue.length });
    await everyEventObserved();
    expect(events).toHaveLength(before + 1);

    // The replica that synced serves the new state immediately (no 2 s wait).
    const { bundle } = await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' });
    expect(bundle.price.amount).toBe(expectedRetailCents(changedBundle.price));
    expect((await rpcRemoteError(rpc.call(GetBundleV1, { name: 'esim_3GB_30D_FR_V2' }))).code).toBe('BUNDLE_NOT_FOUND');
    // withdrawn, not deleted
    const { rows } = await pgClient.query(`SELECT withdrawn_at FROM "${schema}".catalogue_bundle WHERE name = 'esim_3GB_30D_FR_V2'`);
    expect(rows[0].withdrawn_at).toBeInstanceOf(Date);

    // It comes back: counted as added, sold again.
    sim.sim.state.catalogue.splice(withdrawnIndex, 0, withdrawn!);
    sim.sim.state.bundlesByName.set(withdrawn!.name, withdrawn!);
    expect(await service.syncCatalogueNow()).toMatchObject({ status: 'synced', added: 1, changed: 0, removed: 0 });
    expect((await rpc.call(GetBundleV1, { name: 'esim_3GB_30D_FR_V2' })).bundle.name).toBe('esim_3GB_30D_FR_V2');
  });

  it('records a failed sync while eSIM Go is down and keeps answering from the stored copy', async () => {
    const frBefore = await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 });
    const stateBefore = await syncState();
    sim.sim.control.setFaults({ outage: true });
    try {
      const result = await service.syncCatalogueNow();
      expect(result.status).toBe('failed');
      const state = await syncState();
      expect(state.last_error).toMatch(/EsimGoNetworkError/);
      expect(state.last_attempt_at!.getTime()).toBeGreaterThan(stateBefore.last_attempt_at!.getTime());
      expect(state.revision).toBe(stateBefore.revision);
      expect(state.bundle_count).toBe(stateBefore.bundle_count);

      expect(await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 })).toEqual(frBefore);
      expect((await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' })).bundle.name).toBe('esim_1GB_7D_FR_V2');
      const { rows } = await pgClient.query(`SELECT count(*)::int AS n FROM "${schema}".catalogue_bundle WHERE withdrawn_at IS NULL`);
      expect(rows[0].n).toBe(sim.sim.state.catalogue.length);
    } finally {
      sim.sim.control.resetFaults();
    }
  });

  it('opens the breaker under a 100 % fault rate, fails fast without calling eSIM Go, and closes after recovery', async () => {
    // Let the failures of the outage test leave the rolling window's influence aside: a healthy call first.
    await sleep(BREAKER_RESET_MS + 100);
    expect(await service.syncCatalogueNow()).toMatchObject({ status: 'synced' });
    expect(await breakerGauge()).toBe(0);

    sim.sim.control.setFaults({ errorRate: 1 });
    try {
      // Each failed sync is one 500 (not retried). The breaker opens once >= 50 % of the calls in its 10 s window
      // failed: the 15 successful page calls of the healthy sync above need as many failures to outweigh them.
      let syncs = 0;
      while ((await breakerGauge()) !== 2 && syncs < 40) {
        expect(await service.syncCatalogueNow()).toMatchObject({ status: 'failed' });
        syncs += 1;
      }
      expect(await breakerGauge()).toBe(2);
      expect(syncs).toBeGreaterThanOrEqual(5); // volume threshold
      const requestsBefore = sim.sim.state.totalRequests;
      const failedFast = await service.syncCatalogueNow();
      expect(failedFast).toMatchObject({ status: 'failed' });
      expect(failedFast.status === 'failed' && failedFast.error).toMatch(/ProviderUnavailableError/);
      expect(sim.sim.state.totalRequests).toBe(requestsBefore);
      expect(await externalCalls('breaker_open')).toBeGreaterThan(0);
      // still serving the stored catalogue
      expect((await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' })).bundle.name).toBe('esim_1GB_7D_FR_V2');
    } finally {
      sim.sim.control.resetFaults();
    }

    await sleep(BREAKER_RESET_MS + 200);
    const recovered = await service.syncCatalogueNow();
    expect(recovered).toMatchObject({ status: 'synced' });
    expect(await breakerGauge()).toBe(0);
    expect((await syncState()).last_error).toBeNull();
  });

  it('keeps serving the last snapshot while Postgres is unreachable', async () => {
    const before = await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 });
    dbProxy.cut();
    try {
      // Past the 2 s revision-check interval: the check fails in the background and the snapshot stays.
      await sleep(2500);
      expect(await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 })).toEqual(before);
      await sleep(500);
      expect(await rpc.call(ListBundlesV1, { country: 'FR', limit: 100 })).toEqual(before);
      expect((await rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' })).bundle.name).toBe('esim_1GB_7D_FR_V2');
    } finally {
      dbProxy.restore();
    }
  });
});
