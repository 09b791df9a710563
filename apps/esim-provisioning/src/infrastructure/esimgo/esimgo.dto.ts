/**
 * eSIM Go v2.4 response shapes as our client reads them. The documented ones live in @ttelgo/contracts (EsimGoApi),
 * where the simulator's tests check its answers against the same definitions; read tolerantly (unknown keys are
 * ignored) but strictly where it matters: a field we act on is required, so an answer without it is a
 * provider-contract error (EsimGoResponseError), never an empty answer. These types never leave infrastructure/.
 */
import { z } from 'zod';
import { EsimGoApi } from '@ttelgo/contracts';

export const EsimGoCountryDto = EsimGoApi.Country;
export type EsimGoCountryDto = z.infer<typeof EsimGoCountryDto>;
export const EsimGoBundleDto = EsimGoApi.CatalogueBundle;
export type EsimGoBundleDto = z.infer<typeof EsimGoBundleDto>;
/** Only the envelope is checked here; bundles are parsed one by one so a single odd entry cannot sink a page. */
export const EsimGoCataloguePageDto = EsimGoApi.CataloguePage;
export type EsimGoCataloguePageDto = z.infer<typeof EsimGoCataloguePageDto>;
/** `OrderResponseTransaction` (POST /orders, GET /orders/{ref}, items of GET /orders). */
export const EsimGoOrderDto = EsimGoApi.Order;
export type EsimGoOrderDto = z.infer<typeof EsimGoOrderDto>;
/** GET /orders: every item must be an order we can read, or the whole answer is a contract error. */
export const EsimGoOrderListDto = EsimGoApi.OrderList;
/** GET /esims/assignments with Accept: application/json: an array (a single object for one eSIM is tolerated). */
export const EsimGoAssignmentsDto = EsimGoApi.Assignments;
/**
 * GET /esims/{iccid}/compatible/{bundle} (v2.4: `{ "compatible": false }`). Required: an answer without it says
 * nothing, and a top-up is never sold on a guess.
 */
export const EsimGoCompatibilityDto = EsimGoApi.Compatibility;

/** GET /esims/{iccid}/bundles: quantities are bytes; the state under bundleState or bundleStatus. */
export const EsimGoEsimBundlesDto = EsimGoApi.EsimBundles;
