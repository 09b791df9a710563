import type { OrderView } from '@ttelgo/contracts';
import type { Order } from '../domain/order';

/** The order as the gateway sees it: install data stays inside (the eSIM routes serve it), ICCIDs are listed. */
export function toOrderView(order: Order): OrderView {
  return {
    id: order.id,
    owner: order.owner,
    status: order.status,
    bundleName: order.bundleName,
    quantity: order.quantity,
    unitPrice: order.unitPrice,
    total: order.total,
    customerReference: order.customerReference,
    esims: order.esims.map((e) => ({ iccid: e.iccid })),
    failureReason: order.failureReason,
    payment: order.payment,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
