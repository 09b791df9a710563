import JSZip from 'jszip';
import { buy, startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim();
});
afterAll(() => s.stop());

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('GET /esims/assignments', () => {
  it('returns install details as JSON with the Apple install URL', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2', 2);
    const res = await s.call(`/esims/assignments?reference=${o.orderReference}&additionalFields=appleInstallUrl`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const items = (await res.json()) as Array<Record<string, unknown>>;
    expect(items).toHaveLength(2);
    for (const [i, e] of o.order[0]!.esims.entries()) {
      expect(items[i]).toMatchObject({ iccid: e.iccid, matchingId: e.matchingId, smdpAddress: e.smdpAddress, profileStatus: 'Released' });
      expect(items[i]!.pin).toMatch(/^\d{4}$/);
      expect(items[i]!.puk).toMatch(/^\d{8}$/);
      expect('firstInstalledDateTime' in items[i]!).toBe(true);
      expect(items[i]!.appleInstallUrl).toBe(`https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$${e.smdpAddress}$${e.matchingId}`);
    }
    const plain = (await (await s.call(`/esims/assignments?reference=${o.orderReference}`, { headers: { accept: 'application/json' } })).json()) as Array<Record<string, unknown>>;
    expect(plain[0]!.appleInstallUrl).toBeUndefined();
  });

  it('accepts several references', async () => {
    const a = await buy(s, 'esim_1GB_7D_FR_V2');
    const b = await buy(s, 'esim_1GB_7D_FR_V2');
    const res = await s.call(`/esims/assignments?reference=${a.orderReference}&reference=${b.orderReference}`, { headers: { accept: 'application/json' } });
    const items = (await res.json()) as Array<{ iccid: string }>;
    expect(items.map((i) => i.iccid).sort()).toEqual([a.order[0]!.iccids[0], b.order[0]!.iccids[0]].sort());
  });

  it('defaults to CSV', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2', 2);
    const res = await s.call(`/esims/assignments?reference=${o.orderReference}`);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('"ICCID","Matching ID","RSP URL","Bundle","Reference"');
    expect(lines).toHaveLength(3);
    for (const e of o.order[0]!.esims) {
      expect(lines).toContain(`"${e.iccid}","${e.matchingId}","${e.smdpAddress}","esim_1GB_7D_FR_V2","${o.orderReference}"`);
    }
  });

  it('returns a ZIP of QR PNGs plus a CSV', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2', 2);
    const res = await s.call(`/esims/assignments?reference=${o.orderReference}`, { headers: { accept: 'application/zip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/zip');
    const buf = Buffer.from(await res.arrayBuffer());
    expect(buf.subarray(0, 2).toString()).toBe('PK');
    const zip = await JSZip.loadAsync(buf);
    for (const iccid of o.order[0]!.iccids) {
      const png = await zip.file(`${iccid}.png`)!.async('nodebuffer');
      expect(png.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    }
    const csv = await zip.file('esims.csv')!.async('string');
    for (const iccid of o.order[0]!.iccids) expect(csv).toContain(iccid);
  });

  it('rejects a missing or unknown reference with {message}', async () => {
    const none = await s.call('/esims/assignments', { headers: { accept: 'application/json' } });
    expect(none.status).toBe(400);
    const unknown = await s.call('/esims/assignments?reference=00000000-0000-0000-0000-000000000000', { headers: { accept: 'application/json' } });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ message: expect.any(String) });
  });

  it('answers 503 with Retry-After while assignments are Processing when applyAfterProcessing is on', async () => {
    // A clock the test moves, so the Processing window does not depend on machine speed.
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const slow = await startSim({ now: () => clock });
    try {
      await slow.control('/faults', { processingDelayMs: 5000, applyAfterProcessing: true });
      const o = await buy(slow, 'esim_1GB_7D_FR_V2');
      const iccid = o.order[0]!.iccids[0]!;
      clock += 1000;
      const busy = await slow.call(`/esims/assignments?reference=${o.orderReference}`, { headers: { accept: 'application/json' } });
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('4');
      expect(await busy.json()).toEqual({ message: expect.stringContaining('Processing') });
      const bundles = (await (await slow.call(`/esims/${iccid}/bundles`)).json()) as { bundles: Array<{ assignments: Array<{ bundleState: string }> }> };
      expect(bundles.bundles[0]!.assignments[0]!.bundleState).toBe('Processing');
      clock += 4000;
      const ok = await slow.call(`/esims/assignments?reference=${o.orderReference}`, { headers: { accept: 'application/json' } });
      expect(ok.status).toBe(200);
      const later = (await (await slow.call(`/esims/${iccid}/bundles`)).json()) as { bundles: Array<{ assignments: Array<{ bundleState: string }> }> };
      expect(later.bundles[0]!.assignments[0]!.bundleState).toBe('Queued');
    } finally {
      await slow.stop();
    }
  });
});

describe('GET /esims', () => {
  it('shows details, lists eSIMs with paging and keeps a history', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = o.order[0]!.iccids[0]!;
    const details = (await (await s.call(`/esims/${iccid}`)).json()) as Record<string, unknown>;
    expect(details).toMatchObject({ iccid, matchingId: o.order[0]!.esims[0]!.matchingId, profileStatus: 'Released', customerRef: '' });
    expect((await s.call('/esims/8944000000000000000')).status).toBe(404);
    const list = (await (await s.call('/esims?perPage=2&page=1')).json()) as { esims: Array<{ iccid: string }>; rows: number };
    expect(list.esims).toHaveLength(2);
    expect(list.rows).toBeGreaterThanOrEqual(3);
    expect((await s.call('/esims', { method: 'PUT', json: { iccid, customerRef: 'cust-1' } })).status).toBe(200);
    const filtered = (await (await s.call('/esims?filterBy=customerRef&filter=cust-1')).json()) as { esims: Array<{ iccid: string; customerRef: string }> };
    expect(filtered.esims).toEqual([expect.objectContaining({ iccid, customerRef: 'cust-1' })]);
    const history = (await (await s.call(`/esims/${iccid}/history`)).json()) as { history: Array<{ name: string; bundleName: string; date: string }> };
    expect(history.history.map((h) => h.name)).toEqual(['eSIM Updated', 'Bundle Applied']);
  });
});
