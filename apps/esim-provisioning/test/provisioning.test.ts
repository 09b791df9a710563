/**
 * Component test of provisioning, driven the way the order service drives it: esim.provision.v1 commands over a
 * real RabbitMQ vhost, esim.provisioned.v1 / esim.provisioning-failed.v1 read from the event exchange, eSIMs
 * read back over RPC like the gateway does. The service runs on its own Postgres schema; eSIM Go is the real
 * simulator over HTTP, with its fault knobs. Tests run in order against one service and one simulator; every
 * test uses its own order ids and owners, and measures the simulator by deltas.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import QRCode from 'qrcode';
import {
  GetEsimQrCodeV1,
  GetEsimV1,
  ListEsimsV1,
  ProvisionEsimV1,
  routeFor,
  type Envelope,
  type EsimInstall,
  type Owner,
} from '@ttelgo/contracts';
import { declareEventExchange } from '@ttelgo/messaging';
import { rpcRemoteError, sleep, testLogger, waitFor } from '@ttelgo/testing';
import { QR_PNG_OPTIONS } from '../src/infrastructure/qr-code.renderer';
import type { EsimProvisioningHandle } from '../src/service';
import { publishUntilRouted, startEsimProvisioningHarness, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-provisioning-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const ESIMGO_TIMEOUT_MS = 1000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type ProvisionCommand = { orderId: string; owner: Owner; bundleName: string; quantity: number };
interface OutcomeEvent {
  id: string;
  type: 'esim.provisioned.v1' | 'esim.provisioning-failed.v1';
  producer: string;
  correlationId: string;
  data: { orderId: string; providerOrderReference?: string; esims?: EsimInstall[]; code?: string; reason?: string };
}

let h: EsimProvisioningHarness;
let schema: string;
let sim: EsimProvisioningHarness['sim'];
let service: EsimProvisioningHandle;
let publisher: EsimProvisioningHarness['publisher'];
let rpc: EsimProvisioningHarness['rpc'];
let eventsConn: amqplib.ChannelModel;
let pgClient: EsimProvisioningHarness['pgClient'];
const events: OutcomeEvent[] = [];

const customer = (): Owner => ({ type: 'customer', id: `cust-${randomUUID()}` });
const eventsFor = (orderId: string): OutcomeEvent[] => events.filter((e) => e.data.orderId === orderId);
const simOrdersFor = (orderId: string) => [...sim.sim.state.orders.values()].filter((o) => o.clientReference === orderId);
const requests = (key: string): number => sim.sim.state.requestCounts[key] ?? 0;
const priceCents = (bundle: string): number => Math.round(sim.sim.state.bundlesByName.get(bundle)!.price * 100);

function command(overrides: Partial<ProvisionCommand> = {}): ProvisionCommand {
  return { orderId: randomUUID(), owner: customer(), bundleName: BUNDLE, quantity: 1, ...overrides };
}

/** The command as the order service sends it; with `envelope`, that very message again (a broker redelivery). */
async function send(data: ProvisionCommand, envelope?: Envelope<ProvisionCommand>): Promise<Envelope<ProvisionCommand>> {
  return publishUntilRouted(async () => {
    if (envelope) {
      await publisher.publish(routeFor(ProvisionEsimV1), envelope);
      return envelope;
    }
    return publisher.publishMessage(ProvisionEsimV1, data, { producer: 'order', correlationId: randomUUID() });
  }, 'esim.provision.v1');
}

async function providerOrder(orderId: string): Promise<{ state: string; attempts: number; provider_reference: string | null; failure_code: string | null } | undefined> {
  const { rows } = await pgClient.query(`SELECT state, attempts, provider_reference, failure_code FROM "${schema}".provider_orders WHERE order_id = $1`, [orderId]);
  return rows[0];
}

/** Waits until the order has an outcome event, then a little longer to catch any that should not exist. */
async function settledEvents(orderId: string, quietMs = 1500): Promise<OutcomeEvent[]> {
  await waitFor(() => eventsFor(orderId).length > 0, { timeoutMs: 30_000, message: `no outcome event for order ${orderId}` });
  let seen = -1;
  while (seen !== eventsFor(orderId).length) {
    seen = eventsFor(orderId).length;
    await sleep(quietMs);
  }
  return eventsFor(orderId);
}

