import type { OrderView } from '@ttelgo/contracts';
import type { Order } from '../domain/order';

/** The order as the gateway sees it: install data stays inside (the eSIM routes serve it), ICCIDs are listed. */
export function toOrderView(order: Order): OrderView {
  return {
    id: order.id,
    owner: order.owner,
    status: order.status,
    kind: order.kind,
    iccid: order.iccid,
    bundleName: order.bundleName,
    quantity: order.quantity,
    unitPrice: order.unitPrice,
    total: order.total,
    customerReference: order.customerReference,
    esims: order.esims.map((e) => ({ iccid: e.iccid })),
    failureReason: order.failureReason,
    payment: order.payment,
    refund:
      order.refundRequestedAt === null
        ? null
        : {
            status: order.refundedAt === null ? 'PENDING' : 'SUCCEEDED',
            reason: order.refundReason ?? order.failureReason,
            requestedAt: order.refundRequestedAt.toISOString(),
            refundedAt: order.refundedAt?.toISOString() ?? null,
          },
    revocation: order.revocation
      ? {
          status: order.revocation.status,
          forced: order.revocation.forced,
          reason: order.refundReason,
          requestedAt: order.revocation.requestedAt.toISOString(),
          decidedAt: order.revocation.decidedAt?.toISOString() ?? null,
        }
      : null,
    cancelRequestedAt: order.cancelRequestedAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}
