/**
 * Foundation flow end to end: a traveller browses the catalogue through the gateway; the data comes from
 * esim-provisioning over RabbitMQ, which got it from the eSIM Go simulator. It keeps working while eSIM Go is down.
 */
import { BundleListResponseSchema, BundleResponseSchema, ExchangeRatesResponseSchema } from '@ttelgo/contracts';
import { startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ catalogueOnly: true, env: { CATALOGUE_CACHE_TTL_MS: '1' } });
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

async function get(path: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${platform.api}${path}`);
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, body: type.includes('json') ? await res.json() : await res.text(), headers: res.headers };
}

describe('catalogue through the gateway', () => {
  it('lists French bundles with retail prices, walks every page, and shows one bundle', async () => {
    const first = await get('/api/v1/bundles?country=FR&limit=5');
    expect(first.status).toBe(200);
    const page = BundleListResponseSchema.parse(first.body);
    expect(page.data.length).toBe(5);
    for (const bundle of page.data) {
      expect(bundle.countries.map((c) => c.iso)).toContain('FR');
      expect(Number.isInteger(bundle.price.amount)).toBe(true);
      expect(bundle.price.currency).toBe('USD');
    }

    const names = new Set(page.data.map((b) => b.name));
    let cursor = page.nextCursor;
    while (cursor) {
      const next = BundleListResponseSchema.parse((await get(`/api/v1/bundles?country=FR&limit=5&cursor=${cursor}`)).body);
      for (const b of next.data) {
        expect(names.has(b.name)).toBe(false);
        names.add(b.name);
      }
      cursor = next.nextCursor;
    }
    expect(names.size).toBeGreaterThan(5);

    // The retail price is the simulator's cost plus the configured 30 % markup, rounded half-up in cents.
    const [name] = [...names];
    const detail = await get(`/api/v1/bundles/${name}`);
    expect(detail.status).toBe(200);
    const bundle = BundleResponseSchema.parse(detail.body);
    const cost = (await (await fetch(`${platform.esimGo.baseUrl}/catalogue/bundle/${name}`, { headers: { 'X-API-Key': 'esimgo-sim-key' } })).json()) as {
      price: number;
    };
    const costCents = Math.round(cost.price * 100);
    expect(bundle.price.amount).toBe(costCents + Math.floor((costCents * 3000 + 5000) / 10000));
  });

  it("shows each bundle's networks per country, whether it tops up, and its recommended retail price in every currency sold", async () => {
    const rates = await get('/api/v1/exchange-rates');
    expect(rates.status).toBe(200);
    const table = ExchangeRatesResponseSchema.parse(rates.body);
    expect(table.base).toBe('USD');
    expect(table.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(table.rates.map((r) => r.currency)).toEqual(expect.arrayContaining(['EUR', 'GBP']));

    const res = await get('/api/v1/bundles/esim_1GB_7D_GB_V2');
    expect(res.status).toBe(200);
    const bundle = BundleResponseSchema.parse(res.body);
    expect(bundle.topUpCompatible).toBe(true);
    expect(bundle.countries[0]?.networks?.map((n) => `${n.name} ${n.mcc}-${n.mnc}`)).toEqual(['EE 234-30', 'Vodafone 234-15', 'Three 234-20', 'O2 234-10']);

    // The recommended retail price: the USD retail price first, then each currency of the table, converted on
    // integers (rate as millionths, half a minor unit up); EUR and GBP have 2 decimals like USD.
    const rrp = bundle.recommendedRetailPrices ?? [];
    expect(rrp[0]).toEqual(bundle.price);
    expect(rrp.map((m) => m.currency)).toEqual(['USD', ...table.rates.map((r) => r.currency)]);
    const eur = table.rates.find((r) => r.currency === 'EUR')!;
    const [whole, fraction = ''] = eur.rate.split('.');
    const millionths = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
    expect(rrp.find((m) => m.currency === 'EUR')?.amount).toBe(Math.floor((bundle.price.amount * millionths + 500_000) / 1_000_000));
    for (const m of rrp) expect(Number.isInteger(m.amount)).toBe(true);
  });

  it('serves the same page gzipped to clients that accept it', async () => {
    const plain = await fetch(`${platform.api}/api/v1/bundles?country=FR`, { headers: { 'accept-encoding': 'identity' } });
    const zipped = await fetch(`${platform.api}/api/v1/bundles?country=FR`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(zipped.headers.get('vary')).toContain('Accept-Encoding');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(Number(plain.headers.get('content-length')) / 3);
    expect(await zipped.json()).toEqual(await plain.json());
  });

  it('answers unknown bundles with 404 problem+json', async () => {
    const res = await get('/api/v1/bundles/esim_DOES_NOT_EXIST');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'BUNDLE_NOT_FOUND', status: 404 });
  });

  it('keeps serving the catalogue while eSIM Go is down', async () => {
    platform.esimGo.sim.control.setFaults({ outage: true });
    try {
      // A sync attempt against the dead provider fails and is recorded; the stored copy stays.
      await platform.provisioning.syncCatalogueNow().catch(() => undefined);
      const res = await get('/api/v1/bundles?country=DE&limit=3');
      expect(res.status).toBe(200);
      expect(BundleListResponseSchema.parse(res.body).data.length).toBe(3);
      const one = await get(`/api/v1/bundles/${BundleListResponseSchema.parse(res.body).data[0]!.name}`);
      expect(one.status).toBe(200);
    } finally {
      platform.esimGo.sim.control.resetFaults();
    }
  });
});
