/**
 * A deterministic, realistic eSIM Go catalogue. The same seed always yields the same bundles (names, prices,
 * order), so tests in every app can rely on `esim_1GB_7D_FR_V2` existing with a stable price.
 */

export type RegionName = 'Europe' | 'Asia' | 'Americas' | 'Africa' | 'Middle East' | 'Oceania';

export interface CatalogueCountry {
  name: string;
  region: RegionName;
  iso: string;
}

export interface CatalogueBundle {
  name: string;
  description: string;
  groups: string[];
  countries: CatalogueCountry[];
  /** MB; 1 GB = 1000 MB. For unlimited bundles this is the high-speed fair-usage allowance. */
  dataAmount: number;
  /** days */
  duration: number;
  speed: string[];
  autostart: boolean;
  unlimited: boolean;
  roamingEnabled: CatalogueCountry[];
  /** USD, at most 2 decimals */
  price: number;
  billingType: 'FixedCost';
}

export const STANDARD_GROUP = 'Standard eSIM Bundles';

type C = [iso: string, name: string];

const BY_REGION: Record<RegionName, C[]> = {
  Europe: [
    ['FR', 'France'], ['DE', 'Germany'], ['ES', 'Spain'], ['IT', 'Italy'], ['GB', 'United Kingdom'], ['PT', 'Portugal'],
    ['NL', 'Netherlands'], ['BE', 'Belgium'], ['LU', 'Luxembourg'], ['CH', 'Switzerland'], ['AT', 'Austria'], ['IE', 'Ireland'],
    ['DK', 'Denmark'], ['SE', 'Sweden'], ['NO', 'Norway'], ['FI', 'Finland'], ['IS', 'Iceland'], ['PL', 'Poland'],
    ['CZ', 'Czech Republic'], ['SK', 'Slovakia'], ['HU', 'Hungary'], ['RO', 'Romania'], ['BG', 'Bulgaria'], ['GR', 'Greece'],
    ['HR', 'Croatia'], ['SI', 'Slovenia'], ['RS', 'Serbia'], ['BA', 'Bosnia and Herzegovina'], ['ME', 'Montenegro'],
    ['MK', 'North Macedonia'], ['AL', 'Albania'], ['EE', 'Estonia'], ['LV', 'Latvia'], ['LT', 'Lithuania'], ['MT', 'Malta'],
    ['CY', 'Cyprus'], ['UA', 'Ukraine'], ['MD', 'Moldova'], ['IM', 'Isle of Man'], ['JE', 'Jersey'], ['GG', 'Guernsey'],
    ['MC', 'Monaco'], ['LI', 'Liechtenstein'], ['AD', 'Andorra'], ['SM', 'San Marino'], ['TR', 'Turkey'],
  ],
  Asia: [
    ['CN', 'China'], ['JP', 'Japan'], ['KR', 'South Korea'], ['HK', 'Hong Kong'], ['MO', 'Macau'], ['TW', 'Taiwan'],
    ['SG', 'Singapore'], ['MY', 'Malaysia'], ['TH', 'Thailand'], ['VN', 'Vietnam'], ['ID', 'Indonesia'], ['PH', 'Philippines'],
    ['IN', 'India'], ['PK', 'Pakistan'], ['BD', 'Bangladesh'], ['LK', 'Sri Lanka'], ['NP', 'Nepal'], ['KH', 'Cambodia'],
    ['LA', 'Laos'], ['MN', 'Mongolia'], ['KZ', 'Kazakhstan'], ['UZ', 'Uzbekistan'], ['KG', 'Kyrgyzstan'], ['BN', 'Brunei'],
  ],
  Americas: [
    ['US', 'United States'], ['CA', 'Canada'], ['MX', 'Mexico'], ['BR', 'Brazil'], ['AR', 'Argentina'], ['CL', 'Chile'],
    ['CO', 'Colombia'], ['PE', 'Peru'], ['EC', 'Ecuador'], ['UY', 'Uruguay'], ['PY', 'Paraguay'], ['BO', 'Bolivia'],
    ['CR', 'Costa Rica'], ['PA', 'Panama'], ['GT', 'Guatemala'], ['SV', 'El Salvador'], ['HN', 'Honduras'],
    ['NI', 'Nicaragua'], ['DO', 'Dominican Republic'], ['JM', 'Jamaica'], ['PR', 'Puerto Rico'], ['BS', 'Bahamas'],
    ['BB', 'Barbados'], ['TT', 'Trinidad and Tobago'],
  ],
  Africa: [
    ['ZA', 'South Africa'], ['EG', 'Egypt'], ['MA', 'Morocco'], ['TN', 'Tunisia'], ['KE', 'Kenya'], ['NG', 'Nigeria'],
    ['GH', 'Ghana'], ['TZ', 'Tanzania'], ['UG', 'Uganda'], ['RW', 'Rwanda'], ['SN', 'Senegal'], ['CI', "Côte d'Ivoire"],
    ['CM', 'Cameroon'], ['ET', 'Ethiopia'], ['MU', 'Mauritius'], ['MG', 'Madagascar'], ['ZM', 'Zambia'], ['MW', 'Malawi'],
    ['MZ', 'Mozambique'], ['BW', 'Botswana'], ['NA', 'Namibia'], ['DZ', 'Algeria'],
  ],
  'Middle East': [
    ['AE', 'United Arab Emirates'], ['SA', 'Saudi Arabia'], ['QA', 'Qatar'], ['KW', 'Kuwait'], ['BH', 'Bahrain'],
    ['OM', 'Oman'], ['IL', 'Israel'], ['JO', 'Jordan'], ['LB', 'Lebanon'], ['IQ', 'Iraq'],
  ],
  Oceania: [
    ['AU', 'Australia'], ['NZ', 'New Zealand'], ['FJ', 'Fiji'], ['PG', 'Papua New Guinea'], ['WS', 'Samoa'], ['TO', 'Tonga'],
    ['VU', 'Vanuatu'], ['NC', 'New Caledonia'], ['PF', 'French Polynesia'],
  ],
};

