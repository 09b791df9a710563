/**
 * The simulator answers as eSIM Go documents, and with nothing more: every answer our client reads is checked
 * against the exact (documented keys only) schemas of @ttelgo/contracts, the same definitions our client parses
 * with and the fixtures of eSIM Go's documented examples are checked against.
 */
import type { z } from 'zod';
import { EsimGoApiExact } from '@ttelgo/contracts';
import { buy, startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim({ seed: 1, initialBalance: 500 });
});
afterAll(() => s.stop());

function expectExact(schema: z.ZodType, body: unknown): void {
  expect(schema.safeParse(body).error?.issues ?? []).toEqual([]);
}

async function json(path: string, init?: Parameters<RunningSim['call']>[1]): Promise<unknown> {
  const res = await s.call(path, init);
  expect(res.status).toBe(200);
  return res.json();
}

describe('simulator answers against the documented schemas', () => {
  it('GET /catalogue: the page envelope and every bundle on it', async () => {
    const page = (await json('/catalogue?perPage=50&page=2')) as { bundles: unknown[] };
    expectExact(EsimGoApiExact.CataloguePage, page);
    expect(page.bundles).toHaveLength(50);
    for (const bundle of page.bundles) expectExact(EsimGoApiExact.CatalogueBundle, bundle);
  });

  it('POST /orders, GET /orders/{reference}, GET /orders: orders as documented, whatever the request carried', async () => {
    // eSIM Go keeps no reference of ours: a clientReference sent anyway never comes back.
    const bought = await buy(s, 'esim_1GB_7D_IM_U', 2, { clientReference: 'ours-1' });
    expectExact(EsimGoApiExact.Order, bought);
    expectExact(EsimGoApiExact.Order, await json(`/orders/${bought.orderReference}`));
    expectExact(EsimGoApiExact.OrderList, await json('/orders?includeIccids=true&page=1&limit=50'));
    expectExact(EsimGoApiExact.OrderList, await json('/orders?page=1&limit=10'));
  });

  it('GET /esims/assignments and GET /esims/{iccid}/compatible/{bundle}', async () => {
    const bought = await buy(s, 'esim_1GB_7D_IM_U');
    expectExact(EsimGoApiExact.Assignments, await json(`/esims/assignments?reference=${bought.orderReference}`, { headers: { Accept: 'application/json' } }));
    expectExact(
      EsimGoApiExact.Assignments,
      await json(`/esims/assignments?reference=${bought.orderReference}&additionalFields=appleInstallUrl`, { headers: { Accept: 'application/json' } }),
    );
    expectExact(EsimGoApiExact.Compatibility, await json(`/esims/${bought.order[0]!.iccids[0]}/compatible/esim_1GB_7D_IM_U`));
  });

  it('GET /esims/{iccid}/bundles: assignments without startTime or endTime, in use and not, under either state name', async () => {
    const bought = await buy(s, 'esim_1GB_7D_IM_U');
    const iccid = bought.order[0]!.iccids[0]!;
    expectExact(EsimGoApiExact.EsimBundles, await json(`/esims/${iccid}/bundles?includeUsed=true`));
    expect((await s.control('/usage', { iccid, usedPercent: 20 })).status).toBe(200);
    const used = (await json(`/esims/${iccid}/bundles`)) as { bundles: Array<{ assignments: Array<Record<string, unknown>> }> };
    expectExact(EsimGoApiExact.EsimBundles, used);
    expect(used.bundles[0]!.assignments[0]).toMatchObject({ bundleState: 'Active' });
    expect((await s.control('/faults', { assignmentStateField: 'bundleStatus' })).status).toBe(200);
    const renamed = (await json(`/esims/${iccid}/bundles`)) as { bundles: Array<{ assignments: Array<Record<string, unknown>> }> };
    expectExact(EsimGoApiExact.EsimBundles, renamed);
    expect(renamed.bundles[0]!.assignments[0]).toMatchObject({ bundleStatus: 'Active' });
    await s.control('/faults/reset', {});
  });

  it('pages of more than 50 are refused, as eSIM Go may', async () => {
    for (const path of ['/catalogue?perPage=51', '/orders?limit=51']) {
      const res = await s.call(path);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: expect.stringMatching(/between 1 and 50/) });
    }
  });
});
