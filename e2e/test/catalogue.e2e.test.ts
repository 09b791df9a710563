/**
 * Foundation flow end to end: a traveller browses the catalogue through the gateway; the data comes from
 * esim-provisioning over RabbitMQ, which got it from the eSIM Go simulator. It keeps working while eSIM Go is down.
 */
import { BundleListResponseSchema, BundleResponseSchema } from '@ttelgo/contracts';
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
