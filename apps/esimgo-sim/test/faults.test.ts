import { startSim, type OrderResponse, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim();
});
afterAll(() => s.stop());
beforeEach(async () => {
  expect((await s.control('/reset', {})).status).toBe(200);
});

const order = (extra: Record<string, unknown> = {}) =>
  s.call('/orders', { json: { type: 'transaction', assign: true, order: [{ type: 'bundle', item: 'esim_1GB_7D_FR_V2', quantity: 1 }], ...extra } });

describe('fault injection', () => {
  it('errorRate 1 answers 500 {message}, limited to the given paths', async () => {
    await s.control('/faults', { errorRate: 1, paths: ['/orders'] });
    const res = await order();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: expect.any(String) });
    expect((await s.call('/catalogue?perPage=1')).status).toBe(200);
    const state = (await (await s.control('/state')).json()) as { orders: number; requests: Record<string, number> };
    expect(state.orders).toBe(0);
    expect(state.requests['POST /orders']).toBe(1);
    expect(state.requests['GET /catalogue']).toBe(1);
  });

  it('burst429 and burst503 refuse the next N requests with Retry-After', async () => {
    await s.control('/faults', { burst429: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await s.call('/organisation');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ message: 'Too Many Requests' });
    }
    expect((await s.call('/organisation')).status).toBe(200);
    await s.control('/faults', { burst503: 1, retryAfterSeconds: 3 });
    const busy = await s.call('/organisation');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('3');
    expect(await busy.json()).toEqual({ message: expect.stringContaining('Processing') });
    expect((await s.call('/organisation')).status).toBe(200);
  });

  it('latencyMs delays answers', async () => {
    await s.control('/faults', { latencyMs: 300 });
    const t0 = Date.now();
    expect((await s.call('/organisation')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it('outage destroys the connection without a response', async () => {
    await s.control('/faults', { outage: true });
    await expect(s.call('/organisation')).rejects.toThrow();
    expect((await s.control('/state')).status).toBe(200);
    await s.control('/faults', { outage: false });
    expect((await s.call('/organisation')).status).toBe(200);
  });

  it('timeoutRate commits the order, then hangs and drops the socket; the order can be found afterwards', async () => {
    await s.control('/faults', { timeoutRate: 1, hangMs: 300, paths: ['/orders'] });
    const before = Date.now();
    const t0 = Date.now();
    await expect(order()).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await s.control('/faults/reset', {});
    const listed = (await (await s.call(`/orders?createdAt=gte:${new Date(before - 1000).toISOString()}&includeIccids=true`)).json()) as { orders: OrderResponse[]; rows: number };
    expect(listed.rows).toBe(1);
    const found = listed.orders[0]!;
    expect(found.order[0]).toMatchObject({ item: 'esim_1GB_7D_FR_V2', quantity: 1 });
    expect(found.order[0]!.iccids).toHaveLength(1);
    // what real reconciliation has to use: a time window plus item and quantity
    const window = (await (await s.call(`/orders?createdAt=gte:${new Date(before - 1000).toISOString()}`)).json()) as { orders: OrderResponse[] };
    expect(window.orders.map((o) => o.orderReference)).toEqual([found.orderReference]);
    const org = (await (await s.call('/organisation')).json()) as { balance: number };
    expect(org.balance).toBe(Math.round((10000 - found.total) * 100) / 100);
  });

  it('failOrdersPermanently refuses transactions with 400 Bundle unavailable', async () => {
    await s.control('/faults', { failOrdersPermanently: true });
    const res = await order();
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Bundle unavailable' });
    expect((await order({ type: 'validate' })).status).toBe(200);
  });

  it('rejects unknown fault knobs and resets everything', async () => {
    const bad = await s.control('/faults', { errorRatio: 1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: expect.any(String) });
    await s.control('/faults', { errorRate: 1 });
    await s.control('/reset', {});
    const state = (await (await s.control('/state')).json()) as { faults: { errorRate: number }; balance: number; orders: number };
    expect(state).toMatchObject({ faults: { errorRate: 0 }, balance: 10000, orders: 0 });
  });

  it('programmatic control matches the HTTP control API', async () => {
    s.sim.control.setFaults({ burst429: 1 });
    expect((await s.call('/organisation')).status).toBe(429);
    s.sim.control.setBalance(12.5);
    const org = (await (await s.call('/organisation')).json()) as { balance: number };
    expect(org.balance).toBe(12.5);
  });
});