function expectInstallMatchesSimulator(esim: EsimInstall): void {
  const stored = sim.sim.state.esims.get(esim.iccid);
  expect(stored).toBeDefined();
  expect(esim.smdpAddress).toBe(stored!.smdpAddress);
  expect(esim.matchingId).toBe(stored!.matchingId);
  expect(esim.lpa).toBe(`LPA:1$${stored!.smdpAddress}$${stored!.matchingId}`);
  expect(esim.appleInstallUrl).toBe(`https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${esim.lpa}`);
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimprov', logger, 'order-test');
  ({ schema, sim, publisher, rpc, pgClient } = h);

  eventsConn = await amqplib.connect(h.vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'esim');
  const q = await ch.assertQueue('', { exclusive: true });
  for (const key of ['esim.provisioned.v1', 'esim.provisioning-failed.v1']) await ch.bindQueue(q.queue, 'ttelgo.events.esim', key);
  await ch.consume(q.queue, (msg) => msg && events.push(JSON.parse(msg.content.toString()) as OutcomeEvent), { noAck: true });

  // The reconcile job is driven by the test (reconcileProviderOrdersNow), never by its timer: the harness default.
  service = await h.startService(
    // Our order id on each purchase lets the tests count eSIM Go orders per order; nothing in the service reads it.
    { ESIMGO_TIMEOUT_MS: String(ESIMGO_TIMEOUT_MS), BREAKER_RESET_MS: '300', PROVISION_LEASE_MS: '5000', ESIMGO_SEND_CLIENT_REFERENCE: 'true' },
    { provisionRetryDelaysMs: [300, 600, 1000, 1500, 2000, 3000, 4000] },
  );
  // Bundle durations (for expiresAt) come from the synced catalogue.
  await service.syncCatalogueNow();
});

afterAll(async () => {
  await eventsConn?.close().catch(() => undefined);
  await h?.close();
});

afterEach(() => {
  sim.sim.control.resetFaults();
});

