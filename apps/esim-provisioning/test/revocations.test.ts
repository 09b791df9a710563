/**
 * Component test of revocation on refund: esim.revoke-bundles.v1 (what the order service sends for an admin refund)
 * over a real RabbitMQ vhost into the service on its own Postgres schema, against the eSIM Go simulator; the answer
 * esim.bundles-revoked.v1 observed on the events exchange and the eSIM read back over RPC like the gateway does.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { ApplyBundleV1, GetEsimV1, RevokeBundlesV1, type DataOf, type EsimBundlesRevokedV1, type Owner } from '@ttelgo/contracts';
import { declareEventExchange } from '@ttelgo/messaging';
import { testLogger, waitFor } from '@ttelgo/testing';
import { provisionEsims, publishUntilRouted, startEsimProvisioningHarness, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(60_000);

type Revoked = DataOf<typeof EsimBundlesRevokedV1>;

const logger = testLogger('esim-provisioning-revocations-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const owner: Owner = { type: 'vendor', id: `vendor-${randomUUID()}` };

let h: EsimProvisioningHarness;
let eventsConn: amqplib.ChannelModel;
const answers: Revoked[] = [];

const deletes = (): number =>
  Object.entries(h.sim.sim.state.requestCounts)
    .filter(([k]) => k.startsWith('DELETE /esims/'))
    .reduce((n, [, v]) => n + v, 0);

async function orderOf(iccid: string): Promise<string> {
  const { rows } = await h.pgClient.query<{ order_id: string }>(`SELECT order_id FROM "${h.schema}".esims WHERE iccid = $1`, [iccid]);
  return rows[0]!.order_id;
}

async function revoke(orderId: string, force: boolean, who: Owner = owner): Promise<Revoked> {
  const before = answers.filter((a) => a.orderId === orderId).length;
  await publishUntilRouted(
    () => h.publisher.publishMessage(RevokeBundlesV1, { orderId, owner: who, force }, { producer: 'order', correlationId: randomUUID() }),
    'esim.revoke-bundles.v1',
  );
  return waitFor(() => answers.filter((a) => a.orderId === orderId)[before], { timeoutMs: 15_000, message: `no esim.bundles-revoked.v1 for ${orderId}` });
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimrevoke', logger, 'revocations-test');
  eventsConn = await amqplib.connect(h.vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'esim');
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, 'ttelgo.events.esim', 'esim.bundles-revoked.v1');
  await ch.consume(q.queue, (msg) => msg && answers.push((JSON.parse(msg.content.toString()) as { data: Revoked }).data), { noAck: true });
  const service = await h.startService({ USAGE_REFRESH_AFTER_MS: '0' });
  await service.syncCatalogueNow();
});

afterAll(async () => {
  await eventsConn?.close().catch(() => undefined);
  await h?.close();
});

describe('esim.revoke-bundles.v1', () => {
  it('revokes an unused bundle with a refund to our balance, once; the eSIM shows it REVOKED', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const orderId = await orderOf(iccid);
    const balance = h.sim.sim.state.balanceCents;
    const price = h.sim.sim.state.esims.get(iccid)!.assignments[0]!.priceCents;

    const answer = await revoke(orderId, false);
    expect(answer).toMatchObject({ orderId, outcome: 'REVOKED', forced: false, detail: null, bundles: [{ iccid, bundleName: BUNDLE, result: 'REVOKED', refundedToBalance: true }] });
    expect(h.sim.sim.state.balanceCents).toBe(balance + price);
    expect(h.sim.sim.state.esims.get(iccid)!.assignments[0]!.revoked).toBe(true);
    const view = await h.rpc.call(GetEsimV1, { owner, iccid });
    expect(view).toMatchObject({ status: 'REVOKED', bundles: [{ state: 'REVOKED' }] });

    // The order service asks again (a redelivery, its reconcile job): the same answer, nothing revoked twice.
    const calls = deletes();
    expect(await revoke(orderId, false)).toMatchObject({ outcome: 'REVOKED', bundles: [{ result: 'REVOKED' }] });
    expect(deletes()).toBe(calls);
    expect(h.sim.sim.state.balanceCents).toBe(balance + price);
  });

  it('leaves a used bundle alone without force (ALREADY_USED); with force revokes it without a refund', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const orderId = await orderOf(iccid);
    h.sim.sim.control.simulateUsage({ iccid, usedPercent: 10 });
    const balance = h.sim.sim.state.balanceCents;
    const calls = deletes();

    expect(await revoke(orderId, false)).toMatchObject({ outcome: 'ALREADY_USED', forced: false, bundles: [{ result: 'USED', refundedToBalance: false }] });
    expect(deletes()).toBe(calls);
    expect(h.sim.sim.state.esims.get(iccid)!.assignments[0]!.revoked).toBeFalsy();
    expect((await h.rpc.call(GetEsimV1, { owner, iccid })).bundles).toMatchObject([{ state: 'QUEUED' }]);

    expect(await revoke(orderId, true)).toMatchObject({ outcome: 'ALREADY_USED', forced: true, bundles: [{ result: 'USED', refundedToBalance: false }] });
    expect(deletes()).toBe(calls + 1);
    expect(h.sim.sim.state.esims.get(iccid)!.assignments[0]!.revoked).toBe(true);
    expect(h.sim.sim.state.balanceCents).toBe(balance);
    expect(await h.rpc.call(GetEsimV1, { owner, iccid })).toMatchObject({ status: 'REVOKED', bundles: [{ state: 'REVOKED' }] });
  });

  it('a top-up order revokes only the top-up; the eSIM keeps its own bundle', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const topupOrder = randomUUID();
    await publishUntilRouted(
      () => h.publisher.publishMessage(ApplyBundleV1, { orderId: topupOrder, owner, iccid, bundleName: 'esim_3GB_30D_IM_U' }, { producer: 'order', correlationId: randomUUID() }),
      'esim.apply-bundle.v1',
    );
    await waitFor(async () => ((await h.rpc.call(GetEsimV1, { owner, iccid })).bundles?.length === 2 ? true : undefined), { timeoutMs: 20_000, message: 'top-up applied' });
    expect(await revoke(topupOrder, false)).toMatchObject({ outcome: 'REVOKED', bundles: [{ iccid, bundleName: 'esim_3GB_30D_IM_U', result: 'REVOKED' }] });
    const view = await h.rpc.call(GetEsimV1, { owner, iccid });
    expect(view.bundles!.map((b) => [b.bundleName, b.state])).toEqual([
      [BUNDLE, 'QUEUED'],
      ['esim_3GB_30D_IM_U', 'REVOKED'],
    ]);
    expect(view.status).toBe('QUEUED');
  });

  it('answers FAILED for an order whose bundles we do not hold (unknown, or another owner), and for eSIM Go failing', async () => {
    expect(await revoke(randomUUID(), false)).toMatchObject({ outcome: 'FAILED', bundles: [] });
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const orderId = await orderOf(iccid);
    expect(await revoke(orderId, false, { type: 'vendor', id: 'someone-else' })).toMatchObject({ outcome: 'FAILED' });

    h.sim.sim.control.setFaults({ errorRate: 1, paths: ['/esims/'] });
    try {
      expect(await revoke(orderId, false)).toMatchObject({ outcome: 'FAILED', bundles: [{ result: 'FAILED' }], detail: expect.stringContaining('no such assignment') });
    } finally {
      h.sim.sim.control.resetFaults();
    }
    // eSIM Go is back: the next request revokes.
    expect(await revoke(orderId, false)).toMatchObject({ outcome: 'REVOKED' });
  });
});
