/**
 * Component test of top-ups, driven like the order service drives them: esim.quote-topup.v1 before an order is
 * placed, then esim.apply-bundle.v1 over a real RabbitMQ vhost, esim.provisioned.v1 / esim.provisioning-failed.v1
 * read from the event exchange, the eSIM read back over RPC like the gateway does. eSIM Go is the real simulator.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { ApplyBundleV1, GetEsimV1, QuoteTopupV1, type EsimInstall, type Owner } from '@ttelgo/contracts';
import { declareEventExchange } from '@ttelgo/messaging';
import { rpcRemoteError, testLogger, waitFor } from '@ttelgo/testing';
import type { EsimProvisioningHandle } from '../src/service';
import { provisionEsims, publishUntilRouted, sendUsageAlert, startEsimProvisioningHarness, usageAlert, waitUntilProcessed, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-topups-test');
const BUNDLE = 'esim_1GB_7D_FR_V2';
const TOPUP = 'esim_2GB_15D_FR_V2';

interface OutcomeEvent {
  type: 'esim.provisioned.v1' | 'esim.provisioning-failed.v1';
  data: { orderId: string; providerOrderReference?: string; esims?: EsimInstall[]; code?: string; reason?: string };
}

let h: EsimProvisioningHarness;
let service: EsimProvisioningHandle;
let eventsConn: amqplib.ChannelModel;
const events: OutcomeEvent[] = [];

const customer = (): Owner => ({ type: 'customer', id: `cust-${randomUUID()}` });
const orderRequests = (): number => h.sim.sim.state.requestCounts['POST /orders'] ?? 0;
const outcome = (orderId: string): Promise<OutcomeEvent> =>
  waitFor(() => events.find((e) => e.data.orderId === orderId), { timeoutMs: 30_000, message: `no outcome event for order ${orderId}` });

function applyBundle(data: { orderId: string; owner: Owner; iccid: string; bundleName: string }) {
  return publishUntilRouted(() => h.publisher.publishMessage(ApplyBundleV1, data, { producer: 'order', correlationId: randomUUID() }), 'esim.apply-bundle.v1');
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimtopup', logger, 'topups-test');
  eventsConn = await amqplib.connect(h.vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'esim');
  const q = await ch.assertQueue('', { exclusive: true });
  for (const key of ['esim.provisioned.v1', 'esim.provisioning-failed.v1']) await ch.bindQueue(q.queue, 'ttelgo.events.esim', key);
  await ch.consume(q.queue, (msg) => msg && events.push(JSON.parse(msg.content.toString()) as OutcomeEvent), { noAck: true });
  service = await h.startService({ USAGE_REFRESH_AFTER_MS: '0' });
  await service.syncCatalogueNow();
});

afterAll(async () => {
  await eventsConn?.close().catch(() => undefined);
  await h?.close();
});

describe('esim.quote-topup.v1', () => {
  it("prices a compatible bundle for the owner's eSIM, and refuses anything else before any money is taken", async () => {
    const owner = customer();
    const [iccid] = await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 });
    const quoted = await h.rpc.call(QuoteTopupV1, { owner, iccid: iccid!, bundleName: TOPUP });
    const cost = Math.round(h.sim.sim.state.bundlesByName.get(TOPUP)!.price * 100);
    // The retail price of the bundle, like a new eSIM with it (30 % markup by default).
    expect(quoted.bundle).toMatchObject({ name: TOPUP, price: { amount: Math.round(cost * 1.3), currency: 'USD' } });
    const vendorQuote = await h.rpc.call(QuoteTopupV1, { owner, iccid: iccid!, bundleName: TOPUP, markupBps: 0 });
    expect(vendorQuote.bundle.price.amount).toBe(cost);

    // Another owner (or the same id as a vendor), and an ICCID nobody holds: the same 404.
    for (const other of [customer(), { type: 'vendor' as const, id: owner.id }]) {
      expect(await rpcRemoteError(h.rpc.call(QuoteTopupV1, { owner: other, iccid: iccid!, bundleName: TOPUP }))).toMatchObject({ code: 'ESIM_NOT_FOUND', status: 404 });
    }
    expect(await rpcRemoteError(h.rpc.call(QuoteTopupV1, { owner, iccid: '8944530000000000000', bundleName: TOPUP }))).toMatchObject({ code: 'ESIM_NOT_FOUND', status: 404 });
    expect(await rpcRemoteError(h.rpc.call(QuoteTopupV1, { owner, iccid: iccid!, bundleName: 'esim_nope_V2' }))).toMatchObject({ code: 'BUNDLE_NOT_FOUND', status: 404 });

    h.sim.sim.control.setCompatibility({ bundle: TOPUP, iccid: iccid!, compatible: false });
    const before = h.sim.sim.state.requestCounts[`GET /esims/${iccid}/compatible/${TOPUP}`] ?? 0;
    expect(await rpcRemoteError(h.rpc.call(QuoteTopupV1, { owner, iccid: iccid!, bundleName: TOPUP }))).toMatchObject({ code: 'BUNDLE_NOT_COMPATIBLE', status: 422 });
    // Asked of eSIM Go, not guessed.
    expect(h.sim.sim.state.requestCounts[`GET /esims/${iccid}/compatible/${TOPUP}`]).toBe(before + 1);
    h.sim.sim.control.setCompatibility({ bundle: TOPUP, iccid: iccid!, compatible: true });
  });

  it('answers PROVIDER_UNAVAILABLE (503) when eSIM Go cannot be asked', async () => {
    const owner = customer();
    const [iccid] = await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 });
    h.sim.sim.control.setFaults({ errorRate: 1, paths: ['/esims'] });
    try {
      expect(await rpcRemoteError(h.rpc.call(QuoteTopupV1, { owner, iccid: iccid!, bundleName: TOPUP }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 503 });
    } finally {
      h.sim.sim.control.resetFaults();
    }
  });
});

describe('esim.apply-bundle.v1', () => {
  it('applies the bundle to the same eSIM once: no new eSIM, the same install data, two bundles on the eSIM', async () => {
    const owner = customer();
    const [iccid] = await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 });
    const before = await h.rpc.call(GetEsimV1, { owner, iccid: iccid! });
    const esimsBefore = h.sim.sim.state.esims.size;
    const ordersBefore = orderRequests();

    const orderId = randomUUID();
    const command = { orderId, owner, iccid: iccid!, bundleName: TOPUP };
    await applyBundle(command);
    await applyBundle(command); // the order service's reconciliation sends it again: still one purchase
    const event = await outcome(orderId);
    expect(event.type).toBe('esim.provisioned.v1');
    expect(event.data.esims).toHaveLength(1);
    expect(event.data.esims![0]).toMatchObject({ iccid, lpa: before.lpa, matchingId: before.matchingId, smdpAddress: before.smdpAddress });
    await waitFor(() => events.filter((e) => e.data.orderId === orderId).length === 2, { timeoutMs: 10_000, message: 'the repeated command re-announces the outcome' });

    expect(orderRequests() - ordersBefore).toBe(1);
    expect(h.sim.sim.state.esims.size).toBe(esimsBefore);
    const simEsim = h.sim.sim.state.esims.get(iccid!)!;
    expect(simEsim.assignments.map((a) => a.bundleName)).toEqual([BUNDLE, TOPUP]);
    expect(simEsim.assignments[1]!.assignmentReference).toBe(event.data.providerOrderReference);

    const after = await h.rpc.call(GetEsimV1, { owner, iccid: iccid! });
    expect(after.bundles!.map((b) => ({ kind: b.kind, bundleName: b.bundleName, state: b.state, orderId: b.orderId }))).toEqual([
      { kind: 'NEW', bundleName: BUNDLE, state: 'QUEUED', orderId: before.orderId },
      { kind: 'TOPUP', bundleName: TOPUP, state: 'QUEUED', orderId },
    ]);
    expect(after.bundles![1]).toMatchObject({ initialBytes: 2_000_000_000, remainingBytes: 2_000_000_000, unlimited: false });
    // The 15-day top-up outlasts the 7-day bundle: the eSIM now expires with it.
    expect(Date.parse(after.expiresAt!)).toBeGreaterThan(Date.parse(before.expiresAt!));
    expect(after.expiresAt).toBe(after.bundles![1]!.endsAt);

    // An alert of the top-up's assignment lands on the top-up, not on the first bundle.
    const topupAssignment = simEsim.assignments[1]!;
    const alert = await sendUsageAlert(
      h,
      usageAlert(iccid!, {
        bundleName: TOPUP,
        assignmentId: topupAssignment.id,
        assignmentReference: topupAssignment.assignmentReference,
        initialBytes: 2_000_000_000,
        remainingBytes: 1_500_000_000,
      }),
    );
    await waitUntilProcessed(h, alert.id);
    const used = await h.rpc.call(GetEsimV1, { owner, iccid: iccid! });
    expect(used.bundles!.map((b) => [b.bundleName, b.state, b.remainingBytes])).toEqual([
      [BUNDLE, 'QUEUED', 1_000_000_000],
      [TOPUP, 'ACTIVE', 1_500_000_000],
    ]);
    expect(used.status).toBe('ACTIVE');
    expect(used.activatedAt).not.toBeNull();
    expect(used.usage).toMatchObject({ initialBytes: 2_000_000_000, remainingBytes: 1_500_000_000, state: 'Active' });
  });

  it('fails without buying when eSIM Go refuses the bundle for that eSIM, and never tops up another owner\'s eSIM', async () => {
    const owner = customer();
    const [iccid] = await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 });
    const balance = h.sim.sim.state.balanceCents;

    h.sim.sim.control.setCompatibility({ bundle: TOPUP, iccid: iccid!, compatible: false });
    const refused = randomUUID();
    await applyBundle({ orderId: refused, owner, iccid: iccid!, bundleName: TOPUP });
    expect((await outcome(refused)).data).toMatchObject({ code: 'BUNDLE_NOT_COMPATIBLE', reason: expect.stringContaining('not compatible') });
    h.sim.sim.control.setCompatibility({ bundle: TOPUP, iccid: iccid!, compatible: true });

    const ordersBefore = orderRequests();
    const foreign = randomUUID();
    await applyBundle({ orderId: foreign, owner: customer(), iccid: iccid!, bundleName: TOPUP });
    expect((await outcome(foreign)).data).toMatchObject({ code: 'ESIM_NOT_FOUND' });
    expect(orderRequests()).toBe(ordersBefore);
    expect(h.sim.sim.state.balanceCents).toBe(balance);
    expect(h.sim.sim.state.esims.get(iccid!)!.assignments).toHaveLength(1);
  });
});
