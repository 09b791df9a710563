/**
 * eSIM Go v2.4 response shapes, read tolerantly: unknown fields are ignored,
 * optional ones may be missing or null, and the two envelopes seen in the wild (a bare array as the spec says,
 * `{ bundles, ...paging }` as the live API answers) are both accepted. These types never leave infrastructure/.
 */
import { z } from 'zod';

export const EsimGoCountryDto = z.object({
  iso: z.string().trim().min(2),
  name: z.string().nullish(),
  region: z.string().nullish(),
});
export type EsimGoCountryDto = z.infer<typeof EsimGoCountryDto>;

export const EsimGoBundleDto = z.object({
  name: z.string().min(1).max(200),
  description: z.string().nullish(),
  groups: z.array(z.string()).nullish(),
  countries: z.array(EsimGoCountryDto).nullish(),
  /** MB; some unlimited bundles carry -1 or nothing. */
  dataAmount: z.number().nullish(),
  /** days */
  duration: z.number().nullish(),
  speed: z.union([z.array(z.string()), z.string()]).nullish(),
  autostart: z.boolean().nullish(),
  unlimited: z.boolean().nullish(),
  /** A list of countries, or a plain flag in older answers. */
  roamingEnabled: z.union([z.array(EsimGoCountryDto), z.boolean()]).nullish(),
  /** Decimal in the organisation's currency; a few clients have seen it as text. */
  price: z.union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/)]),
  billingType: z.string().nullish(),
});
export type EsimGoBundleDto = z.infer<typeof EsimGoBundleDto>;

/** Only the envelope is checked here; bundles are parsed one by one so a single odd entry cannot sink a page. */
export const EsimGoCataloguePageDto = z.union([
  z.array(z.unknown()),
  z.object({
    bundles: z.array(z.unknown()).nullish(),
    pageCount: z.number().nullish(),
    rows: z.number().nullish(),
    pageSize: z.number().nullish(),
  }),
]);
export type EsimGoCataloguePageDto = z.infer<typeof EsimGoCataloguePageDto>;

export const EsimGoErrorDto = z.object({ message: z.string() });

/** One line of an order: `esims`/`iccids` only with includeIccids (GET /orders) or on POST answers. */
export const EsimGoOrderLineDto = z.object({
  type: z.string().nullish(),
  item: z.string().nullish(),
  quantity: z.number().nullish(),
  iccids: z.array(z.string()).nullish(),
  esims: z.array(z.object({ iccid: z.string(), matchingId: z.string().nullish(), smdpAddress: z.string().nullish() })).nullish(),
});

/** `OrderResponseTransaction` (POST /orders, GET /orders/{ref}, items of GET /orders). */
export const EsimGoOrderDto = z.object({
  orderReference: z.string().min(1),
  status: z.string().nullish(),
  statusMessage: z.string().nullish(),
  createdDate: z.string().nullish(),
  /** Simulator-only extension: the real API keeps no client reference and never sends this. */
  clientReference: z.string().nullish(),
  order: z.array(EsimGoOrderLineDto).nullish(),
});
export type EsimGoOrderDto = z.infer<typeof EsimGoOrderDto>;

/** GET /orders: `{ orders, rows, pageCount }` as clients read it; the spec's single object is tolerated. */
export const EsimGoOrderListDto = z.union([
  z.array(z.unknown()),
  z.object({ orders: z.array(z.unknown()).nullish(), rows: z.number().nullish(), pageCount: z.number().nullish() }),
]);

/** GET /esims/assignments with Accept: application/json: an array (a single object for one eSIM is tolerated). */
export const EsimGoAssignmentDto = z.object({
  iccid: z.string().min(1),
  matchingId: z.string().min(1),
  smdpAddress: z.string().min(1),
  profileStatus: z.string().nullish(),
  appleInstallUrl: z.string().nullish(),
});
export const EsimGoAssignmentsDto = z.union([z.array(EsimGoAssignmentDto), EsimGoAssignmentDto]);

/** GET /esims/{iccid}/bundles. Quantities are bytes. */
export const EsimGoEsimBundlesDto = z.object({
  bundles: z
    .array(
      z.object({
        name: z.string(),
        assignments: z
          .array(
            z.object({
              /** The assignment id (what the revoke endpoint takes); a number in some answers. */
              id: z.union([z.string(), z.number()]).nullish(),
              initialQuantity: z.number().nullish(),
              remainingQuantity: z.number().nullish(),
              assignmentDateTime: z.string().nullish(),
              assignmentReference: z.string().nullish(),
              bundleState: z.string().nullish(),
              unlimited: z.boolean().nullish(),
              startTime: z.string().nullish(),
              endTime: z.string().nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

/**
 * GET /esims/{iccid}/compatible/{bundle} (v2.4: `{ "compatible": false }`). Required: an answer without it says
 * nothing, and a top-up is never sold on a guess.
 */
export const EsimGoCompatibilityDto = z.object({ compatible: z.boolean() });
