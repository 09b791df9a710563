/**
 * A customer's orders, through the order service (RPC). The owner sent is always the signed-in user, never anything
 * from the request; the order service filters by it, and the owner it answers with is checked again here
 * (defence in depth against BOLA: a bug over there must not show one customer another's order).
 */
import {
  GetOrderV1,
  ListOrdersV1,
  OrderListResponseSchema,
  OrderResponseSchema,
  PlaceOrderV1,
  PlaceTopupV1,
  PlacedOrderResponseSchema,
  type OrderListResponse,
  type OrderResponse,
  type OrderView,
  type Owner,
  type PlacedOrderResponse,
} from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { RETRY_AFTER_SECONDS } from '../rpc/rpc-error.mapper';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

export interface Customer {
  id: string;
  email: string;
}

export const customerOwner = (userId: string): Owner => ({ type: 'customer', id: userId });

const orderNotFound = () => new AppError('ORDER_NOT_FOUND', 404, 'No such order.');

function assertOwned(view: OrderView, owner: Owner, logger: Logger): void {
  if (view.owner.type !== owner.type || view.owner.id !== owner.id) {
    logger.error({ orderId: view.id, expected: owner }, 'order service returned an order of another owner: hidden');
    throw orderNotFound();
  }
}

export function toOrderResponse(view: OrderView): OrderResponse {
  return toPublic(OrderResponseSchema, {
    id: view.id,
    status: view.status,
    // Orders placed before top-ups existed, and answers of an older order service, are NEW.
    kind: view.kind ?? 'NEW',
    iccid: view.iccid ?? null,
    bundleName: view.bundleName,
    quantity: view.quantity,
    total: view.total,
    esims: view.esims.map((e) => ({ iccid: e.iccid })),
    failureReason: view.failureReason,
    customerReference: view.customerReference,
    payment: view.status === 'AWAITING_PAYMENT' ? view.payment : null,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  });
}

export async function placeCustomerOrder(
  deps: { order: ServiceCaller; logger: Logger },
  customer: Customer,
  input: { bundleName: string; quantity: number; requestKey: string },
): Promise<PlacedOrderResponse> {
  const owner = customerOwner(customer.id);
  const view = await deps.order.call(PlaceOrderV1, {
    owner,
    contactEmail: customer.email,
    bundleName: input.bundleName,
    quantity: input.quantity,
    requestKey: input.requestKey,
  });
  return toPlacedOrder(view, owner, deps.logger);
}

/**
 * One more bundle on an eSIM of the customer (order.place-topup.v1): the order service has esim-provisioning check
 * that the eSIM is the customer's (ESIM_NOT_FOUND 404 otherwise, like an unknown one) and that eSIM Go can apply
 * the bundle to it (BUNDLE_NOT_COMPATIBLE 422) before anything is stored or charged.
 */
export async function placeCustomerTopup(
  deps: { order: ServiceCaller; logger: Logger },
  customer: Customer,
  input: { iccid: string; bundleName: string; requestKey: string },
): Promise<PlacedOrderResponse> {
  const owner = customerOwner(customer.id);
  const view = await deps.order.call(PlaceTopupV1, {
    owner,
    contactEmail: customer.email,
    iccid: input.iccid,
    bundleName: input.bundleName,
    requestKey: input.requestKey,
  });
  return toPlacedOrder(view, owner, deps.logger);
}

function toPlacedOrder(view: OrderView, owner: Owner, logger: Logger): PlacedOrderResponse {
  assertOwned(view, owner, logger);
  if (!view.payment) {
    // The order exists but payment could not create the intent yet. Not a success the client can use, and not
    // stored by the idempotency layer (5xx): the retry with the same key completes the intent (order is idempotent).
    throw new AppError('SERVICE_UNAVAILABLE', 503, 'The payment could not be prepared yet; retry with the same Idempotency-Key.', {
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    });
  }
  return toPublic(PlacedOrderResponseSchema, {
    id: view.id,
    status: view.status,
    kind: view.kind ?? 'NEW',
    iccid: view.iccid ?? null,
    bundleName: view.bundleName,
    quantity: view.quantity,
    total: view.total,
    payment: view.payment,
    createdAt: view.createdAt,
  });
}

export async function getCustomerOrder(deps: { order: ServiceCaller; logger: Logger }, customer: { id: string }, orderId: string): Promise<OrderResponse> {
  const owner = customerOwner(customer.id);
  const view = await deps.order.call(GetOrderV1, { owner, orderId });
  assertOwned(view, owner, deps.logger);
  return toOrderResponse(view);
}

export async function listCustomerOrders(
  deps: { order: ServiceCaller; logger: Logger },
  customer: { id: string },
  page: { limit: number; cursor?: string | undefined },
): Promise<OrderListResponse> {
  const owner = customerOwner(customer.id);
  const result = await deps.order.call(ListOrdersV1, { owner, limit: page.limit, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
  for (const view of result.data) assertOwned(view, owner, deps.logger);
  return toPublic(OrderListResponseSchema, { data: result.data.map(toOrderResponse), nextCursor: result.nextCursor });
}
