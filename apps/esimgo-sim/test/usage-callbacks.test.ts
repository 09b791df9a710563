import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { verifyCallbackSignature } from '../src/callbacks';
import { API_KEY, buy, startSim, type RunningSim } from './sim.fixture';

interface Received {
  raw: string;
  signature: string;
}

interface BundlesBody {
  bundles: Array<{
    name: string;
    description: string;
    assignments: Array<{ id: string; callTypeGroup: string; initialQuantity: number; remainingQuantity: number; bundleState: string; assignmentReference: string; unlimited: boolean }>;
  }>;
}

async function receiver(failFirst = 0): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let failures = failFirst;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) {
        failures -= 1;
        res.statusCode = 500;
        res.end();
        return;
      }
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['x-signature-sha256'] ?? '') });
      res.statusCode = 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/esimgo/callbacks`, received, server };
}

let s: RunningSim;
let rx: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
  rx = await receiver(1);
  s = await startSim({ callbackUrl: rx.url, callbackRetryDelaysMs: [50, 100, 200] });
});
afterAll(async () => {
  await s.stop();
  await new Promise((r) => rx.server.close(r));
});

const bundlesOf = async (iccid: string, qs = ''): Promise<BundlesBody> => (await (await s.call(`/esims/${iccid}/bundles${qs}`)).json()) as BundlesBody;

describe('usage, bundle states and callbacks', () => {
  it('moves Queued -> Active -> Depleted and sends signed FirstUse and Utilisation alerts', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    const start = await bundlesOf(iccid);
    expect(start.bundles[0]).toMatchObject({ name: 'esim_1GB_7D_FR_V2', description: expect.stringContaining('France') });
    expect(start.bundles[0]!.assignments[0]).toMatchObject({
      callTypeGroup: 'data',
      initialQuantity: 1_000_000_000,
      remainingQuantity: 1_000_000_000,
      bundleState: 'Queued',
      assignmentReference: o.orderReference,
      unlimited: false,
    });

    const used = await s.control('/usage', { iccid, usedPercent: 60 });
    expect(used.status).toBe(200);
    const mid = await bundlesOf(iccid);
    expect(mid.bundles[0]!.assignments[0]).toMatchObject({ bundleState: 'Active', remainingQuantity: 400_000_000 });
    const one = (await (await s.call(`/esims/${iccid}/bundles/esim_1GB_7D_FR_V2`)).json()) as { assignments: Array<{ bundleState: string }> };
    expect(one.assignments[0]!.bundleState).toBe('Active');

    await s.control('/usage', { iccid, usedBytes: 1_000_000_000 });
    const end = await bundlesOf(iccid);
    expect(end.bundles[0]!.assignments[0]).toMatchObject({ bundleState: 'Depleted', remainingQuantity: 0 });
    const details = (await (await s.call(`/esims/${iccid}`)).json()) as { firstInstalledDateTime: number | null };
    expect(typeof details.firstInstalledDateTime).toBe('number');

    await s.sim.control.callbacksIdle();
    const all = rx.received.map((r) => ({ ...r, body: JSON.parse(r.raw) as { iccid: string; alertType: string; bundle: Record<string, unknown> } }));
    // The first data use implies the first network attach: FirstAttachment { alertType, iccid } comes first, once.
    expect(all[0]!.body).toEqual({ alertType: 'FirstAttachment', iccid });
    const mine = all.slice(1);
    expect(mine.map((m) => m.body.alertType)).toEqual(['FirstUse', 'Utilisation', 'Utilisation', 'Utilisation']);
    expect(mine.map((m) => m.body.bundle.remainingQuantity)).toEqual([400_000_000, 400_000_000, 0, 0]);
    const assignmentId = start.bundles[0]!.assignments[0]!.id;
    for (const m of mine) {
      expect(m.body.iccid).toBe(iccid);
      expect(m.body.bundle).toMatchObject({ id: assignmentId, reference: o.orderReference, name: 'esim_1GB_7D_FR_V2', initialQuantity: 1_000_000_000, unlimited: false });
      expect(typeof m.body.bundle.startTime).toBe('string');
      // base64 HMAC-SHA256 over the raw body with the API key, as eSIM Go signs V3 callbacks.
      expect(m.signature).toBe(createHmac('sha256', API_KEY).update(m.raw).digest('base64'));
      expect(verifyCallbackSignature(m.raw, m.signature, API_KEY)).toBe(true);
      expect(verifyCallbackSignature(m.raw, m.signature, 'other-key')).toBe(false);
    }
    // the receiver failed the first attempt: it was retried
    const log = (await (await s.control('/callbacks')).json()) as { callbacks: Array<{ status: string; attempts: number }> };
    expect(log.callbacks.every((c) => c.status === 'delivered')).toBe(true);
    expect(log.callbacks[0]!.attempts).toBe(2);
  });

  it('signs in hex when configured', async () => {
    await s.control('/callback', { digest: 'hex', signingKey: 'cb-secret' });
    const before = rx.received.length;
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    await s.control('/usage', { iccid: o.order[0]!.iccids[0], addBytes: 1000 });
    await s.sim.control.callbacksIdle();
    const got = rx.received.slice(before).filter((r) => !r.raw.includes('FirstAttachment'));
    expect(got).toHaveLength(1);
    expect(got[0]!.signature).toBe(createHmac('sha256', 'cb-secret').update(got[0]!.raw).digest('hex'));
    await s.control('/callback', { digest: 'base64', signingKey: null });
  });

  it('expires bundles and hides used ones unless includeUsed', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    await s.control('/usage', { iccid, usedPercent: 10 });
    expect((await s.control('/expire', { iccid })).status).toBe(200);
    expect((await bundlesOf(iccid)).bundles).toEqual([]);
    expect((await bundlesOf(iccid, '?includeUsed=true')).bundles[0]!.assignments[0]!.bundleState).toBe('Expired');
  });

  it('revokes the oldest unused assignment and refunds its price to the balance', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    const price = o.order[0]!.pricePerUnit;
    const balance = async () => ((await (await s.call('/organisation')).json()) as { balance: number }).balance;
    const before = await balance();
    const check = await s.call(`/esims/${iccid}/bundles/esim_1GB_7D_FR_V2?type=validate&refundToBalance=true`, { method: 'DELETE' });
    expect(await check.json()).toMatchObject({ refundable: true, refundAmount: price });
    expect(await balance()).toBe(before);
    const res = await s.call(`/esims/${iccid}/bundles/esim_1GB_7D_FR_V2?type=transaction&refundToBalance=true`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'success', refunded: true, refundedTo: 'balance' });
    expect(await balance()).toBe(Math.round((before + price) * 100) / 100);
    const after = await bundlesOf(iccid, '?includeUsed=true');
    expect(after.bundles[0]!.assignments[0]!.bundleState).toBe('Revoked');
    const again = await s.call(`/esims/${iccid}/bundles/esim_1GB_7D_FR_V2?refundToBalance=true`, { method: 'DELETE' });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ message: expect.any(String) });
  });

  it('does not refund a bundle that was used', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    await s.control('/usage', { iccid, usedPercent: 5 });
    const balance = async () => ((await (await s.call('/organisation')).json()) as { balance: number }).balance;
    const before = await balance();
    const res = await s.call(`/esims/${iccid}/bundles/esim_1GB_7D_FR_V2?refundToBalance=true`, { method: 'DELETE' });
    expect(await res.json()).toMatchObject({ status: 'success', refunded: false });
    expect(await balance()).toBe(before);
  });
  it('sends FirstAttachment once per eSIM, also without data use (/__sim/attach)', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    const before = rx.received.length;
    const first = (await (await s.control('/attach', { iccid })).json()) as { attached: boolean; firstInstalledDateTime: number };
    expect(first).toMatchObject({ iccid, attached: true, firstInstalledDateTime: expect.any(Number) });
    expect((await (await s.control('/attach', { iccid })).json()) as { attached: boolean }).toMatchObject({ attached: false });
    await s.control('/usage', { iccid, usedPercent: 10 });
    await s.sim.control.callbacksIdle();
    const types = rx.received.slice(before).map((r) => (JSON.parse(r.raw) as { iccid: string; alertType: string })).filter((b) => b.iccid === iccid).map((b) => b.alertType);
    expect(types).toEqual(['FirstAttachment', 'FirstUse']);
    expect((await s.control('/attach', { iccid: '8944530000000000000' })).status).toBe(404);
  });

  it('repeats callbacks (callbackDuplicates) and replays earlier ones in reverse order', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    await s.control('/faults', { callbackDuplicates: 1 });
    const before = rx.received.length;
    await s.control('/usage', { iccid, usedPercent: 85 });
    await s.sim.control.callbacksIdle();
    await s.control('/faults/reset', {});
    const sent = rx.received.slice(before).map((r) => r.raw);
    // FirstAttachment, FirstUse, 50 % and 80 %: each twice, byte for byte, and signed the same.
    expect(sent).toHaveLength(8);
    for (let i = 0; i < sent.length; i += 2) expect(sent[i + 1]).toBe(sent[i]);

    const mark = rx.received.length;
    const replay = await s.control('/callbacks/replay', { iccid });
    const { replayed } = (await replay.json()) as { replayed: Array<{ repeatOf: string; alertType: string }> };
    expect(replayed.map((r) => r.alertType)).toEqual(['Utilisation', 'Utilisation', 'FirstUse', 'FirstAttachment']);
    await s.sim.control.callbacksIdle();
    const again = rx.received.slice(mark).map((r) => r.raw);
    expect(again).toEqual([sent[6], sent[4], sent[2], sent[0]]);
    const log = (await (await s.control('/callbacks')).json()) as { callbacks: Array<{ id: string; repeatOf?: string }> };
    expect(replayed.every((r) => log.callbacks.some((c) => c.id === r.repeatOf && c.repeatOf === undefined))).toBe(true);
  });

  it('moves the end of a started bundle (/__sim/expire with inMs) and refuses it for an unused one', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    expect((await s.control('/expire', { iccid, inMs: 3_600_000 })).status).toBe(400);
    await s.control('/usage', { iccid, usedPercent: 1 });
    const res = (await (await s.control('/expire', { iccid, inMs: 3_600_000 })).json()) as { assignment: { endTime: string; bundleState: string } };
    expect(res.assignment.bundleState).toBe('Active');
    expect(Math.abs(Date.parse(res.assignment.endTime) - Date.now() - 3_600_000)).toBeLessThan(5000);
  });
});
