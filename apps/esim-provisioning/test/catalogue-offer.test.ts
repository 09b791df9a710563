/**
 * What the catalogue shows besides a price: the networks per country (eSIM Go's GET /networks, synced with the
 * bundles), top-up compatibility (from the bundle's eSIM Go groups) and the recommended retail price in every
 * currency of the configured exchange-rate table. Driven over RPC as the gateway does, eSIM Go played by the
 * simulator.
 */
import { GetBundleV1, GetExchangeRatesV1, ListBundlesV1 } from '@ttelgo/contracts';
import { testLogger } from '@ttelgo/testing';
import { startEsimProvisioningHarness, type EsimProvisioningHarness } from './support/esim-provisioning.harness';

jest.setTimeout(90_000);

const logger = testLogger('esim-provisioning-catalogue-offer');
const RATES = JSON.stringify({ base: 'USD', asOf: '2026-11-30', source: 'test desk', rates: { EUR: '0.9234', JPY: '150.5' } });

let h: EsimProvisioningHarness;

beforeAll(async () => {
  h = await startEsimProvisioningHarness('esims_offer', logger, 'catalogue-offer-test');
});
afterAll(() => h?.close());

/** Independent of the service's code: cents of the simulator's decimal price + 30 % half-up, then * rate half-up. */
function retailCents(usd: number): number {
  const cents = Math.round(usd * 100);
  return cents + Math.floor((cents * 3000 + 5000) / 10000);
}

describe('the catalogue offer', () => {
  it('shows networks per country, top-up compatibility and recommended retail prices from the dated table', async () => {
    const service = await h.startService({ EXCHANGE_RATES: RATES });
    try {
      const synced = await service.syncCatalogueNow();
      expect(synced.status).toBe('synced');

      const source = h.sim.sim.state.bundlesByName.get('esim_1GB_7D_FR_V2')!;
      const { bundle } = await h.rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' });
      const retail = retailCents(source.price);
      expect(bundle.price).toEqual({ amount: retail, currency: 'USD' });
      expect(bundle.topUpCompatible).toBe(true);
      expect(bundle.recommendedRetailPrices).toEqual([
        { amount: retail, currency: 'USD' },
        { amount: Math.floor((retail * 923_400 + 500_000) / 1_000_000), currency: 'EUR' },
        { amount: Math.floor((retail * 150_500_000 + 50_000_000) / 100_000_000), currency: 'JPY' },
      ]);
      expect(bundle.countries).toEqual([
        {
          iso: 'FR',
          name: 'France',
          region: 'Europe',
          networks: [
            { name: 'Orange', brandName: 'Orange', mcc: '208', mnc: '01', speeds: ['4G', '5G'] },
            { name: 'SFR', brandName: 'SFR', mcc: '208', mnc: '10', speeds: ['4G', '5G'] },
            { name: 'Bouygues Telecom', brandName: 'Bouygues Telecom', mcc: '208', mnc: '20', speeds: ['4G', '5G'] },
          ],
        },
      ]);

      // A vendor's price follows its markup; the recommended retail price stays the retail one.
      const vendor = await h.rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2', markupBps: 1000 });
      expect(vendor.bundle.price.amount).toBeLessThan(retail);
      expect(vendor.bundle.recommendedRetailPrices).toEqual(bundle.recommendedRetailPrices);

      // A regional bundle carries the networks of each of its countries.
      const { bundle: eu } = await h.rpc.call(GetBundleV1, { name: 'esim_5GB_30D_EU_U' });
      expect(eu.countries.length).toBeGreaterThan(20);
      expect(eu.countries.find((c) => c.iso === 'DE')?.networks?.map((n) => n.name)).toEqual(['Telekom', 'Vodafone', 'O2']);
      expect(eu.countries.every((c) => (c.networks ?? []).length > 0)).toBe(true);

      // Lists show the same as single bundles.
      const page = await h.rpc.call(ListBundlesV1, { country: 'FR', limit: 100 });
      expect(page.data.find((b) => b.name === 'esim_1GB_7D_FR_V2')).toEqual(bundle);

      const rates = await h.rpc.call(GetExchangeRatesV1, {});
      expect(rates).toEqual({ base: 'USD', asOf: '2026-11-30', source: 'test desk', rates: [{ currency: 'EUR', rate: '0.9234' }, { currency: 'JPY', rate: '150.5' }] });
    } finally {
      await service.close();
    }
  });

  it('says a bundle outside the top-up groups cannot top up, and keeps the stored catalogue when the network data fails', async () => {
    const service = await h.startService({ TOPUP_BUNDLE_GROUPS: 'Top-up Bundles' });
    try {
      const { bundle } = await h.rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' });
      expect(bundle.topUpCompatible).toBe(false);

      h.sim.sim.control.setFaults({ paths: ['/networks'], errorRate: 1 });
    try {
        const failed = await service.syncCatalogueNow();
        expect(failed.status).toBe('failed');
    } finally {
      h.sim.sim.control.resetFaults();
    }
    const again = await h.rpc.call(GetBundleV1, { name: 'esim_1GB_7D_FR_V2' });
    expect(again.bundle.countries[0]?.networks?.length).toBe(3);
    } finally {
      await service.close();
    }
  });

  it('refuses a table whose base is not the catalogue currency, or whose rates are floats', () => {
    const { loadEsimProvisioningConfig } = jest.requireActual<typeof import('../src/config')>('../src/config');
    expect(() => loadEsimProvisioningConfig({ NODE_ENV: 'test', EXCHANGE_RATES: JSON.stringify({ base: 'EUR', asOf: '2026-12-01', rates: { USD: '1.05' } }) })).toThrow(
      /EXCHANGE_RATES.*base EUR must be CATALOGUE_CURRENCY/s,
    );
    expect(() => loadEsimProvisioningConfig({ NODE_ENV: 'test', EXCHANGE_RATES: JSON.stringify({ base: 'USD', asOf: '2026-12-01', rates: { EUR: 0.9 } }) })).toThrow(
      /EXCHANGE_RATES/,
    );
  });
});
