/**
 * Component test of the daily usage and expiry sync: two replicas of the service (A: up to 100 calls per run,
 * B: 2) on one Postgres schema and one RabbitMQ vhost, the real eSIM Go simulator in-process. Eight eSIMs are
 * bought through esim.provision.v1; each test makes its own eSIMs stale (or ended) by setting their stored usage
 * time, drives usage in the simulator, runs the job through the handle and counts the simulator's
 * GET /esims/{iccid}/bundles per eSIM. The timers are set far away and get-esim's refresh is off, so every call
 * seen here came from the run under test.
 */
import { randomUUID } from 'node:crypto';
import { GetEsimV1, type Owner } from '@ttelgo/contracts';
import { testLogger, waitFor } from '@ttelgo/testing';
import type { SyncUsageResult } from '../src/application/sync-usage.use-case';
import type { UsageSyncRunResult } from '../src/entry-points/jobs/usage-sync.job';
import type { EsimProvisioningHandle } from '../src/service';
import {
  provisionEsims,
  sendUsageAlert,
  startEsimProvisioningHarness,
  storedUsage,
  usageAlert,
  waitUntilProcessed,
  type EsimProvisioningHarness,
  type StoredUsage,
} from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-usage-sync-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let h: EsimProvisioningHarness;
let sim: EsimProvisioningHarness['sim'];
let rpc: EsimProvisioningHarness['rpc'];
let pgClient: EsimProvisioningHarness['pgClient'];
let schema: string;
let replicaA: EsimProvisioningHandle;
let replicaB: EsimProvisioningHandle | undefined;

const owner: Owner = { type: 'customer', id: `cust-${randomUUID()}` };
let iccids: string[] = [];

function startReplica(maxPerRun: number): Promise<EsimProvisioningHandle> {
  return h.startService({
    BREAKER_RESET_MS: '1000',
    USAGE_REFRESH_AFTER_MS: '0',
    ESIM_USAGE_SYNC_INTERVAL_MS: '3600000',
    ESIM_USAGE_SYNC_FIRST_RUN_DELAY_MS: '3600000',
    ESIM_USAGE_SYNC_MAX_PER_RUN: String(maxPerRun),
    // Small pages, so a run crosses several keyset pages.
    ESIM_USAGE_SYNC_BATCH_SIZE: '2',
    ESIM_USAGE_SYNC_CALLS_PER_SECOND: '10',
  });
}

const calls = (iccid: string): number => sim.sim.state.requestCounts[`GET /esims/${iccid}/bundles`] ?? 0;
const callsOf = (list: string[]): number[] => list.map(calls);

async function stored(iccid: string): Promise<StoredUsage> {
  return (await storedUsage(h, iccid))!;
}

/** Every eSIM fresh (synced an hour ago), so a test decides alone which ones are due. */
async function allFresh(): Promise<void> {
  await pgClient.query(`UPDATE "${schema}".esim_bundles SET usage_synced_at = now() - interval '1 hour'`);
}
async function syncedAgo(iccid: string, ms: number | null): Promise<void> {
  await pgClient.query(`UPDATE "${schema}".esim_bundles SET usage_synced_at = $2 WHERE iccid = $1`, [iccid, ms === null ? null : new Date(Date.now() - ms)]);
}

function completed(result: UsageSyncRunResult): SyncUsageResult {
  if (result.status !== 'completed') throw new Error(`usage sync did not run: ${JSON.stringify(result)}`);
  return result;
}

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimusync', logger, 'usage-sync-test');
  ({ sim, rpc, pgClient, schema } = h);
  replicaA = await startReplica(100);
  replicaB = await startReplica(2);
  await replicaA.syncCatalogueNow();

  iccids = await provisionEsims(h, { owner, bundleName: BUNDLE, quantity: 8 });
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  sim.sim.control.resetFaults();
});

