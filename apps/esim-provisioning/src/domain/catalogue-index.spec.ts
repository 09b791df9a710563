import type { CatalogueBundle, Country } from './catalogue-bundle';
import { regionsOf } from './catalogue-bundle';
import { CatalogueIndex } from './catalogue-index';

const FR: Country = { iso: 'FR', name: 'France', region: 'Europe' };
const DE: Country = { iso: 'DE', name: 'Germany', region: 'Europe' };
const US: Country = { iso: 'US', name: 'United States', region: 'Americas' };

function bundle(name: string, countries: Country[]): CatalogueBundle {
  return {
    name,
    description: name,
    countries,
    regions: regionsOf(countries),
    dataMb: 1000,
    durationDays: 7,
    unlimited: false,
    cost: { amount: 100, currency: 'USD' },
    groups: [],
    speed: [],
    autostart: true,
    billingType: 'FixedCost',
    roamingEnabled: countries,
  };
}

const index = new CatalogueIndex(
  [
    bundle('esim_b_FR', [FR]),
    bundle('esim_a_FR', [FR]),
    bundle('esim_EU', [FR, DE]),
    bundle('esim_GLOBAL', [FR, US]),
    bundle('esim_US', [US]),
    bundle('Esim_upper', [DE]), // code-point order: upper case sorts before lower case
  ],
  'rev1',
);
const names = (list: CatalogueBundle[]): string[] => list.map((b) => b.name);

describe('CatalogueIndex', () => {
  it('lists everything in code-point order', () => {
    expect(names(index.list({}, undefined, 10))).toEqual(['Esim_upper', 'esim_EU', 'esim_GLOBAL', 'esim_US', 'esim_a_FR', 'esim_b_FR']);
  });

  it('filters by country, including multi-country bundles', () => {
    expect(names(index.list({ country: 'FR' }, undefined, 10))).toEqual(['esim_EU', 'esim_GLOBAL', 'esim_a_FR', 'esim_b_FR']);
    expect(names(index.list({ country: 'fr' }, undefined, 10))).toHaveLength(4);
    expect(index.list({ country: 'JP' }, undefined, 10)).toEqual([]);
  });

  it('filters by region: only bundles whose every country is in it (not the global one)', () => {
    expect(names(index.list({ region: 'europe' }, undefined, 10))).toEqual(['Esim_upper', 'esim_EU', 'esim_a_FR', 'esim_b_FR']);
    expect(names(index.list({ country: 'FR', region: 'Europe' }, undefined, 10))).toEqual(['esim_EU', 'esim_a_FR', 'esim_b_FR']);
    expect(names(index.list({ country: 'US', region: 'Europe' }, undefined, 10))).toEqual([]);
  });

  it('continues strictly after the keyset position, even for a name that is not in the list', () => {
    expect(names(index.list({ country: 'FR' }, 'esim_GLOBAL', 1))).toEqual(['esim_a_FR']);
    expect(names(index.list({ country: 'FR' }, 'esim_M', 10))).toEqual(['esim_a_FR', 'esim_b_FR']);
    expect(index.list({ country: 'FR' }, 'esim_b_FR', 10)).toEqual([]);
    expect(names(index.list({ country: 'FR', region: 'Europe' }, 'esim_EU', 1))).toEqual(['esim_a_FR']);
  });

  it('gets by exact, case-sensitive name', () => {
    expect(index.get('esim_US')?.name).toBe('esim_US');
    expect(index.get('ESIM_US')).toBeUndefined();
    expect(index.size).toBe(6);
    expect(index.revision).toBe('rev1');
  });
});
