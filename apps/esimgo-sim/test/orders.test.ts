import { buy, startSim, type OrderResponse, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim({ seed: 3, initialBalance: 500 });
});
afterAll(() => s.stop());
beforeEach(async () => {
  expect((await s.control('/reset', {})).status).toBe(200);
});

const balance = async (): Promise<number> => ((await (await s.call('/organisation')).json()) as { balance: number }).balance;
const price = async (name: string): Promise<number> => ((await (await s.call(`/catalogue/bundle/${name}`)).json()) as { price: number }).price;

describe('POST /orders', () => {
  it('validate prices the order without charging', async () => {
    const res = await s.call('/orders', {
      json: { type: 'validate', assign: true, order: [{ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 2, allowReassign: false }] },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { order: Array<Record<string, unknown>> };
    const unit = await price('esim_1GB_7D_FR_V2');
    expect(body).toMatchObject({ valid: true, currency: 'USD', assigned: true, total: Math.round(unit * 200) / 100 });
    expect(body.order[0]).toMatchObject({ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 2, pricePerUnit: unit, AllowReassign: false });
    expect(typeof body.createdDate).toBe('string');
    expect(await balance()).toBe(500);
    expect(((await (await s.control('/state')).json()) as { orders: number }).orders).toBe(0);
  });

  it('accepts the flat v2.5 validate body', async () => {
    const res = await s.call('/orders', { json: { type: 'validate', quantity: 1, item: 'esim_1GB_7D_FR_V2' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { valid: boolean }).valid).toBe(true);
  });

  it('transaction charges the balance and returns new eSIMs', async () => {
    const unit = await price('esim_3GB_30D_FR_V2');
    const o = await buy(s, 'esim_3GB_30D_FR_V2', 2);
    expect(o).toMatchObject({ status: 'completed', currency: 'USD', assigned: true, total: Math.round(unit * 200) / 100 });
    expect(o.orderReference).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.statusMessage).toEqual(expect.any(String));
    expect(Date.parse(o.createdDate)).not.toBeNaN();
    const line = o.order[0]!;
    expect(line).toMatchObject({ type: 'bundle', item: 'esim_3GB_30D_FR_V2', quantity: 2, AllowReassign: false, pricePerUnit: unit });
    expect(line.esims).toHaveLength(2);
    expect(line.iccids).toEqual(line.esims.map((e) => e.iccid));
    for (const e of line.esims) {
      expect(e.iccid).toMatch(/^8944\d{15,16}$/);
      expect(e.matchingId).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
      expect(e.smdpAddress).toBe('rsp.esimgo-sim.local');
    }
    expect(new Set(line.iccids).size).toBe(2);
    expect(await balance()).toBe(Math.round((500 - unit * 2) * 100) / 100);
  });

  it('tops up an existing eSIM given its ICCID', async () => {
    const first = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = first.order[0]!.iccids[0]!;
    const res = await s.call('/orders', {
      json: { type: 'transaction', assign: true, order: [{ type: 'bundle', item: 'esim_2GB_15D_FR_V2', quantity: 1, iccids: [iccid], allowReassign: false }] },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as OrderResponse).order[0]!.iccids).toEqual([iccid]);
    const bundles = (await (await s.call(`/esims/${iccid}/bundles`)).json()) as { bundles: Array<{ name: string }> };
    expect(bundles.bundles.map((b) => b.name)).toEqual(['esim_1GB_7D_FR_V2', 'esim_2GB_15D_FR_V2']);
  });

  it('refuses a top-up with a bundle that is not compatible with the eSIM, unless allowReassign (then a new eSIM)', async () => {
    const first = await buy(s, 'esim_1GB_7D_FR_V2');
    const iccid = first.order[0]!.iccids[0]!;
    const compatible = async (bundle: string) => ((await (await s.call(`/esims/${iccid}/compatible/${bundle}`)).json()) as { compatible: boolean }).compatible;
    expect(await compatible('esim_2GB_15D_FR_V2')).toBe(true);
    expect((await s.control('/compatibility', { bundle: 'esim_2GB_15D_FR_V2', iccid, compatible: false })).status).toBe(200);
    expect(await compatible('esim_2GB_15D_FR_V2')).toBe(false);
    expect(await compatible('esim_1GB_7D_FR_V2')).toBe(true);
    const before = await balance();
    const line = { type: 'bundle', item: 'esim_2GB_15D_FR_V2', quantity: 1, iccids: [iccid] };
    const refused = await s.call('/orders', { json: { type: 'transaction', assign: true, order: [{ ...line, allowReassign: false }] } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/not compatible/);
    expect(await balance()).toBe(before);
    const reassigned = (await (await s.call('/orders', { json: { type: 'transaction', assign: true, order: [{ ...line, allowReassign: true }] } })).json()) as OrderResponse;
    expect(reassigned.order[0]!.iccids).toHaveLength(1);
    expect(reassigned.order[0]!.iccids[0]).not.toBe(iccid);
    // A rule without an ICCID holds for every eSIM; setting it compatible again removes the rule.
    await s.control('/compatibility', { bundle: 'esim_2GB_15D_FR_V2', iccid, compatible: true });
    await s.control('/compatibility', { bundle: 'esim_2GB_15D_FR_V2', compatible: false });
    expect(await compatible('esim_2GB_15D_FR_V2')).toBe(false);
    expect((await s.control('/compatibility', { bundle: 'esim_nope', compatible: false })).status).toBe(400);
  });

  it('rejects insufficient balance, unknown or case-mismatched bundles and bad lines with 400 {message}', async () => {
    await s.control('/balance', { amount: 1 });
    const poor = await s.call('/orders', { json: { type: 'transaction', assign: true, order: [{ type: 'bundle', item: 'esim_3GB_30D_FR_V2', quantity: 1 }] } });
    expect(poor.status).toBe(400);
    expect(await poor.json()).toEqual({ message: 'Insufficient balance' });
    expect(await balance()).toBe(1);
    await s.control('/balance', { amount: 500 });
    for (const item of ['esim_nope', 'ESIM_1GB_7D_FR_V2']) {
      const res = await s.call('/orders', { json: { type: 'transaction', assign: true, order: [{ type: 'bundle', item, quantity: 1 }] } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: expect.stringContaining(item) });
    }
    const iccidsWithoutAssign = await s.call('/orders', {
      json: { type: 'transaction', assign: false, order: [{ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 1, iccids: ['8944000000000000000'] }] },
    });
    expect(iccidsWithoutAssign.status).toBe(400);
    const mismatch = await s.call('/orders', {
      json: { type: 'transaction', assign: true, order: [{ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 2, iccids: ['8944000000000000000'] }] },
    });
    expect(mismatch.status).toBe(400);
    const malformed = await s.call('/orders', { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(Object.keys((await malformed.json()) as object)).toEqual(['message']);
    expect(await balance()).toBe(500);
  });

  it('assign:false buys into inventory; /esims/apply puts it on a new eSIM; inventory refund credits the balance', async () => {
    const unit = await price('esim_1GB_7D_FR_V2');
    const res = await s.call('/orders', { json: { type: 'transaction', assign: false, order: [{ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 3 }] } });
    const o = (await res.json()) as OrderResponse;
    expect(o.assigned).toBe(false);
    expect(o.order[0]!.iccids).toEqual([]);
    const inv = (await (await s.call('/inventory')).json()) as { bundles: Array<{ name: string; available: Array<{ id: string; remaining: number }> }> };
    expect(inv.bundles[0]!.name).toBe('esim_1GB_7D_FR_V2');
    expect(inv.bundles[0]!.available[0]!.remaining).toBe(3);
    const applied = await s.call('/esims/apply', { json: { name: 'esim_1GB_7D_FR_V2', repeat: 1 } });
    expect(applied.status).toBe(200);
    const a = (await applied.json()) as { esims: Array<{ iccid: string; bundle: string }>; applyReference: string };
    expect(a.esims).toHaveLength(1);
    const install = (await (await s.call(`/esims/assignments?reference=${a.applyReference}`, { headers: { accept: 'application/json' } })).json()) as Array<{ iccid: string }>;
    expect(install.map((i) => i.iccid)).toEqual([a.esims[0]!.iccid]);
    const before = await balance();
    const refund = await s.call('/inventory/refund', { json: { usageId: inv.bundles[0]!.available[0]!.id, quantity: 2 } });
    expect(refund.status).toBe(200);
    expect(await balance()).toBe(Math.round((before + unit * 2) * 100) / 100);
    const tooMany = await s.call('/esims/apply', { json: { name: 'esim_1GB_7D_FR_V2' } });
    expect(tooMany.status).toBe(400);
  });
});

describe('GET /orders', () => {
  it('returns a stored order in the same shape, 404 {message} for unknown', async () => {
    const o = await buy(s, 'esim_1GB_7D_FR_V2');
    const res = await s.call(`/orders/${o.orderReference}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...o, sourceIP: expect.any(String) });
    const miss = await s.call('/orders/00000000-0000-0000-0000-000000000000');
    expect(miss.status).toBe(404);
    expect(await miss.json()).toEqual({ message: expect.any(String) });
  });

  it('lists orders with createdAt windows, paging and includeIccids; a clientReference sent shows only on the control API', async () => {
    const start = new Date().toISOString();
    const a = await buy(s, 'esim_1GB_7D_FR_V2', 1, { clientReference: 'ttelgo-order-1' });
    await new Promise((r) => setTimeout(r, 5));
    const b = await buy(s, 'esim_2GB_15D_FR_V2', 2);
    const all = (await (await s.call(`/orders?createdAt=gte:${start}&includeIccids=true`)).json()) as { orders: OrderResponse[]; rows: number };
    expect(all.rows).toBe(2);
    expect(all.orders.map((o) => o.orderReference)).toEqual([b.orderReference, a.orderReference]);
    expect(all.orders[0]!.order[0]!.iccids).toHaveLength(2);
    const window = (await (await s.call(`/orders?createdAt=gte:${start}&createdAt=lte:${a.createdDate}`)).json()) as { orders: OrderResponse[]; rows: number };
    expect(window.orders.map((o) => o.orderReference)).toEqual([a.orderReference]);
    expect(window.orders[0]!.order[0]!.iccids).toBeUndefined();
    const paged = (await (await s.call('/orders?limit=1&page=2')).json()) as { orders: OrderResponse[]; rows: number };
    expect(paged.rows).toBe(2);
    expect(paged.orders.map((o) => o.orderReference)).toEqual([a.orderReference]);
    // eSIM Go keeps no reference of ours: the parameter filters nothing and no answer carries it.
    const byRef = (await (await s.call(`/orders?createdAt=gte:${start}&clientReference=ttelgo-order-1`)).json()) as { orders: Array<Record<string, unknown>>; rows: number };
    expect(byRef.rows).toBe(2);
    for (const o of byRef.orders) expect(o).not.toHaveProperty('clientReference');
    const control = (await (await s.control('/orders')).json()) as { orders: Array<{ orderReference: string; clientReference: string | null }> };
    expect(control.orders.find((o) => o.orderReference === a.orderReference)?.clientReference).toBe('ttelgo-order-1');
    expect(control.orders.find((o) => o.orderReference === b.orderReference)?.clientReference).toBeNull();
  });
});
