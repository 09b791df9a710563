/**
 * Install kits through the public API: a traveller's and a reseller's eSIM, steps in the language asked for
 * (Accept-Language, English otherwise), the manual SM-DP+ address and activation code, Apple's one-tap link, the APN
 * for a bundle that needs one (INSTALL_APN_RULES), someone else's ICCID 404; and the list of eSIM-capable devices.
 */
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let stripe: Stripe;
let adminToken: string;

interface InstallKit {
  iccid: string;
  language: string;
  smdpAddress: string;
  activationCode: string;
  lpa: string;
  appleInstallUrl: string;
  qrCodeUrl: string;
  apn: string | null;
  steps: { ios: string[]; android: string[] };
}

beforeAll(async () => {
  platform = await startTestPlatform({ env: { INSTALL_APN_RULES: 'esim_*_DE_*=internet.example' } });
  api = apiClient(platform.api);
  const url = new URL(platform.stripe.baseUrl);
  stripe = new Stripe('sk_test_e2e', { host: url.hostname, port: Number(url.port), protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
  adminToken = (await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).body.accessToken;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

async function firstBundle(country: string): Promise<string> {
  return (await api.get<{ data: Array<{ name: string }> }>(`/api/v1/bundles?country=${country}&limit=1`)).body.data[0]!.name;
}

async function reseller() {
  const created = await api.post<{ id: string }>(
    '/api/v1/admin/vendors',
    { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, currency: 'USD', billingMode: 'POSTPAID', creditLimit: 100_000, rateLimitPerMinute: 600 },
    adminToken,
    { 'Idempotency-Key': randomUUID() },
  );
  const { key } = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${created.body.id}/api-keys`, { name: 'primary' }, adminToken)).body;
  return {
    key,
    get: <T = any>(path: string, headers: Record<string, string> = {}) => api.call<T>('GET', path, { headers: { 'X-API-Key': key, ...headers } }), // eslint-disable-line @typescript-eslint/no-explicit-any
    async buy(bundleName: string): Promise<string> {
      const res = await api.call<{ status: string; esims: Array<{ iccid: string }> }>('POST', '/api/v1/vendor/orders', {
        headers: { 'X-API-Key': key, 'Idempotency-Key': randomUUID(), Prefer: 'wait=20' },
        body: { bundleName, quantity: 1 },
      });
      expect(res.body.status).toBe('COMPLETED');
      return res.body.esims[0]!.iccid;
    },
  };
}

it('a traveller reads the install kit of their eSIM in French; another traveller gets 404', async () => {
  const { accessToken: token } = await api.register(`traveller-${randomUUID()}@example.com`);
  const placed = await api.post<{ id: string; payment: { paymentIntentId: string } }>('/api/v1/orders', { bundleName: await firstBundle('FR'), quantity: 1 }, token, { 'Idempotency-Key': randomUUID() });
  expect(placed.status).toBe(201);
  await stripe.paymentIntents.confirm(placed.body.payment.paymentIntentId, { payment_method: 'pm_card_visa' });
  const order = await waitFor(
    async () => {
      const res = await api.get<{ status: string; esims: Array<{ iccid: string }> }>(`/api/v1/orders/${placed.body.id}`, token);
      return res.body.status === 'COMPLETED' ? res.body : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 200, message: 'order COMPLETED' },
  );
  const iccid = order.esims[0]!.iccid;
  const esim = (await api.get<{ smdpAddress: string; matchingId: string; lpa: string }>(`/api/v1/esims/${iccid}`, token)).body;

  const res = await api.call<InstallKit>('GET', `/api/v1/esims/${iccid}/install`, { token, headers: { 'Accept-Language': 'fr-FR,fr;q=0.9,en;q=0.5' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-language')).toBe('fr');
  expect(res.headers.get('cache-control')).toBe('private, no-store');
  expect(res.body).toMatchObject({
    iccid,
    language: 'fr',
    smdpAddress: esim.smdpAddress,
    activationCode: esim.matchingId,
    lpa: esim.lpa,
    appleInstallUrl: `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${esim.lpa}`,
    qrCodeUrl: `/api/v1/esims/${iccid}/qrcode`,
    apn: null,
  });
  expect(res.body.lpa).toBe(`LPA:1$${esim.smdpAddress}$${esim.matchingId}`);
  expect(res.body.steps.ios.join('\n')).toContain(`l'adresse SM-DP+ ${esim.smdpAddress} et le code d'activation ${esim.matchingId}`);
  expect(res.body.steps.android.join('\n')).toContain(`code d'activation complet ${esim.lpa}`);
  expect(res.body.steps.ios.join('\n')).not.toMatch(/APN/);

  const stranger = await api.register(`stranger-${randomUUID()}@example.com`);
  const foreign = await api.get<{ code: string }>(`/api/v1/esims/${iccid}/install`, stranger.accessToken);
  expect(foreign.status).toBe(404);
  expect(foreign.body.code).toBe('ESIM_NOT_FOUND');
  expect((await api.get(`/api/v1/esims/${iccid}/install`)).status).toBe(401);
}, 120_000);

it('a reseller reads the kit in each language (English for any other), with the APN its bundle needs; another reseller gets 404', async () => {
  const vendor = await reseller();
  const iccid = await vendor.buy(await firstBundle('DE'));

  const steps: Record<string, string> = {};
  for (const [asked, expected] of [['de-DE', 'de'], ['es', 'es'], ['fr', 'fr'], ['en-GB', 'en'], ['pt-BR', 'en'], ['', 'en']] as const) {
    const res = await vendor.get<InstallKit>(`/api/v1/vendor/esims/${iccid}/install`, asked ? { 'Accept-Language': asked } : {});
    expect(res.status).toBe(200);
    expect(res.body.language).toBe(expected);
    expect(res.headers.get('content-language')).toBe(expected);
    expect(res.headers.get('vary')).toMatch(/Accept-Language/);
    expect(res.body.apn).toBe('internet.example');
    expect(res.body.qrCodeUrl).toBe(`/api/v1/vendor/esims/${iccid}/qrcode`);
    expect(res.body.steps.ios.at(-1)).toContain('internet.example');
    expect(res.body.steps.android.at(-1)).toContain('internet.example');
    steps[expected] ??= res.body.steps.ios[0]!;
  }
  expect(steps.de).toMatch(/WLAN/);
  expect(steps.es).toMatch(/Conéctate/);
  expect(steps.fr).toMatch(/Connectez-vous/);
  expect(steps.en).toMatch(/^Connect to Wi-Fi/);

  // A bundle without an APN rule has none.
  const fr = await vendor.buy(await firstBundle('FR'));
  expect((await vendor.get<InstallKit>(`/api/v1/vendor/esims/${fr}/install`)).body.apn).toBeNull();

  const other = await reseller();
  const foreign = await other.get<{ code: string }>(`/api/v1/vendor/esims/${iccid}/install`);
  expect(foreign.status).toBe(404);
  expect(foreign.body.code).toBe('ESIM_NOT_FOUND');
  expect((await other.get<{ code: string }>('/api/v1/vendor/esims/12345/install')).status).toBe(400);
}, 120_000);

it('lists eSIM-capable devices as dated, sourced data, filtered by brand', async () => {
  const all = await api.get<{ updatedAt: string; sources: Array<{ name: string; url: string }>; data: Array<{ brand: string; model: string; type: string }> }>('/api/v1/devices/compatible');
  expect(all.status).toBe(200);
  expect(all.headers.get('cache-control')).toBe('public, max-age=3600');
  expect(all.body.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(all.body.sources.length).toBeGreaterThan(0);
  expect(all.body.data).toContainEqual(expect.objectContaining({ brand: 'Apple', model: 'iPhone 15', type: 'phone' }));
  const google = await api.get<{ data: Array<{ brand: string }> }>('/api/v1/devices/compatible?brand=google');
  expect(google.body.data.length).toBeGreaterThan(10);
  expect(google.body.data.every((d) => d.brand === 'Google')).toBe(true);
  expect((await api.get<{ code: string }>('/api/v1/devices/compatible?model=x')).body.code).toBe('VALIDATION_FAILED');
}, 60_000);
