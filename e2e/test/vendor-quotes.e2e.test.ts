/**
 * Quotes end to end, through the public API only: a reseller prices a basket at its terms without any money moving,
 * reads the quote back, and cannot see another reseller's quote.
 */
import { randomUUID } from 'node:crypto';
import JSZip from 'jszip';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let adminToken: string;

interface Vendor {
  id: string;
  key: string;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  api = apiClient(platform.api);
  const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  expect(login.status).toBe(200);
  adminToken = login.body.accessToken;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

async function onboard(body: Record<string, unknown>): Promise<Vendor> {
  const created = await api.post<{ id: string }>(
    '/api/v1/admin/vendors',
    { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', rateLimitPerMinute: 600, ...body },
    adminToken,
    { 'Idempotency-Key': randomUUID() },
  );
  expect(created.status).toBe(201);
  const key = await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken);
  expect(key.status).toBe(201);
  return { id: created.body.id, key: key.body.key };
}

const as = (vendor: Vendor) => ({
  get: <T = any>(path: string) => api.call<T>('GET', path, { headers: { 'X-API-Key': vendor.key } }), // eslint-disable-line @typescript-eslint/no-explicit-any
  post: <T = any>(path: string, body: unknown) => api.call<T>('POST', path, { body, headers: { 'X-API-Key': vendor.key } }), // eslint-disable-line @typescript-eslint/no-explicit-any
});

describe('quotes', () => {
  it('prices a basket at the reseller markup, valid 10 minutes, without holding or charging anything', async () => {
    const vendor = await onboard({ billingMode: 'POSTPAID', creditLimit: 100_000, markupPercent: 10 });
    const prices = new Map<string, number>();
    for (const name of ['esim_1GB_7D_FR_V2', 'esim_5GB_30D_EU_U']) {
      const b = await as(vendor).get<{ data: Array<{ name: string; price: { amount: number } }> }>(`/api/v1/vendor/bundles?limit=100&country=${name.includes('FR') ? 'FR' : 'DE'}`);
      const found = b.body.data.find((x) => x.name === name);
      if (found) prices.set(name, found.price.amount);
    }
    expect(prices.get('esim_1GB_7D_FR_V2')).toEqual(expect.any(Number));

    const before = await as(vendor).get<{ balance: number; reserved: number; available: number }>('/api/v1/vendor/balance');
    const created = await as(vendor).post<any>('/api/v1/vendor/quotes', { // eslint-disable-line @typescript-eslint/no-explicit-any
      items: [
        { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3 },
        { bundleName: 'esim_5GB_30D_EU_U', quantity: 2 },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/vendor/quotes/${created.body.id}`);
    const fr = prices.get('esim_1GB_7D_FR_V2')!;
    const eu = created.body.items[1].unitPrice.amount as number;
    if (prices.has('esim_5GB_30D_EU_U')) expect(eu).toBe(prices.get('esim_5GB_30D_EU_U'));
    expect(created.body).toMatchObject({
      items: [
        { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3, unitPrice: { amount: fr, currency: 'USD' }, total: { amount: 3 * fr, currency: 'USD' } },
        { bundleName: 'esim_5GB_30D_EU_U', quantity: 2, total: { amount: 2 * eu, currency: 'USD' } },
      ],
      total: { amount: 3 * fr + 2 * eu, currency: 'USD' },
      valid: true,
    });
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt)).toBe(10 * 60_000);

    // Nothing held, nothing charged.
    expect((await as(vendor).get('/api/v1/vendor/balance')).body).toEqual(before.body);
    expect((await as(vendor).get<{ data: unknown[] }>('/api/v1/vendor/orders')).body.data).toEqual([]);

    const again = await as(vendor).get<any>(`/api/v1/vendor/quotes/${created.body.id}`); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);

    // Another reseller cannot see it.
    const other = await onboard({ billingMode: 'POSTPAID', creditLimit: 1000, markupPercent: 20 });
    const hidden = await as(other).get<{ code: string }>(`/api/v1/vendor/quotes/${created.body.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('QUOTE_NOT_FOUND');
    // ...and gets its own price for the same basket.
    const theirs = await as(other).post<any>('/api/v1/vendor/quotes', { items: [{ bundleName: 'esim_1GB_7D_FR_V2', quantity: 3 }] }); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(theirs.body.items[0].unitPrice.amount).toBeGreaterThan(fr);
  });

  it('refuses bad baskets with problem+json: unknown bundle, more than 50 eSIMs, a bundle twice, extra fields', async () => {
    const vendor = await onboard({ billingMode: 'POSTPAID', creditLimit: 1000, markupPercent: 10 });
    const unknown = await as(vendor).post<{ code: string }>('/api/v1/vendor/quotes', { items: [{ bundleName: 'esim_NOPE', quantity: 1 }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('BUNDLE_NOT_FOUND');

    for (const body of [
      { items: [{ bundleName: 'esim_1GB_7D_FR_V2', quantity: 30 }, { bundleName: 'esim_1GB_7D_DE_V2', quantity: 21 }] },
      { items: [{ bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }] },
      { items: [{ bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, price: 1 }] },
      { items: [] },
    ]) {
      const res = await as(vendor).post<{ code: string }>('/api/v1/vendor/quotes', body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const missing = await as(vendor).get<{ code: string }>(`/api/v1/vendor/quotes/${randomUUID()}`);
    expect(missing.status).toBe(404);
  });

  it('a quoted basket bought as an order: every QR code as a ZIP of PNGs plus a CSV', async () => {
    const vendor = await onboard({ billingMode: 'POSTPAID', creditLimit: 100_000, markupPercent: 10 });
    const quote = await as(vendor).post<any>('/api/v1/vendor/quotes', { items: [{ bundleName: 'esim_1GB_7D_FR_V2', quantity: 3 }] }); // eslint-disable-line @typescript-eslint/no-explicit-any
    const order = await api.call<any>('POST', '/api/v1/vendor/orders', { // eslint-disable-line @typescript-eslint/no-explicit-any
      body: { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3 },
      headers: { 'X-API-Key': vendor.key, 'Idempotency-Key': randomUUID(), Prefer: 'wait=30' },
    });
    expect(order.body).toMatchObject({ status: 'COMPLETED', total: quote.body.total });

    const res = await fetch(`${platform.api}/api/v1/vendor/orders/${order.body.id}/qrcodes.zip`, { headers: { 'X-API-Key': vendor.key } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="order-${order.body.id}-qrcodes.zip"`);
    const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
    const iccids = (order.body.esims as Array<{ iccid: string }>).map((e) => e.iccid);
    expect(Object.keys(zip.files).sort()).toEqual([...iccids.map((i) => `esim-${i}.png`), 'esims.csv'].sort());
    for (const iccid of iccids) {
      const png = await zip.file(`esim-${iccid}.png`)!.async('nodebuffer');
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const single = await fetch(`${platform.api}/api/v1/vendor/esims/${iccid}/qrcode`, { headers: { 'X-API-Key': vendor.key } });
      expect(Buffer.from(await single.arrayBuffer()).equals(png)).toBe(true);
    }
    const csv = (await zip.file('esims.csv')!.async('string')).trim().split('\r\n');
    expect(csv[0]).toBe('iccid,smdpAddress,matchingId,lpa,appleInstallUrl,expiresAt,qrFile');
    expect(csv.slice(1).map((line) => line.split(',')[0]).sort()).toEqual([...iccids].sort());
    for (const line of csv.slice(1)) expect(line).toMatch(/,LPA:1\$[^,]+\$[^,]+,https:\/\//);

    const other = await onboard({ billingMode: 'POSTPAID', creditLimit: 1000 });
    const hidden = await fetch(`${platform.api}/api/v1/vendor/orders/${order.body.id}/qrcodes.zip`, { headers: { 'X-API-Key': other.key } });
    expect(hidden.status).toBe(404);
  });
});
