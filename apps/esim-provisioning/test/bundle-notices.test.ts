/**
 * Component test of the usage and expiry notices: esim.bundle-notice.v1 events written to the outbox (and
 * published) when a bundle crosses a usage threshold, nears its end or ends, from eSIM Go alerts
 * (esim.record-usage.v1) and from the daily usage sync alike, once per threshold per bundle assignment.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { ApplyBundleV1, type DataOf, type EsimBundleNoticeV1, type Owner } from '@ttelgo/contracts';
import { declareEventExchange } from '@ttelgo/messaging';
import { testLogger, waitFor } from '@ttelgo/testing';
import type { EsimProvisioningHandle } from '../src/service';
import {
  provisionEsims,
  publishUntilRouted,
  sendUsageAlert,
  startEsimProvisioningHarness,
  usageAlert,
  waitUntilProcessed,
  type EsimProvisioningHarness,
  type RecordUsage,
} from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

type Notice = DataOf<typeof EsimBundleNoticeV1>;

const logger = testLogger('esim-provisioning-bundle-notices-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const TOPUP = 'esim_3GB_30D_IM_U';
const GB = 1_000_000_000;
const owner: Owner = { type: 'customer', id: `cust-${randomUUID()}` };

let h: EsimProvisioningHarness;
let service: EsimProvisioningHandle;
let eventsConn: amqplib.ChannelModel;
const published: Notice[] = [];

/** The notices published for one eSIM, as "<bundleName> <notice> <threshold>". */
function noticesOf(iccid: string): string[] {
  return published.filter((n) => n.iccid === iccid).map((n) => `${n.bundleName} ${n.notice}${n.threshold === null ? '' : ` ${n.threshold}`}`);
}

async function outboxCount(iccid: string): Promise<number> {
  const { rows } = await h.pgClient.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${h.schema}".outbox WHERE type = 'esim.bundle-notice.v1' AND payload->'data'->>'iccid' = $1`,
    [iccid],
  );
  return rows[0]!.n;
}

/** Waits until the outbox holds `n` notices of the eSIM and all of them were published. */
async function settled(iccid: string, n: number): Promise<string[]> {
  await waitFor(async () => ((await outboxCount(iccid)) === n && published.filter((p) => p.iccid === iccid).length === n) || undefined, {
    timeoutMs: 10_000,
    message: `expected ${n} notices for ${iccid}`,
  });
  return noticesOf(iccid);
}

async function alert(iccid: string, overrides: Partial<RecordUsage>): Promise<string> {
  const sent = await sendUsageAlert(h, usageAlert(iccid, { bundleName: BUNDLE, initialBytes: GB, ...overrides }));
  await waitUntilProcessed(h, sent.id, 'esim.record-usage');
  return sent.id;
}

const at = (base: number, s: number) => new Date(base + s * 1000).toISOString();

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimnotice', logger, 'bundle-notices-test');
  eventsConn = await amqplib.connect(h.vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'esim');
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, 'ttelgo.events.esim', 'esim.bundle-notice.v1');
  await ch.consume(q.queue, (msg) => msg && published.push((JSON.parse(msg.content.toString()) as { data: Notice }).data), { noAck: true });
  service = await h.startService({
    USAGE_REFRESH_AFTER_MS: '0',
    ESIM_USAGE_SYNC_INTERVAL_MS: '3600000',
    ESIM_USAGE_SYNC_FIRST_RUN_DELAY_MS: '3600000',
    ESIM_USAGE_SYNC_CALLS_PER_SECOND: '10',
  });
  await service.syncCatalogueNow();
});

afterAll(async () => {
  await eventsConn?.close().catch(() => undefined);
  await h?.close();
});

