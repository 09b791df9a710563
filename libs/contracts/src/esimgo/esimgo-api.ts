/**
 * eSIM Go v2.4 answers we read, as eSIM Go documents them (docs.esim-go.com/api/v2_4, the v2.4 OpenAPI SPEC and
 * the models generated from it). One definition, two readings:
 *
 *  - `tolerant` (our client): keys eSIM Go adds later are ignored, but every field we act on is REQUIRED. An answer
 *    without them is a provider-contract error for the caller, never an empty or negative answer ("no orders").
 *  - `exact` (the simulator's own tests and the fixture suite): no key outside the documented ones, so the
 *    simulator cannot drift into fields the provider never sends.
 *
 * Where the documentation shows two spellings of one fact (`createdDate` / `createDate`, `bundleState` /
 * `bundleStatus`), both are accepted and the reader normalises them.
 */
import { z } from 'zod';

type Reading = 'tolerant' | 'exact';

/** Order line types that name a bundle (`item`): a purchase, a bundle apply, a refund of a bundle. */
export const ESIMGO_BUNDLE_LINE_TYPES = ['bundle', 'bundleAssignment', 'bundleRefund'] as const;
/** `perPage` / `limit` never above this: eSIM Go documents no cap, and a public client keeps to 50 to avoid errors. */
export const ESIMGO_MAX_PAGE_SIZE = 50;

const isDate = (s: string | null | undefined): boolean => typeof s === 'string' && !Number.isNaN(Date.parse(s));