export const COUNTRIES: readonly CatalogueCountry[] = (Object.keys(BY_REGION) as RegionName[]).flatMap((region) =>
  BY_REGION[region].map(([iso, name]) => ({ iso, name, region })),
);

/** Region bundle codes; none collides with an ISO2 country code used in names. */
const REGION_CODES: Record<RegionName, string> = {
  Europe: 'EU',
  Asia: 'RAS',
  Americas: 'RAM',
  Africa: 'RAF',
  'Middle East': 'RME',
  Oceania: 'ROC',
};

/** Standard (data, days) tiers, as eSIM Go sells them. */
const TIERS: ReadonlyArray<{ mb: number; days: number }> = [
  { mb: 500, days: 1 },
  { mb: 1000, days: 7 },
  { mb: 2000, days: 15 },
  { mb: 3000, days: 30 },
  { mb: 5000, days: 30 },
  { mb: 10000, days: 30 },
  { mb: 20000, days: 30 },
  { mb: 50000, days: 90 },
];
const UNLIMITED_DAYS = [1, 3, 7, 15];
const REGIONAL_TIERS = [TIERS[1]!, TIERS[3]!, TIERS[4]!, TIERS[5]!, TIERS[6]!];
const GLOBAL_TIERS = [TIERS[1]!, TIERS[3]!, TIERS[4]!, TIERS[5]!, { mb: 20000, days: 60 }];

/** mulberry32: tiny, fast, good enough for catalogue variety; exported for the fault dice too. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function dataLabel(mb: number): string {
  return mb < 1000 ? `${mb}MB` : `${mb / 1000}GB`;
}

/** Monotonic in data and in duration, scaled by a per-country cost factor. */
function standardPrice(factor: number, mb: number, days: number): number {
  const gb = mb / 1000;
  return round2(factor * (0.9 + 1.35 * Math.pow(gb, 0.8) + 0.03 * days));
}

function unlimitedPrice(factor: number, days: number): number {
  return round2(factor * (3.5 + 2.6 * days));
}