describe('usage notices from eSIM Go alerts', () => {
  it('tells 80 % and 100 % once each, whatever is repeated, replayed or reordered', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const t0 = Date.now();
    await alert(iccid, { alertType: 'FirstUse', remainingBytes: GB - 1000, alertedAt: at(t0, 1) });
    await alert(iccid, { remainingBytes: GB / 2, alertedAt: at(t0, 2) });
    expect(await settled(iccid, 0)).toEqual([]);

    const eighty = usageAlert(iccid, { bundleName: BUNDLE, initialBytes: GB, remainingBytes: 0.2 * GB, alertedAt: at(t0, 3) });
    const first = await sendUsageAlert(h, eighty);
    await waitUntilProcessed(h, first.id, 'esim.record-usage');
    expect(await settled(iccid, 1)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`]);
    const [notice] = published.filter((p) => p.iccid === iccid);
    expect(notice).toMatchObject({ owner, bundleName: BUNDLE, threshold: 80, usedBytes: 0.8 * GB, totalBytes: GB, remainingBytes: 0.2 * GB, unlimited: false });

    // eSIM Go's retry (same body: same message id), the same alert under a new id, and a later one at 85 %.
    await sendUsageAlert(h, eighty, { id: first.id });
    await alert(iccid, { remainingBytes: 0.2 * GB, alertedAt: at(t0, 4), dedupeKey: 'a'.repeat(64) });
    await alert(iccid, { remainingBytes: 0.15 * GB, alertedAt: at(t0, 5) });
    expect(await settled(iccid, 1)).toHaveLength(1);

    await alert(iccid, { remainingBytes: 0, state: 'Depleted', alertedAt: at(t0, 6) });
    expect(await settled(iccid, 2)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`, `${BUNDLE} USAGE_THRESHOLD 100`]);

    // Late and out of order: the 80 % alert again (older), and one newer by the clock with more data left.
    await alert(iccid, { remainingBytes: 0.2 * GB, alertedAt: at(t0, 3) });
    await alert(iccid, { remainingBytes: 0.1 * GB, alertedAt: at(t0, 60) });
    await alert(iccid, { remainingBytes: 0, state: 'Depleted', alertedAt: at(t0, 61) });
    await new Promise((r) => setTimeout(r, 300));
    expect(await settled(iccid, 2)).toHaveLength(2);
  });

  it('tells only 100 % when one alert jumps past both thresholds', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    await alert(iccid, { remainingBytes: 0, state: 'Depleted' });
    expect(await settled(iccid, 1)).toEqual([`${BUNDLE} USAGE_THRESHOLD 100`]);
    const { rows } = await h.pgClient.query<{ notice: string }>(
      `SELECT n.notice FROM "${h.schema}".esim_bundle_notices n JOIN "${h.schema}".esim_bundles b ON b.id = n.bundle_id WHERE b.iccid = $1 ORDER BY 1`,
      [iccid],
    );
    expect(rows.map((r) => r.notice)).toEqual(['USAGE_100', 'USAGE_80']);
  });

  it('gives a top-up thresholds of its own', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    await alert(iccid, { remainingBytes: 0.1 * GB });
    expect(await settled(iccid, 1)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`]);

    const orderId = randomUUID();
    await publishUntilRouted(
      () => h.publisher.publishMessage(ApplyBundleV1, { orderId, owner, iccid, bundleName: TOPUP }, { producer: 'order', correlationId: randomUUID() }),
      'esim.apply-bundle.v1',
    );
    const reference = await waitFor(
      async () => {
        const { rows } = await h.pgClient.query<{ ref: string | null }>(`SELECT provider_reference AS ref FROM "${h.schema}".provider_orders WHERE order_id = $1 AND state = 'COMPLETED'`, [
          orderId,
        ]);
        return rows[0]?.ref ?? undefined;
      },
      { timeoutMs: 20_000, message: 'the top-up was not applied' },
    );
    await alert(iccid, { bundleName: TOPUP, initialBytes: 3 * GB, remainingBytes: 0.5 * GB, assignmentId: '200000002', assignmentReference: reference });
    expect(await settled(iccid, 2)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`, `${TOPUP} USAGE_THRESHOLD 80`]);
    const topupNotice = published.filter((p) => p.iccid === iccid)[1]!;
    expect(topupNotice).toMatchObject({ orderId, usedBytes: 2.5 * GB, totalBytes: 3 * GB });
  });
});

describe('notices from the daily usage sync', () => {
  it('tells a threshold crossed while no alert came, then "expires within 24 hours" and "expired", once each', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const due = () => h.pgClient.query(`UPDATE "${h.schema}".esim_bundles SET usage_synced_at = now() - interval '2 days' WHERE iccid = $1`, [iccid]);
    h.sim.sim.control.simulateUsage({ iccid, usedPercent: 85 });
    await due();
    await service.syncUsageNow();
    expect(await settled(iccid, 1)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`]);

    // The bundle's first use was reported 6 days 22 hours ago (a callback's start) and its end is only our estimate:
    // eSIM Go's answer has no end, so the pull computes start + 7 days, two hours away, and the run warns once.
    await h.pgClient.query(
      `UPDATE "${h.schema}".esim_bundles SET starts_at = now() - interval '7 days' + interval '2 hours', ends_at_reported = false WHERE iccid = $1`,
      [iccid],
    );
    await due();
    await service.syncUsageNow();
    expect(await settled(iccid, 2)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`, `${BUNDLE} EXPIRING`]);
    await due();
    await service.syncUsageNow();
    expect(await settled(iccid, 2)).toHaveLength(2);

    h.sim.sim.control.expire(iccid, BUNDLE);
    await due();
    await service.syncUsageNow();
    await service.syncUsageNow();
    expect(await settled(iccid, 3)).toEqual([`${BUNDLE} USAGE_THRESHOLD 80`, `${BUNDLE} EXPIRING`, `${BUNDLE} EXPIRED`]);
  });

  it('warns about a stored end within 24 hours without calling eSIM Go, and ends it without a call when it passed', async () => {
    const [iccid] = (await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 1 })) as [string];
    const calls = () => h.sim.sim.state.requestCounts[`GET /esims/${iccid}/bundles`] ?? 0;
    await h.pgClient.query(
      `UPDATE "${h.schema}".esim_bundles SET ends_at = now() + interval '3 hours', ends_at_reported = true, provider_state = 'Active', state = 'ACTIVE', usage_synced_at = now() WHERE iccid = $1`,
      [iccid],
    );
    await service.syncUsageNow();
    expect(await settled(iccid, 1)).toEqual([`${BUNDLE} EXPIRING`]);
    await h.pgClient.query(`UPDATE "${h.schema}".esim_bundles SET ends_at = now() - interval '1 minute' WHERE iccid = $1`, [iccid]);
    await service.syncUsageNow();
    expect(await settled(iccid, 2)).toEqual([`${BUNDLE} EXPIRING`, `${BUNDLE} EXPIRED`]);
    expect(calls()).toBe(0);
  });
});
