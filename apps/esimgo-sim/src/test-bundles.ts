/**
 * Magic bundles of the sandbox, like Stripe's test cards: each forces one outcome. They exist only in a simulator
 * started with `testBundles` (the sandbox cell's), never in eSIM Go, so a live order can never name one.
 */
import { COUNTRIES, STANDARD_GROUP, type CatalogueBundle } from './catalogue.generator';

/** The purchase is refused ("Bundle unavailable", as eSIM Go says it): the order ends FAILED and its hold is released. */
export const TEST_PROVISIONING_FAILS = 'test_provisioning_fails';
/** The purchase answers after SLOW_PURCHASE_MS: the order completes after about 5 s. */
export const TEST_COMPLETES_AFTER_5S = 'test_completes_after_5s';
/** USAGE_80_AFTER_MS after the purchase, the eSIM has used 80 % of the bundle (with eSIM Go's usage callbacks). */
export const TEST_USAGE_80 = 'test_usage_80';

export const SLOW_PURCHASE_MS = 5000;
export const USAGE_80_AFTER_MS = 3000;

export function testBundles(): CatalogueBundle[] {
  const france = COUNTRIES.find((c) => c.iso === 'FR')!;
  const bundle = (name: string, what: string): CatalogueBundle => ({
    name,
    description: `Sandbox: ${what}`,
    groups: [STANDARD_GROUP],
    countries: [france],
    dataAmount: 1000,
    duration: 7,
    speed: ['4G'],
    autostart: true,
    unlimited: false,
    roamingEnabled: [],
    price: 1,
    billingType: 'FixedCost',
  });
  return [
    bundle(TEST_PROVISIONING_FAILS, 'provisioning fails, the hold is released'),
    bundle(TEST_COMPLETES_AFTER_5S, 'the order completes after 5 s'),
    bundle(TEST_USAGE_80, '80 % of the data is used a few seconds after completion'),
  ];
}