function bundle(
  name: string,
  description: string,
  countries: CatalogueCountry[],
  mb: number,
  days: number,
  unlimited: boolean,
  price: number,
): CatalogueBundle {
  return {
    name,
    description,
    groups: [STANDARD_GROUP],
    countries: countries.map((c) => ({ ...c })),
    dataAmount: mb,
    duration: days,
    speed: ['4G', '5G'],
    autostart: true,
    unlimited,
    roamingEnabled: countries.map((c) => ({ ...c })),
    price,
    billingType: 'FixedCost',
  };
}

/** Countries that always get the full range of local bundles, so demos and tests can count on them. */
const FULL_RANGE = new Set(['FR', 'IM', 'US', 'GB', 'DE', 'ES', 'IT', 'JP']);

export function generateCatalogue(seed: number): CatalogueBundle[] {
  const rng = createRng(seed);
  const bundles: CatalogueBundle[] = [];

  for (const country of COUNTRIES) {
    const factor = 0.75 + rng() * 1.6;
    // Most bundles carry the newer `_V2` suffix; a minority the older `_U` one (e.g. `esim_10GB_30D_IM_U`).
    const suffix = country.iso === 'IM' ? 'U' : country.iso === 'FR' ? 'V2' : rng() < 0.2 ? 'U' : 'V2';
    let tiers: typeof TIERS;
    let unlimitedDays: number[];
    if (FULL_RANGE.has(country.iso)) {
      tiers = TIERS;
      unlimitedDays = UNLIMITED_DAYS;
    } else {
      // 1GB/7D always, plus 2 to 4 more tiers picked by the seed.
      const extra = TIERS.filter((t) => t.mb !== 1000).filter(() => rng() < 0.4);
      tiers = TIERS.filter((t) => t.mb === 1000 || extra.includes(t));
      unlimitedDays = rng() < 0.3 ? UNLIMITED_DAYS.filter(() => rng() < 0.6) : [];
      if (tiers.length < 3) tiers = [TIERS[1]!, TIERS[3]!, TIERS[5]!];
    }
    for (const t of tiers) {
      const label = dataLabel(t.mb);
      bundles.push(
        bundle(
          `esim_${label}_${t.days}D_${country.iso}_${suffix}`,
          `eSIM, ${label}, ${t.days} Days, ${country.name}, ${suffix}`,
          [country],
          t.mb,
          t.days,
          false,
          standardPrice(factor, t.mb, t.days),
        ),
      );
    }
    for (const days of unlimitedDays) {
      bundles.push(
        bundle(
          `esim_ULP_${days}D_${country.iso}_${suffix}`,
          `eSIM, Unlimited Plus, ${days} Days, ${country.name}, ${suffix}`,
          [country],
          Math.min(50000, 2000 * days),
          days,
          true,
          unlimitedPrice(factor, days),
        ),
      );
    }
  }

  for (const region of Object.keys(BY_REGION) as RegionName[]) {
    const members = COUNTRIES.filter((c) => c.region === region);
    const factor = 1.3 + rng() * 0.5;
    const code = REGION_CODES[region];
    for (const t of REGIONAL_TIERS) {
      const label = dataLabel(t.mb);
      bundles.push(
        bundle(
          `esim_${label}_${t.days}D_${code}_U`,
          `eSIM, ${label}, ${t.days} Days, ${region}, U`,
          members,
          t.mb,
          t.days,
          false,
          standardPrice(factor, t.mb, t.days),
        ),
      );
    }
  }

  const globalFactor = 2.2 + rng() * 0.4;
  for (const t of GLOBAL_TIERS) {
    const label = dataLabel(t.mb);
    bundles.push(
      bundle(
        `esim_${label}_${t.days}D_RGB_V2`,
        `eSIM, ${label}, ${t.days} Days, Global, V2`,
        [...COUNTRIES],
        t.mb,
        t.days,
        false,
        standardPrice(globalFactor, t.mb, t.days),
      ),
    );
  }
  return bundles;
}
