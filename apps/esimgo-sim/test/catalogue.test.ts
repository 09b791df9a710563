import { COUNTRIES, generateCatalogue, type CatalogueBundle } from '../src/catalogue.generator';
import { startSim, type RunningSim } from './sim.fixture';

interface Page {
  bundles: CatalogueBundle[];
  pageCount: number;
  rows: number;
  pageSize: number;
}

let s: RunningSim;
beforeAll(async () => {
  s = await startSim({ seed: 7 });
});
afterAll(() => s.stop());

const page = async (qs: string): Promise<Page> => {
  const res = await s.call(`/catalogue?${qs}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

/** Every page of a query, 50 at a time (the most the simulator serves, as eSIM Go may), as one page. */
const all = async (qs: string): Promise<Page> => {
  const first = await page(`${qs}&perPage=50&page=1`);
  const bundles = [...first.bundles];
  for (let p = 2; p <= first.pageCount; p++) bundles.push(...(await page(`${qs}&perPage=50&page=${p}`)).bundles);
  return { ...first, bundles };
};

describe('catalogue', () => {
  it('has at least 300 bundles over at least 100 real countries in six regions', async () => {
    const whole = await all('');
    expect(whole.rows).toBeGreaterThanOrEqual(300);
    expect(whole.bundles).toHaveLength(whole.rows);
    const isos = new Set(whole.bundles.flatMap((b) => b.countries.map((c) => c.iso)));
    expect(isos.size).toBeGreaterThanOrEqual(100);
    for (const iso of isos) expect(iso).toMatch(/^[A-Z]{2}$/);
    expect(new Set(COUNTRIES.map((c) => c.region))).toEqual(new Set(['Europe', 'Asia', 'Americas', 'Africa', 'Middle East', 'Oceania']));
    expect(new Set(COUNTRIES.map((c) => c.iso)).size).toBe(COUNTRIES.length);
  });

  it('looks like eSIM Go bundles', () => {
    const bundles = generateCatalogue(7);
    // Collect problems first: thousands of single expects are slow, and one list reads better on failure.
    const problems = bundles.flatMap((b) => {
      const p: string[] = [];
      if (!/^esim_(\d+(MB|GB)|ULP)_\d+D_[A-Z]+_(V2|U)$/.test(b.name)) p.push('name');
      if (b.groups.join() !== 'Standard eSIM Bundles') p.push('groups');
      if (b.billingType !== 'FixedCost') p.push('billingType');
      if (b.speed.join() !== '4G,5G') p.push('speed');
      if (b.autostart !== true) p.push('autostart');
      if (b.dataAmount < 500 || b.dataAmount > 50000) p.push('dataAmount');
      if (b.duration < 1 || b.duration > 90) p.push('duration');
      if (!(b.price > 0) || Math.round(b.price * 100) / 100 !== b.price) p.push('price');
      return p.map((what) => `${b.name}: ${what}`);
    });
    expect(problems).toEqual([]);
    expect(new Set(bundles.map((b) => b.name)).size).toBe(bundles.length);
    expect(bundles.some((b) => b.unlimited && b.name.startsWith('esim_ULP_'))).toBe(true);
    expect(bundles.find((b) => b.name === 'esim_10GB_30D_IM_U')).toBeDefined();
    const eu = bundles.find((b) => b.name === 'esim_5GB_30D_EU_U');
    expect(eu?.countries.length).toBeGreaterThan(20);
    expect(eu?.roamingEnabled.map((c) => c.iso)).toContain('FR');
  });

  it('prices grow with data and with duration', () => {
    const fr = generateCatalogue(7).filter((b) => b.countries.length === 1 && b.countries[0]!.iso === 'FR' && !b.unlimited);
    for (const a of fr) {
      for (const b of fr) {
        if (a.dataAmount >= b.dataAmount && a.duration >= b.duration && (a.dataAmount > b.dataAmount || a.duration > b.duration)) {
          expect(a.price).toBeGreaterThan(b.price);
        }
      }
    }
  });

  it('is deterministic for a seed and varies between seeds', () => {
    expect(generateCatalogue(7)).toEqual(generateCatalogue(7));
    const other = generateCatalogue(8);
    expect(other.map((b) => `${b.name}:${b.price}`)).not.toEqual(generateCatalogue(7).map((b) => `${b.name}:${b.price}`));
  });

  it('filters by country', async () => {
    const fr = await all('countries=FR');
    expect(fr.rows).toBeGreaterThanOrEqual(5);
    for (const b of fr.bundles) expect(b.countries.map((c) => c.iso)).toContain('FR');
    const local = fr.bundles.filter((b) => b.countries.length === 1);
    expect(local.length).toBeGreaterThanOrEqual(5);
    expect(local.map((b) => b.name)).toContain('esim_1GB_7D_FR_V2');
    const two = await all('countries=FR,DE');
    expect(two.rows).toBeGreaterThan(local.length);
  });

  it('filters by region, description and group, and orders', async () => {
    const europe = await all('region=Europe');
    expect(europe.rows).toBeGreaterThan(50);
    for (const b of europe.bundles) for (const c of b.countries) expect(c.region).toBe('Europe');
    const desc = await all('description=*France*');
    expect(desc.rows).toBeGreaterThan(0);
    for (const b of desc.bundles) expect(b.description).toContain('France');
    const none = await page('group=Nope');
    expect(none.rows).toBe(0);
    const byPrice = await all('countries=FR&orderBy=price&direction=desc');
    const prices = byPrice.bundles.map((b) => b.price);
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
  });

  it('pages through the whole catalogue without overlap', async () => {
    const first = await page('perPage=40&page=1');
    expect(first.pageSize).toBe(40);
    expect(first.pageCount).toBe(Math.ceil(first.rows / 40));
    const names: string[] = [];
    for (let p = 1; p <= first.pageCount; p++) names.push(...(await page(`perPage=40&page=${p}`)).bundles.map((b) => b.name));
    expect(names).toHaveLength(first.rows);
    expect(new Set(names).size).toBe(first.rows);
    const past = await page(`perPage=40&page=${first.pageCount + 1}`);
    expect(past.bundles).toHaveLength(0);
    const dflt = await page('');
    expect(dflt.pageSize).toBe(50);
    expect(dflt.bundles).toHaveLength(50);
  });

  it('returns one bundle without groups, 404 for unknown or case-mismatched names, also under /v2.5', async () => {
    const res = await s.call('/catalogue/bundle/esim_1GB_7D_FR_V2');
    expect(res.status).toBe(200);
    const b = (await res.json()) as Record<string, unknown>;
    expect(b.name).toBe('esim_1GB_7D_FR_V2');
    expect(b.groups).toBeUndefined();
    expect(b.dataAmount).toBe(1000);
    const miss = await s.call('/catalogue/bundle/ESIM_1GB_7D_FR_V2');
    expect(miss.status).toBe(404);
    expect(await miss.json()).toEqual({ message: expect.any(String) });
    const v25 = await fetch(`${s.origin}/v2.5/catalogue/bundle/esim_1GB_7D_FR_V2`, { headers: { 'x-api-key': 'test-key-1' } });
    expect(v25.status).toBe(200);
  });
});
