/**
 * Our eSIM Go parsers on eSIM Go's own documented examples (test/fixtures/esimgo, each with its source), and on
 * answers we must refuse: an answer without the fields we act on is a contract error, never an empty answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { EsimGoApi, EsimGoApiExact, esimGoOrderCreatedAt } from '@ttelgo/contracts';
import { EsimGoEsimBundlesDto } from '../src/infrastructure/esimgo/esimgo.dto';

interface Fixture {
  $source: string;
  operation: string;
  status: number;
  body: unknown;
}

const DIR = join(__dirname, 'fixtures', 'esimgo');
const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Fixture) }));

/** The schema each operation's 200 answer is read with, tolerant (our client) and exact (documented keys only). */
const READERS: Record<string, { tolerant: z.ZodType; exact: z.ZodType }> = {
  'GET /catalogue': { tolerant: EsimGoApi.CataloguePage, exact: EsimGoApiExact.CataloguePage },
  'POST /orders': { tolerant: EsimGoApi.Order, exact: EsimGoApiExact.Order },
  'GET /orders': { tolerant: EsimGoApi.OrderList, exact: EsimGoApiExact.OrderList },
  'GET /esims/assignments': { tolerant: EsimGoApi.Assignments, exact: EsimGoApiExact.Assignments },
  'GET /esims/{iccid}/bundles': { tolerant: EsimGoEsimBundlesDto, exact: EsimGoApiExact.EsimBundles },
  'GET /esims/{iccid}/compatible/{bundle}': { tolerant: EsimGoApi.Compatibility, exact: EsimGoApiExact.Compatibility },
};

const fixture = (file: string): Fixture => fixtures.find((f) => f.file === file)!;

describe('eSIM Go fixtures', () => {
  it('every fixture names its source and an operation we read', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    for (const f of fixtures) {
      expect(f.$source).toMatch(/^https:\/\//);
      if (f.status === 200) expect(Object.keys(READERS)).toContain(f.operation);
    }
  });

  it.each(fixtures.filter((f) => f.status === 200).map((f) => [f.file, f] as const))('%s is read by our parser, tolerant and exact', (_file, f) => {
    const reader = READERS[f.operation]!;
    expect(reader.tolerant.safeParse(f.body).error?.issues ?? []).toEqual([]);
    expect(reader.exact.safeParse(f.body).error?.issues ?? []).toEqual([]);
  });

  it('every documented order list shape yields its orders with their creation time', () => {
    const counts = ['orders.list.json', 'orders.list.bare-array.json', 'orders.get.json'].map((file) => {
      const list = EsimGoApi.OrderList.parse(fixture(file).body);
      const orders = Array.isArray(list) ? list : 'orders' in list ? list.orders : [list];
      for (const o of orders) expect(Number.isNaN(esimGoOrderCreatedAt(o).getTime())).toBe(false);
      return orders.length;
    });
    expect(counts).toEqual([3, 1, 1]);
  });
});

describe('answers we refuse (a provider-contract error, never "nothing")', () => {
  const list = fixture('orders.list.json').body as { orders: Array<Record<string, unknown>> };

  it('an order list under another key is not an empty list', () => {
    expect(EsimGoApi.OrderList.safeParse({ data: list.orders, pageCount: 1 }).success).toBe(false);
    expect(EsimGoApi.OrderList.safeParse({}).success).toBe(false);
  });

  it('one order we cannot read fails the whole list instead of being skipped', () => {
    const { orderReference: _dropped, ...withoutReference } = list.orders[1]!;
    expect(EsimGoApi.OrderList.safeParse({ ...list, orders: [list.orders[0], withoutReference] }).success).toBe(false);
    const { createdDate: _noDate, ...withoutDate } = list.orders[1]!;
    expect(EsimGoApi.OrderList.safeParse({ orders: [withoutDate] }).success).toBe(false);
    const badLine = { ...list.orders[1], order: [{ type: 'bundle', quantity: 1 }] };
    expect(EsimGoApi.OrderList.safeParse({ orders: [badLine] }).success).toBe(false);
  });

  it('a catalogue page without its bundles, and a bundle without its duration', () => {
    expect(EsimGoApi.CataloguePage.safeParse({ pageCount: 3 }).success).toBe(false);
    const bundle = (fixture('catalogue.list.json').body as { bundles: Array<Record<string, unknown>> }).bundles[0]!;
    const { duration: _d, ...noDuration } = bundle;
    expect(EsimGoApi.CatalogueBundle.safeParse(noDuration).success).toBe(false);
  });

  it('install data without its matching id, and a compatibility answer without the answer', () => {
    expect(EsimGoApi.Assignments.safeParse([{ iccid: '8944123456789012345', smdpAddress: 'rsp.example.com' }]).success).toBe(false);
    expect(EsimGoApi.Compatibility.safeParse({}).success).toBe(false);
  });

  it('an assignment without its state (under either name) and the exact reading of invented times', () => {
    const answer = fixture('esims.bundles.json').body as { bundles: Array<{ assignments: Array<Record<string, unknown>> }> };
    const assignment = answer.bundles[0]!.assignments[0]!;
    const { bundleState, ...stateless } = assignment;
    expect(EsimGoApi.BundleAssignment.safeParse(stateless).success).toBe(false);
    expect(EsimGoApi.BundleAssignment.safeParse({ ...stateless, bundleStatus: bundleState }).success).toBe(true);
    const withTimes = { ...assignment, startTime: '2024-12-11T10:47:00Z', endTime: '2024-12-18T10:47:00Z' };
    expect(EsimGoApi.BundleAssignment.safeParse(withTimes).success).toBe(true);
    expect(EsimGoApiExact.BundleAssignment.safeParse(withTimes).success).toBe(false);
  });

  it('the exact reading refuses a key eSIM Go does not document', () => {
    const order = { ...(fixture('orders.get.json').body as Record<string, unknown>), clientReference: 'ours' };
    expect(EsimGoApi.Order.safeParse(order).success).toBe(true);
    expect(EsimGoApiExact.Order.safeParse(order).success).toBe(false);
  });
});
