/**
 * A bundle's end when eSIM Go is asked rather than told: GET /esims/{iccid}/bundles carries no startTime or endTime
 * (the v2.4 reference's assignment is id, initialQuantity, remainingQuantity, assignmentDateTime, assignmentReference,
 * bundleState — bundleStatus in some versions — and unlimited), and the simulator answers exactly that. The end is
 * computed from the first use seen plus the bundle's duration; either state field name is read.
 */
import { randomUUID } from 'node:crypto';
import { testLogger } from '@ttelgo/testing';
import type { EsimProvisioningHandle } from '../src/service';
import { provisionEsims, startEsimProvisioningHarness, storedUsage, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-expiry-from-pulls-test');
const BUNDLE = 'esim_1GB_7D_IM_U';
const DAY = 86_400_000;

let h: EsimProvisioningHarness;
let service: EsimProvisioningHandle;

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esimexpiry', logger, 'order-test');
  service = await h.startService({
    USAGE_REFRESH_AFTER_MS: '0',
    ESIM_USAGE_SYNC_INTERVAL_MS: '3600000',
    ESIM_USAGE_SYNC_FIRST_RUN_DELAY_MS: '3600000',
    ESIM_USAGE_SYNC_STALE_AFTER_MS: '1000',
  });
  await service.syncCatalogueNow();
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  h.sim.sim.control.resetFaults();
});

async function inUse(): Promise<{ iccid: string; usedFrom: number }> {
  const [iccid] = await provisionEsims(h, { owner: { type: 'customer', id: `cust-${randomUUID()}` }, bundleName: BUNDLE, quantity: 1 });
  const usedFrom = Date.now();
  h.sim.sim.control.simulateUsage({ iccid: iccid!, usedPercent: 30 });
  return { iccid: iccid!, usedFrom };
}

describe('the end of a bundle from a pull', () => {
  it('is the first use seen plus the bundle duration, a reported end (no endTime in the answer)', async () => {
    const { iccid, usedFrom } = await inUse();
    await service.syncUsageNow();
    const usage = (await storedUsage(h, iccid))!;
    expect(usage.usage_state).toBe('Active');
    expect(usage.expires_at_reported).toBe(true);
    const end = usage.expires_at!.getTime();
    expect(end).toBeGreaterThanOrEqual(usedFrom + 7 * DAY);
    expect(end).toBeLessThanOrEqual(Date.now() + 7 * DAY);
  });

  it('reads the state under bundleStatus as well as bundleState', async () => {
    const { iccid } = await inUse();
    h.sim.sim.control.setFaults({ assignmentStateField: 'bundleStatus' });
    await service.syncUsageNow();
    const usage = (await storedUsage(h, iccid))!;
    expect(usage.usage_state).toBe('Active');
    expect(usage.expires_at_reported).toBe(true);
  });
});
