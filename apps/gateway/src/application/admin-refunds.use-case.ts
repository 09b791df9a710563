/**
 * An admin refund goes through the order saga (order.refund-order.v1): the order first has its bundles revoked at
 * eSIM Go (esim.revoke-bundles.v1), then asks payment or vendor-billing for the money and becomes REFUNDED once it
 * is back. The request waits (up to `waitMs`) for eSIM Go's answer, so the admin hears at once when a used bundle
 * (or a failed revocation) stops the refund: 409 BUNDLE_ALREADY_USED / PROVIDER_REVOCATION_FAILED, and the same
 * request with `force: true` refunds anyway (`refused` is that error, for the caller to record and throw). `done` is
 * true once the money is back.
 */
import { AdminOrderResponseSchema, GetOrderV1, RefundOrderV1, type AdminOrderResponse, type OrderView } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ServiceCaller } from '../rpc/service.caller';
import { toAdminOrder } from './admin-vendors.use-case';
import { toPublic } from './public-response';

export interface RefundOrderDeps {
  order: ServiceCaller;
  /** How long the request waits for eSIM Go's answer (then 202 with the revocation PENDING). */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export const bundleAlreadyUsed = (orderId: string) =>
  new AppError('BUNDLE_ALREADY_USED', 409, `A bundle of order ${orderId} has already been used, so it was not refunded. Send {"force": true} to refund it anyway.`);
export const providerRevocationFailed = (orderId: string) =>
  new AppError(
    'PROVIDER_REVOCATION_FAILED',
    409,
    `eSIM Go could not revoke the bundles of order ${orderId}, so nothing was refunded. Retry later, or send {"force": true} to refund anyway.`,
  );

export async function refundOrder(
  deps: RefundOrderDeps,
  orderId: string,
  input: { reason: string; requestedBy: string; force: boolean },
): Promise<{ order: AdminOrderResponse; done: boolean; refused: AppError | null }> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + (deps.waitMs ?? 10_000);
  let view: OrderView = await deps.order.call(RefundOrderV1, { orderId, reason: input.reason, requestedBy: input.requestedBy, ...(input.force ? { force: true } : {}) });
  let interval = 100;
  while (view.revocation?.status === 'PENDING' && !view.refund && now() < deadline) {
    await sleep(Math.min(interval, Math.max(0, deadline - now())));
    interval = Math.min(interval * 2, 500);
    view = await deps.order.call(GetOrderV1, { owner: view.owner, orderId: view.id });
  }
  const response = toPublic(AdminOrderResponseSchema, toAdminOrder(view));
  const refused =
    response.refund?.status === 'REFUSED' ? (response.refund.providerRevocation === 'FAILED' ? providerRevocationFailed(orderId) : bundleAlreadyUsed(orderId)) : null;
  return { order: response, done: response.refund?.status === 'SUCCEEDED', refused };
}
