/**
 * A reseller cancels one of its unused orders (order.cancel-order.v1): the order's bundles are revoked at eSIM Go,
 * then its charge is credited back (PREPAID wallet) or reversed (POSTPAID) and it becomes CANCELLED. The request
 * waits (up to `waitMs`) for that, so the reseller hears at once when a used or expired bundle stops it:
 * 409 NOT_CANCELLABLE with the reason.
 */
import { CancelOrderV1, GetOrderV1, type OrderView, type VendorOrderResponse } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ServiceCaller } from '../rpc/service.caller';
import { toVendorOrderResponse, vendorOwner } from './vendor-orders.use-case';

export interface CancelVendorOrderDeps {
  order: ServiceCaller;
  /** How long the request waits for the cancellation to finish (then 202 with the order as it is). */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

function refused(view: OrderView): AppError | null {
  if (!view.cancelRequestedAt || view.status === 'CANCELLED') return null;
  if (view.revocation?.status === 'ALREADY_USED') {
    return new AppError('NOT_CANCELLABLE', 409, `Order ${view.id} cannot be cancelled: a bundle was already used or has expired.`);
  }
  if (view.revocation?.status === 'FAILED') {
    return new AppError('PROVIDER_REVOCATION_FAILED', 409, `eSIM Go could not revoke the bundles of order ${view.id}, so nothing was cancelled. Retry later.`);
  }
  return null;
}

export async function cancelVendorOrder(
  deps: CancelVendorOrderDeps,
  vendorId: string,
  orderId: string,
): Promise<{ order: VendorOrderResponse; done: boolean }> {
  const owner = vendorOwner(vendorId);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + (deps.waitMs ?? 10_000);
  let view = await deps.order.call(CancelOrderV1, { owner, orderId });
  let interval = 100;
  while (view.status !== 'CANCELLED' && !refused(view) && now() < deadline) {
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
    interval = Math.min(interval * 2, 500);
    view = await deps.order.call(GetOrderV1, { owner, orderId });
  }
  const error = refused(view);
  if (error) throw error;
  return { order: toVendorOrderResponse(view), done: view.status === 'CANCELLED' };
}