describe('esim-provisioning provisioning', () => {
  const owner = customer();
  const first = command({ owner, quantity: 2 });

  it('provisions a command: one eSIM Go order, charged once, one esim.provisioned.v1 with the install data', async () => {
    const balanceBefore = sim.sim.state.balanceCents;
    const sent = await send(first);
    const [event, ...more] = await settledEvents(first.orderId);
    expect(more).toHaveLength(0);
    expect(event!.producer).toBe('esim-provisioning');
    expect(event!.correlationId).toBe(sent.correlationId);

    const orders = simOrdersFor(first.orderId);
    expect(orders).toHaveLength(1);
    expect(event!.data.providerOrderReference).toBe(orders[0]!.orderReference);
    expect(sim.sim.state.balanceCents).toBe(balanceBefore - 2 * priceCents(BUNDLE));

    const esims = event!.data.esims!;
    expect(esims).toHaveLength(2);
    expect(new Set(esims.map((e) => e.iccid))).toEqual(new Set(orders[0]!.lines[0]!.iccids));
    for (const esim of esims) expectInstallMatchesSimulator(esim);
    // 7-day bundle, counted from provisioning.
    const days = (Date.parse(esims[0]!.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    expect(await providerOrder(first.orderId)).toMatchObject({ state: 'COMPLETED', attempts: 1, provider_reference: orders[0]!.orderReference });
  });

  it('never buys twice for one order: a redelivered command and a new command for the same order', async () => {
    const cmd = command({ owner: customer() });
    const posts = requests('POST /orders');
    const envelope = await publisher.publishMessage(ProvisionEsimV1, cmd, { producer: 'order', correlationId: randomUUID() });
    // The same message again (a broker redelivery) and a new message for the same order (order's reconciliation).
    await send(cmd, envelope);
    await send(cmd);
    const outcome = await settledEvents(cmd.orderId);

    expect(simOrdersFor(cmd.orderId)).toHaveLength(1);
    expect(requests('POST /orders') - posts).toBe(1);
    // The finished order's event is re-announced from stored data for the second command: same content.
    expect(outcome.length).toBeGreaterThanOrEqual(2);
    for (const e of outcome) {
      expect(e.type).toBe('esim.provisioned.v1');
      expect(e.data).toEqual(outcome[0]!.data);
    }
    expect(await providerOrder(cmd.orderId)).toMatchObject({ state: 'COMPLETED', attempts: 1 });

    // A later command for the finished order still buys nothing.
    await send(cmd);
    await waitFor(() => eventsFor(cmd.orderId).length > outcome.length, { message: 'no re-announcement for a finished order' });
    expect(simOrdersFor(cmd.orderId)).toHaveLength(1);
    expect(requests('POST /orders') - posts).toBe(1);
  });

  it('eSIM Go timeout during the purchase: UNKNOWN, reconciled, exactly one eSIM Go order and one event', async () => {
    const cmd = command();
    const posts = requests('POST /orders');
    const balanceBefore = sim.sim.state.balanceCents;
    // eSIM Go commits the order, then never answers: our client gives up after ESIMGO_TIMEOUT_MS.
    sim.sim.control.setFaults({ timeoutRate: 1, hangMs: 3 * ESIMGO_TIMEOUT_MS, paths: ['/orders'] });
    await send(cmd);

    await waitFor(async () => (await providerOrder(cmd.orderId))?.state === 'UNKNOWN', {
      timeoutMs: 15_000,
      intervalMs: 20,
      message: 'the order was not marked UNKNOWN after the timeout',
    });
    sim.sim.control.resetFaults();
    // The purchase did happen at eSIM Go, we just never heard of it.
    expect(simOrdersFor(cmd.orderId)).toHaveLength(1);

    const outcome = await settledEvents(cmd.orderId);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.type).toBe('esim.provisioned.v1');
    const orders = simOrdersFor(cmd.orderId);
    expect(orders).toHaveLength(1);
    expect(outcome[0]!.data.providerOrderReference).toBe(orders[0]!.orderReference);
    expectInstallMatchesSimulator(outcome[0]!.data.esims![0]!);
    expect(requests('POST /orders') - posts).toBe(1);
    expect(requests('GET /orders')).toBeGreaterThan(0);
    expect(sim.sim.state.balanceCents).toBe(balanceBefore - priceCents(BUNDLE));
    expect(await providerOrder(cmd.orderId)).toMatchObject({ state: 'COMPLETED', attempts: 1, provider_reference: orders[0]!.orderReference });
  });

  it('a permanent refusal: esim.provisioning-failed.v1 with a code, no eSIM Go order, nothing charged', async () => {
    const cmd = command();
    const balanceBefore = sim.sim.state.balanceCents;
    sim.sim.control.setFaults({ failOrdersPermanently: true });
    await send(cmd);
    const outcome = await settledEvents(cmd.orderId);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.type).toBe('esim.provisioning-failed.v1');
    expect(outcome[0]!.data).toEqual({ orderId: cmd.orderId, code: 'BUNDLE_UNAVAILABLE', reason: 'Bundle unavailable' });
    expect(simOrdersFor(cmd.orderId)).toHaveLength(0);
    expect(sim.sim.state.balanceCents).toBe(balanceBefore);
    expect(await providerOrder(cmd.orderId)).toMatchObject({ state: 'FAILED', failure_code: 'BUNDLE_UNAVAILABLE' });

    // The refusal is final: a repeated command re-announces it and buys nothing, even with eSIM Go healthy again.
    sim.sim.control.resetFaults();
    await send(cmd);
    await waitFor(() => eventsFor(cmd.orderId).length === 2, { message: 'the failure was not re-announced' });
    expect(eventsFor(cmd.orderId)[1]!.data).toEqual(outcome[0]!.data);
    expect(simOrdersFor(cmd.orderId)).toHaveLength(0);
  });

  it('insufficient balance at eSIM Go is a permanent failure with its own code', async () => {
    const cmd = command();
    const balance = sim.sim.state.balanceCents;
    sim.sim.control.setBalance(0);
    try {
      await send(cmd);
      const [event] = await settledEvents(cmd.orderId, 500);
      expect(event!.data).toMatchObject({ orderId: cmd.orderId, code: 'PROVIDER_INSUFFICIENT_BALANCE' });
      expect(simOrdersFor(cmd.orderId)).toHaveLength(0);
    } finally {
      sim.sim.control.setBalance(balance / 100);
    }
  });

  it('a 503 burst: retried later (reconciling first), then provisioned once', async () => {
    const cmd = command();
    const posts = requests('POST /orders');
    const lookups = requests('GET /orders');
    sim.sim.control.setFaults({ burst503: 2, retryAfterSeconds: 1 });
    await send(cmd);
    const outcome = await settledEvents(cmd.orderId);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.type).toBe('esim.provisioned.v1');
    expect(simOrdersFor(cmd.orderId)).toHaveLength(1);
    // The first POST got 503; before the second, the order was looked up at eSIM Go.
    expect(requests('POST /orders') - posts).toBe(2);
    expect(requests('GET /orders') - lookups).toBeGreaterThanOrEqual(1);
    expect(await providerOrder(cmd.orderId)).toMatchObject({ state: 'COMPLETED', attempts: 2 });
  });

  it('an eSIM Go outage during the purchase: retried later, provisioned once it is back', async () => {
    const cmd = command();
    sim.sim.control.setFaults({ outage: true, paths: ['/orders'] });
    await send(cmd);
    await waitFor(async () => (await providerOrder(cmd.orderId))?.state === 'UNKNOWN', {
      timeoutMs: 15_000,
      message: 'the order was not marked UNKNOWN during the outage',
    });
    await sleep(1000);
    expect(eventsFor(cmd.orderId)).toHaveLength(0);
    expect(simOrdersFor(cmd.orderId)).toHaveLength(0);

    sim.sim.control.resetFaults();
    const outcome = await settledEvents(cmd.orderId);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.type).toBe('esim.provisioned.v1');
    expect(simOrdersFor(cmd.orderId)).toHaveLength(1);
    expect((await providerOrder(cmd.orderId))?.state).toBe('COMPLETED');
  });

  it('the reconcile job re-drives orders whose command was lost, adopting what eSIM Go already has', async () => {
    const lost = command();
    const crashed = command();
    const insert = `INSERT INTO "${schema}".provider_orders
        (order_id, owner_type, owner_id, bundle_name, quantity, state, attempts, requested_at, next_check_at, correlation_id)
      VALUES ($1, $2, $3, $4, $5, $6, $7, now() - interval '2 minutes', now() - interval '1 second', $8)`;
    // Recorded, command lost before anything was sent.
    await pgClient.query(insert, [lost.orderId, lost.owner.type, lost.owner.id, lost.bundleName, lost.quantity, 'REQUESTED', 0, randomUUID()]);
    // Recorded, POST sent and committed at eSIM Go, then the worker died before hearing the answer.
    const res = await fetch(`${sim.baseUrl}/orders`, {
      method: 'POST',
      headers: { 'X-API-Key': sim.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'transaction',
        assign: true,
        order: [{ type: 'bundle', item: crashed.bundleName, quantity: crashed.quantity, allowReassign: false }],
        clientReference: crashed.orderId,
      }),
    });
    expect(res.status).toBe(200);
    const existing = (await res.json()) as { orderReference: string };
    await pgClient.query(insert, [crashed.orderId, crashed.owner.type, crashed.owner.id, crashed.bundleName, crashed.quantity, 'UNKNOWN', 1, randomUUID()]);

    const result = await service.reconcileProviderOrdersNow();
    expect(result).toMatchObject({ examined: 2, outcomes: { provisioned: 1, adopted: 1 } });

    const [lostEvent] = await settledEvents(lost.orderId, 500);
    expect(lostEvent!.type).toBe('esim.provisioned.v1');
    expect(simOrdersFor(lost.orderId)).toHaveLength(1);

    const crashedEvents = await settledEvents(crashed.orderId, 500);
    expect(crashedEvents).toHaveLength(1);
    expect(crashedEvents[0]!.data.providerOrderReference).toBe(existing.orderReference);
    expect(simOrdersFor(crashed.orderId)).toHaveLength(1);
    expect(await providerOrder(crashed.orderId)).toMatchObject({ state: 'COMPLETED', attempts: 1, provider_reference: existing.orderReference });

    // Nothing left to re-drive.
    expect(await service.reconcileProviderOrdersNow()).toMatchObject({ examined: 0 });
  });

  describe('eSIM queries over RPC', () => {
    const second = command({ owner, quantity: 1 });
    let firstEsims: EsimInstall[];

    beforeAll(async () => {
      firstEsims = eventsFor(first.orderId)[0]!.data.esims!;
      await send(second);
      await settledEvents(second.orderId, 200);
    });

    it("lists the owner's eSIMs newest first, in cursor pages, with usage UNKNOWN until synced", async () => {
      const page1 = await rpc.call(ListEsimsV1, { owner, limit: 2 });
      expect(page1.data).toHaveLength(2);
      expect(page1.nextCursor).not.toBeNull();
      const page2 = await rpc.call(ListEsimsV1, { owner, limit: 2, cursor: page1.nextCursor! });
      expect(page2.data).toHaveLength(1);
      expect(page2.nextCursor).toBeNull();

      const all = [...page1.data, ...page2.data];
      const secondIccid = eventsFor(second.orderId)[0]!.data.esims![0]!.iccid;
      expect(all[0]!.iccid).toBe(secondIccid);
      expect(all[0]!.orderId).toBe(second.orderId);
      expect(new Set(all.slice(1).map((e) => e.iccid))).toEqual(new Set(firstEsims.map((e) => e.iccid)));
      for (const view of all) {
        expect(view).toMatchObject({ bundleName: BUNDLE, status: 'QUEUED', activatedAt: null, usage: { initialBytes: null, remainingBytes: null, state: 'UNKNOWN' } });
        // One bundle, unused: the catalogue's size is what is left until eSIM Go reports its own figures.
        expect(view.bundles).toEqual([
          {
            orderId: view.orderId,
            kind: 'NEW',
            bundleName: BUNDLE,
            state: 'QUEUED',
            initialBytes: 1_000_000_000,
            remainingBytes: 1_000_000_000,
            unlimited: false,
            assignedAt: expect.any(String),
            startsAt: null,
            endsAt: view.expiresAt,
          },
        ]);
        expectInstallMatchesSimulator(view);
      }

      expect((await rpc.call(ListEsimsV1, { owner: customer(), limit: 10 })).data).toEqual([]);
      // Same id, other owner type: not the same owner.
      expect((await rpc.call(ListEsimsV1, { owner: { type: 'vendor', id: owner.id }, limit: 10 })).data).toEqual([]);
      const bad = await rpcRemoteError(rpc.call(ListEsimsV1, { owner, limit: 2, cursor: 'not-a-cursor' }));
      expect(bad).toMatchObject({ code: 'INVALID_CURSOR', status: 400 });
    });

    it('gets one eSIM with its usage refreshed from eSIM Go; another owner gets ESIM_NOT_FOUND', async () => {
      const iccid = firstEsims[0]!.iccid;
      const view = await rpc.call(GetEsimV1, { owner, iccid });
      const assignment = sim.sim.state.esims.get(iccid)!.assignments[0]!;
      expect(view).toMatchObject({ iccid, orderId: first.orderId, bundleName: BUNDLE, lpa: firstEsims[0]!.lpa, expiresAt: firstEsims[0]!.expiresAt });
      expect(view.usage).toEqual({ initialBytes: assignment.initialQuantity, remainingBytes: assignment.remainingQuantity, state: 'Queued' });
      expect(view.usage.initialBytes).toBeGreaterThan(0);
      const { rows } = await pgClient.query(`SELECT provider_state AS usage_state, usage_synced_at FROM "${schema}".esim_bundles WHERE iccid = $1`, [iccid]);
      expect(rows[0].usage_state).toBe('Queued');
      expect(rows[0].usage_synced_at).not.toBeNull();

      for (const other of [customer(), { type: 'vendor' as const, id: owner.id }]) {
        expect(await rpcRemoteError(rpc.call(GetEsimV1, { owner: other, iccid }))).toMatchObject({ code: 'ESIM_NOT_FOUND', status: 404 });
      }
      expect(await rpcRemoteError(rpc.call(GetEsimV1, { owner, iccid: '8944000000000000000' }))).toMatchObject({ code: 'ESIM_NOT_FOUND', status: 404 });
    });

    it('serves the QR code PNG of the LPA, rendered once and cached in esims.qr_png', async () => {
      const esim = firstEsims[1]!;
      const storedQr = async (): Promise<Buffer | null> =>
        (await pgClient.query(`SELECT qr_png FROM "${schema}".esims WHERE iccid = $1`, [esim.iccid])).rows[0].qr_png;
      expect(await storedQr()).toBeNull();

      const png = Buffer.from((await rpc.call(GetEsimQrCodeV1, { owner, iccid: esim.iccid })).pngBase64, 'base64');
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect((await storedQr())?.equals(png)).toBe(true);
      // The PNG is what `qrcode` renders for the eSIM's LPA string.
      expect(png.equals(await QRCode.toBuffer(esim.lpa, QR_PNG_OPTIONS))).toBe(true);

      const again = Buffer.from((await rpc.call(GetEsimQrCodeV1, { owner, iccid: esim.iccid })).pngBase64, 'base64');
      expect(again.equals(png)).toBe(true);
      // Served from the row, not rendered again: a changed row is what comes back.
      const marker = Buffer.concat([PNG_SIGNATURE, Buffer.from(`cached:${esim.iccid}`)]);
      await pgClient.query(`UPDATE "${schema}".esims SET qr_png = $2 WHERE iccid = $1`, [esim.iccid, marker]);
      const cached = Buffer.from((await rpc.call(GetEsimQrCodeV1, { owner, iccid: esim.iccid })).pngBase64, 'base64');
      expect(cached.equals(marker)).toBe(true);

      expect(await rpcRemoteError(rpc.call(GetEsimQrCodeV1, { owner: customer(), iccid: esim.iccid }))).toMatchObject({ code: 'ESIM_NOT_FOUND', status: 404 });
    });
  });
});