function build(reading: Reading) {
  const obj = <T extends z.ZodRawShape>(shape: T) => (reading === 'exact' ? z.strictObject(shape) : z.object(shape));

  const Country = obj({ iso: z.string().trim().min(2), name: z.string().nullish(), region: z.string().nullish() });

  /** `CatalogueResponseInner`: what a bundle is sold as. Read bundle by bundle (one odd bundle cannot sink a page). */
  const CatalogueBundle = obj({
    name: z.string().min(1).max(200),
    description: z.string().nullish(),
    groups: z.array(z.string()).nullish(),
    countries: z.array(Country),
    /** MB; some unlimited bundles carry -1 or nothing. */
    dataAmount: z.number().nullish(),
    /** days: required, a bundle of unknown duration cannot be sold */
    duration: z.number().int().min(0),
    speed: z.union([z.array(z.string()), z.string()]).nullish(),
    autostart: z.boolean().nullish(),
    unlimited: z.boolean().nullish(),
    /** A list of countries, or a plain flag in older answers. */
    roamingEnabled: z.union([z.array(Country), z.boolean()]).nullish(),
    /** Decimal in the organisation's currency; a few clients have seen it as text. */
    price: z.union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/)]),
    billingType: z.string().nullish(),
  });

  /** GET /catalogue: the SPEC's bare array, or `{ bundles, ...paging }` as the live API answers. `bundles` is required. */
  const CataloguePage = z.union([
    z.array(z.unknown()),
    obj({
      bundles: z.array(z.unknown()),
      pageCount: z.number().int().min(0).nullish(),
      rows: z.number().int().min(0).nullish(),
      pageSize: z.number().int().min(0).nullish(),
    }),
  ]);

  const OrderEsim = obj({ iccid: z.string().min(1), matchingId: z.string().nullish(), smdpAddress: z.string().nullish() });

  const OrderLine = obj({
    type: z.string().min(1),
    item: z.string().nullish(),
    quantity: z.number().int().min(0),
    subTotal: z.number().nullish(),
    pricePerUnit: z.number().nullish(),
    /** sic: capital A in eSIM Go's answers */
    AllowReassign: z.boolean().nullish(),
    iccids: z.array(z.string().min(1)).nullish(),
    esims: z.array(OrderEsim).nullish(),
    invoiceLink: z.string().nullish(),
  }).refine((l) => !(ESIMGO_BUNDLE_LINE_TYPES as readonly string[]).includes(l.type) || (typeof l.item === 'string' && l.item.length > 0), {
    message: 'a bundle line names its bundle (item)',
    path: ['item'],
  });

  /** `OrderResponseTransaction` (POST /orders, GET /orders/{ref}, the items of GET /orders). */
  const Order = obj({
    orderReference: z.string().min(1),
    status: z.string().min(1),
    statusMessage: z.string().nullish(),
    /** The v2.4 list page's example spells it `createDate`; either one is required. */
    createdDate: z.string().nullish(),
    createDate: z.string().nullish(),
    order: z.array(OrderLine),
    total: z.number().nullish(),
    currency: z.string().nullish(),
    assigned: z.boolean().nullish(),
    sourceIP: z.string().nullish(),
    runningBalance: z.number().nullish(),
  }).refine((o) => isDate(o.createdDate ?? o.createDate), { message: 'createdDate (a date-time) is required', path: ['createdDate'] });

  /**
   * GET /orders, paginated. Documented three ways: `{ orders, pageCount, pageSize, rows }` (the v2.4 example), a bare
   * array (an older rendering of the same page) and one order object (the SPEC's type). Anything else, an object
   * without `orders` included, is not an answer we can read.
   */
  const OrderList = z.union([
    z.array(Order),
    obj({
      orders: z.array(Order),
      pageCount: z.number().int().min(0).nullish(),
      pageSize: z.number().int().min(0).nullish(),
      rows: z.number().int().min(0).nullish(),
    }),
    Order,
  ]);

  /** `ESIMDetailsInstallResponse` (GET /esims/assignments, Accept: application/json). */
  const Assignment = obj({
    iccid: z.string().min(1),
    matchingId: z.string().min(1),
    smdpAddress: z.string().min(1),
    profileStatus: z.string().nullish(),
    pin: z.string().nullish(),
    puk: z.string().nullish(),
    firstInstalledDateTime: z.union([z.number(), z.string()]).nullish(),
    appleInstallUrl: z.string().nullish(),
  });
  const Assignments = z.union([z.array(Assignment), Assignment]);

  /**
   * One bundle assignment (GET /esims/{iccid}/bundles): no startTime or endTime (callbacks carry those; some
   * answers seen in the wild do, so the tolerant reading keeps them); the state is `bundleState`, or `bundleStatus`
   * as the v2.3 changelog names it; one of them is required.
   */
  const BundleAssignment = obj({
    /** The assignment id (what the revoke endpoint takes); a number in some answers. */
    id: z.union([z.string().min(1), z.number()]),
    callTypeGroup: z.string().nullish(),
    initialQuantity: z.number(),
    remainingQuantity: z.number(),
    assignmentDateTime: z.string().nullish(),
    assignmentReference: z.string().nullish(),
    bundleState: z.string().min(1).nullish(),
    bundleStatus: z.string().min(1).nullish(),
    unlimited: z.boolean().nullish(),
    ...(reading === 'tolerant' ? { startTime: z.string().nullish(), endTime: z.string().nullish() } : {}),
  }).refine((a) => Boolean(a.bundleState ?? a.bundleStatus), { message: 'bundleState (or bundleStatus) is required', path: ['bundleState'] });
  const EsimBundles = obj({
    bundles: z.array(obj({ name: z.string().min(1), description: z.string().nullish(), assignments: z.array(BundleAssignment) })),
  });

  /** `GET /esims/{iccid}/compatible/{bundle}`: `{ "compatible": false }`; an answer without it says nothing. */
  const Compatibility = obj({ compatible: z.boolean() });

  return { Country, CatalogueBundle, CataloguePage, OrderLine, Order, OrderList, Assignment, Assignments, BundleAssignment, EsimBundles, Compatibility };
}

/** What our client reads: unknown keys ignored, required fields required. */
export const EsimGoApi = build('tolerant');
/** What eSIM Go documents and nothing more: the simulator's answers and the fixtures are checked against it. */
export const EsimGoApiExact = build('exact');

export type EsimGoCatalogueBundle = z.infer<typeof EsimGoApi.CatalogueBundle>;
export type EsimGoOrder = z.infer<typeof EsimGoApi.Order>;
export type EsimGoOrderList = z.infer<typeof EsimGoApi.OrderList>;

/** When the order was created: `createdDate`, or `createDate` as one rendering of the docs spells it. */
export function esimGoOrderCreatedAt(order: Pick<EsimGoOrder, 'createdDate' | 'createDate'>): Date {
  return new Date(Date.parse(order.createdDate ?? order.createDate ?? ''));
}