describe('usage sync job', () => {
  it('refreshes stale eSIMs from eSIM Go (never synced and older than the threshold) and leaves fresh ones alone', async () => {
    const [never, old, justStale, ...fresh] = iccids as [string, string, string, ...string[]];
    await allFresh();
    await syncedAgo(never, null);
    await syncedAgo(old, 2 * DAY);
    await syncedAgo(justStale, 21 * HOUR);
    sim.sim.control.simulateUsage({ iccid: old, usedBytes: 300_000_000 });
    const before = callsOf(iccids);
    const startedAt = Date.now();

    expect(completed(await replicaA.syncUsageNow())).toEqual({
      status: 'completed',
      expired: 0,
      endingSoon: 0,
      pulled: 3,
      refreshed: 3,
      superseded: 0,
      notFound: 0,
      failed: 0,
      stoppedBy: 'done',
    });
    const delta = callsOf(iccids).map((n, i) => n - before[i]!);
    expect(delta).toEqual([1, 1, 1, ...fresh.map(() => 0)]);

    const assignment = sim.sim.state.esims.get(old)!.assignments[0]!;
    const row = await stored(old);
    expect(row).toMatchObject({
      initial_bytes: String(assignment.initialQuantity),
      remaining_bytes: String(assignment.initialQuantity - 300_000_000),
      usage_state: 'Active',
      expires_at_reported: true,
    });
    expect(row.usage_synced_at!.getTime()).toBeGreaterThanOrEqual(startedAt - 5);
    // eSIM Go's answer has no end: first use seen (this pull) + 7 days, never before eSIM Go's own end.
    expect(row.expires_at!.getTime()).toBe(row.usage_synced_at!.getTime() + 7 * DAY);
    expect(row.expires_at!.getTime()).toBeGreaterThanOrEqual(Date.parse(assignment.endTime!));
    // Not used yet: Queued, and the end stays our estimate.
    expect(await stored(never)).toMatchObject({ usage_state: 'Queued', expires_at_reported: false });
    expect((await rpc.call(GetEsimV1, { owner, iccid: old })).usage).toEqual({
      initialBytes: assignment.initialQuantity,
      remainingBytes: assignment.initialQuantity - 300_000_000,
      state: 'Active',
    });

    // Everything is fresh now: the next run asks eSIM Go nothing.
    expect(completed(await replicaA.syncUsageNow())).toMatchObject({ pulled: 0, expired: 0, stoppedBy: 'done' });
  });

  it('expires an eSIM whose reported end has passed without a call, and asks eSIM Go about one whose end was only estimated', async () => {
    const reportedEnd = iccids[3]!;
    const estimatedEnd = iccids[4]!;
    await allFresh();
    await pgClient.query(`UPDATE "${schema}".esim_bundles SET ends_at = now() - interval '1 minute', ends_at_reported = true, provider_state = 'Active', state = 'ACTIVE' WHERE iccid = $1`, [
      reportedEnd,
    ]);
    // Bought a week ago by our estimate, but never used: at eSIM Go the bundle has not even started.
    await pgClient.query(`UPDATE "${schema}".esim_bundles SET ends_at = now() - interval '1 minute', usage_synced_at = now() - interval '2 days' WHERE iccid = $1`, [
      estimatedEnd,
    ]);
    const before = callsOf([reportedEnd, estimatedEnd]);

    expect(completed(await replicaA.syncUsageNow())).toMatchObject({ expired: 1, pulled: 1, refreshed: 1, stoppedBy: 'done' });
    expect(callsOf([reportedEnd, estimatedEnd])).toEqual([before[0], before[1]! + 1]);
    expect((await rpc.call(GetEsimV1, { owner, iccid: reportedEnd })).usage.state).toBe('Expired');
    expect(await stored(estimatedEnd)).toMatchObject({ usage_state: 'Queued', expires_at_reported: false });

    // Finished: skipped by later runs however old its usage, and no alert brings it back.
    await syncedAgo(reportedEnd, 3 * DAY);
    expect(completed(await replicaA.syncUsageNow())).toMatchObject({ expired: 0, pulled: 0 });
    expect(calls(reportedEnd)).toBe(before[0]);
    expect((await stored(reportedEnd)).usage_state).toBe('Expired');
  });

  it('caps the eSIM Go calls of one run; the next run takes the rest, oldest first', async () => {
    const [a, b, c, d] = [iccids[5]!, iccids[0]!, iccids[6]!, iccids[7]!];
    await allFresh();
    await syncedAgo(a, 4 * DAY);
    await syncedAgo(b, 3 * DAY);
    await syncedAgo(c, 2 * DAY);
    await syncedAgo(d, 25 * HOUR);
    const before = callsOf([a, b, c, d]);

    expect(completed(await replicaB!.syncUsageNow())).toMatchObject({ pulled: 2, refreshed: 2, stoppedBy: 'max-per-run' });
    expect(callsOf([a, b, c, d]).map((n, i) => n - before[i]!)).toEqual([1, 1, 0, 0]);
    expect(completed(await replicaB!.syncUsageNow())).toMatchObject({ pulled: 2, refreshed: 2, stoppedBy: 'max-per-run' });
    expect(callsOf([a, b, c, d]).map((n, i) => n - before[i]!)).toEqual([1, 1, 1, 1]);
    expect(completed(await replicaB!.syncUsageNow())).toMatchObject({ pulled: 0, stoppedBy: 'done' });
  });

  it('two replicas running at once: one holds the advisory lock, each eSIM is refreshed once', async () => {
    const due = [iccids[0]!, iccids[1]!];
    await allFresh();
    for (const iccid of due) await syncedAgo(iccid, 2 * DAY);
    // Slow answers, so both runs surely overlap.
    sim.sim.control.setFaults({ latencyMs: 300, paths: ['/esims/'] });
    const before = callsOf(due);

    const results = await Promise.all([replicaA.syncUsageNow(), replicaB!.syncUsageNow()]);
    expect(results.map((r) => r.status).sort()).toEqual(['completed', 'skipped']);
    expect(results.find((r) => r.status === 'completed')).toMatchObject({ pulled: 2, refreshed: 2 });
    expect(callsOf(due).map((n, i) => n - before[i]!)).toEqual([1, 1]);
  });

  it('a usage callback stored while the pull waits for eSIM Go wins: the pull does not overwrite it', async () => {
    const iccid = iccids[1]!;
    await allFresh();
    await syncedAgo(iccid, 2 * DAY);
    sim.sim.control.simulateUsage({ iccid, usedBytes: 500_000_000 });
    sim.sim.control.setFaults({ latencyMs: 2000, paths: ['/esims/'] });
    const before = calls(iccid);

    const run = replicaA.syncUsageNow();
    await waitFor(() => calls(iccid) > before || undefined, { timeoutMs: 10_000, message: 'the pull did not reach eSIM Go' });
    // The callback of a later usage reaches us (through the gateway) while eSIM Go still answers the pull.
    const assignment = sim.sim.state.esims.get(iccid)!.assignments[0]!;
    const alertedAt = new Date().toISOString();
    const data = usageAlert(iccid, {
      bundleName: BUNDLE,
      assignmentId: assignment.id,
      initialBytes: assignment.initialQuantity,
      remainingBytes: assignment.initialQuantity - 600_000_000,
      bundleStartsAt: assignment.startTime ?? null,
      bundleEndsAt: assignment.endTime ?? null,
      alertedAt,
      receivedAt: alertedAt,
    });
    await waitUntilProcessed(h, (await sendUsageAlert(h, data)).id);

    expect(completed(await run)).toMatchObject({ pulled: 1, refreshed: 0, superseded: 1 });
    const row = await stored(iccid);
    expect(row.remaining_bytes).toBe(String(assignment.initialQuantity - 600_000_000));
    expect(row.usage_synced_at!.toISOString()).toBe(alertedAt);
  });

  it('stops early when the eSIM Go breaker opens; the eSIMs it did not reach stay due for the next run', async () => {
    await allFresh();
    const due = iccids.filter((_, i) => i !== 3); // all but the expired one
    for (const iccid of due) await syncedAgo(iccid, 2 * DAY);
    sim.sim.control.setFaults({ outage: true });

    const result = completed(await replicaA.syncUsageNow());
    expect(result.stoppedBy).toBe('breaker-open');
    expect(result.refreshed).toBe(0);
    expect(result.failed).toBe(result.pulled);
    expect(result.pulled).toBeLessThan(due.length);

    sim.sim.control.resetFaults();
    await new Promise((r) => setTimeout(r, 1200)); // BREAKER_RESET_MS: half-open, a trial call may go
    expect(completed(await replicaA.syncUsageNow())).toMatchObject({ pulled: due.length, refreshed: due.length, stoppedBy: 'done' });
  });

  it('shutdown aborts a running sync between two eSIMs and close() does not wait for the whole run', async () => {
    await allFresh();
    const due = iccids.filter((_, i) => i !== 3);
    for (const iccid of due) await syncedAgo(iccid, 2 * DAY);
    sim.sim.control.setFaults({ latencyMs: 1000, paths: ['/esims/'] });
    const before = sim.sim.state.totalRequests;

    const run = replicaB!.syncUsageNow();
    await waitFor(() => sim.sim.state.totalRequests > before || undefined, { timeoutMs: 10_000, message: 'the run did not start' });
    const closing = Date.now();
    await replicaB!.close();
    replicaB = undefined;
    expect(Date.now() - closing).toBeLessThan(5000);
    expect(completed(await run)).toMatchObject({ pulled: 1, stoppedBy: 'shutdown' });
  });
});
