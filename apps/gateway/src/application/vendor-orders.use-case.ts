/**
 * A reseller's orders, through the order service (B2B saga) and esim-provisioning. The owner sent is always the
 * authenticated vendor, never anything from the request, and the owner of every returned order is checked again:
 * another vendor's order is ORDER_NOT_FOUND (404), exactly like one that does not exist.
 */
import {
  GetEsimV1,
  GetOrderV1,
  ListOrdersV1,
  PlaceOrderV1,
  PlaceTopupV1,
  VendorOrderListResponseSchema,
  VendorOrderResponseSchema,
  type EsimView,
  type OrderStatus,
  type OrderView,
  type Owner,
  type VendorOrderListResponse,
  type VendorOrderResponse,
} from '@ttelgo/contracts';
import { AppError, isAppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

export const vendorOwner = (vendorId: string): Owner => ({ type: 'vendor', id: vendorId });

/** Statuses an order never leaves on its own: `Prefer: wait` stops polling at these. */
export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['COMPLETED', 'REJECTED', 'FAILED', 'CANCELLED', 'REFUNDED']);

export interface VendorOrderDeps {
  order: ServiceCaller;
  esim: ServiceCaller;
  logger: Logger;
  /** Poll interval bounds of `Prefer: wait` (doubling from min to max). */
  pollMinMs?: number;
  pollMaxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const orderNotFound = () => new AppError('ORDER_NOT_FOUND', 404, 'No such order.');

function assertOwned(view: OrderView, owner: Owner, logger: Logger): void {
  if (view.owner.type !== owner.type || view.owner.id !== owner.id) {
    logger.error({ orderId: view.id, expected: owner }, 'order service returned an order of another owner: hidden');
    throw orderNotFound();
  }
}

export function toVendorOrderResponse(view: OrderView, installs?: ReadonlyMap<string, EsimView>): VendorOrderResponse {
  return toPublic(VendorOrderResponseSchema, {
    id: view.id,
    status: view.status,
    kind: view.kind ?? 'NEW',
    iccid: view.iccid ?? null,
    bundleName: view.bundleName,
    quantity: view.quantity,
    unitPrice: view.unitPrice,
    total: view.total,
    customerReference: view.customerReference,
    esims: view.esims.map(({ iccid }) => {
      const install = installs?.get(iccid);
      return install
        ? { iccid, smdpAddress: install.smdpAddress, matchingId: install.matchingId, lpa: install.lpa, appleInstallUrl: install.appleInstallUrl, expiresAt: install.expiresAt }
        : { iccid };
    }),
    failureReason: view.failureReason,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  });
}

/** Install data of a COMPLETED order's eSIMs. An eSIM esim-provisioning does not show yet is returned as its ICCID only. */
async function installsOf(deps: VendorOrderDeps, owner: Owner, view: OrderView): Promise<Map<string, EsimView>> {
  const installs = new Map<string, EsimView>();
  if (view.status !== 'COMPLETED') return installs;
  const results = await Promise.allSettled(view.esims.map(({ iccid }) => deps.esim.call(GetEsimV1, { owner, iccid })));
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') installs.set(view.esims[i]!.iccid, result.value);
    else if (!(isAppError(result.reason) && result.reason.status === 404)) throw result.reason;
  });
  return installs;
}

export interface PlacedVendorOrder {
  order: VendorOrderResponse;
  /** The order reached a terminal status (within the wait, or at once). */
  terminal: boolean;
}

/**
 * Places the order (idempotent per vendor and Idempotency-Key in the order service), then, for `Prefer: wait=N`,
 * polls order.get-order.v1 until a terminal status or the wait is over. With `topupOf`, the order is a top-up of
 * that eSIM of the vendor (order.place-topup.v1, one bundle; checked for ownership and compatibility first).
 */
export async function placeVendorOrder(
  deps: VendorOrderDeps,
  vendorId: string,
  input: { bundleName: string; quantity: number; customerReference?: string | undefined; requestKey: string; topupOf?: { iccid: string } },
  wait: { ms: number; cancelled?: () => boolean },
): Promise<PlacedVendorOrder> {
  const owner = vendorOwner(vendorId);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + wait.ms;
  const reference = input.customerReference !== undefined ? { customerReference: input.customerReference } : {};
  let view = input.topupOf
    ? await deps.order.call(PlaceTopupV1, { owner, iccid: input.topupOf.iccid, bundleName: input.bundleName, ...reference, requestKey: input.requestKey })
    : await deps.order.call(PlaceOrderV1, { owner, bundleName: input.bundleName, quantity: input.quantity, ...reference, requestKey: input.requestKey });
  assertOwned(view, owner, deps.logger);
  let interval = deps.pollMinMs ?? 100;
  while (!TERMINAL_STATUSES.has(view.status) && now() < deadline && !wait.cancelled?.()) {
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
    interval = Math.min(interval * 2, deps.pollMaxMs ?? 500);
    view = await deps.order.call(GetOrderV1, { owner, orderId: view.id });
    assertOwned(view, owner, deps.logger);
  }
  const terminal = TERMINAL_STATUSES.has(view.status);
  return { order: toVendorOrderResponse(view, await installsOf(deps, owner, view)), terminal };
}

export async function getVendorOrder(deps: VendorOrderDeps, vendorId: string, orderId: string): Promise<VendorOrderResponse> {
  const owner = vendorOwner(vendorId);
  const view = await deps.order.call(GetOrderV1, { owner, orderId });
  assertOwned(view, owner, deps.logger);
  return toVendorOrderResponse(view, await installsOf(deps, owner, view));
}

export async function listVendorOrders(
  deps: VendorOrderDeps,
  vendorId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<VendorOrderListResponse> {
  const owner = vendorOwner(vendorId);
  const result = await deps.order.call(ListOrdersV1, { owner, limit: page.limit, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  for (const view of result.data) assertOwned(view, owner, deps.logger);
  return toPublic(VendorOrderListResponseSchema, { data: result.data.map((v) => toVendorOrderResponse(v)), nextCursor: result.nextCursor });
}
