/**
 * Turns the state machine's effects into outbox rows, in the caller's transaction: the messages exist if and
 * only if the state change commits. The message data is built from the order as it is after the change.
 */
import {
  ApplyBundleV1,
  CancelPaymentV1,
  CaptureFundsV1,
  OrderCancelledV1,
  OrderCompletedV1,
  OrderFailedV1,
  OrderRefundedV1,
  ProvisionEsimV1,
  RefundOrderChargeV1,
  RefundPaymentV1,
  ReleaseFundsV1,
  ReserveFundsV1,
  RevokeBundlesV1,
} from '@ttelgo/contracts';
import { enqueue, type OutboxTx } from '@ttelgo/db';
import type { Order } from '../domain/order';
import type { OrderEffect } from '../domain/order.state-machine';

const REASON_MAX = 500;
const clip = (text: string): string => (text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 1)}…` : text);

function closed(order: Order, reason: string) {
  return {
    orderId: order.id,
    owner: order.owner,
    contactEmail: order.contactEmail,
    bundleName: order.bundleName,
    quantity: order.quantity,
    total: order.total,
    reason,
    occurredAt: order.updatedAt.toISOString(),
    customerReference: order.customerReference,
    kind: order.kind,
    iccid: order.iccid,
  };
}

export async function enqueueEffects(tx: OutboxTx, order: Order, effects: readonly OrderEffect[], meta: { producer: string }): Promise<string[]> {
  const sent: string[] = [];
  for (const effect of effects) {
    switch (effect.type) {
      case 'ProvisionEsims':
        if (order.kind === 'TOPUP' && order.iccid) {
          // The bundle goes onto the eSIM the owner already has: no new eSIM, no new install data.
          await enqueue(tx, ApplyBundleV1, { orderId: order.id, owner: order.owner, iccid: order.iccid, bundleName: order.bundleName }, meta);
          sent.push(ApplyBundleV1.name);
          break;
        }
        await enqueue(tx, ProvisionEsimV1, { orderId: order.id, owner: order.owner, bundleName: order.bundleName, quantity: order.quantity }, meta);
        sent.push(ProvisionEsimV1.name);
        break;
      case 'RefundPayment':
        await enqueue(tx, RefundPaymentV1, { referenceId: order.id, reason: clip(effect.reason) }, meta);
        sent.push(RefundPaymentV1.name);
        break;
      case 'CancelPayment':
        await enqueue(tx, CancelPaymentV1, { referenceId: order.id, reason: clip(effect.reason) }, meta);
        sent.push(CancelPaymentV1.name);
        break;
      case 'OrderCompleted':
        await enqueue(
          tx,
          OrderCompletedV1,
          {
            orderId: order.id,
            owner: order.owner,
            contactEmail: order.contactEmail,
            bundleName: order.bundleName,
            quantity: order.quantity,
            total: order.total,
            esims: order.esims,
            completedAt: order.updatedAt.toISOString(),
            customerReference: order.customerReference,
            kind: order.kind,
            iccid: order.iccid,
          },
          meta,
        );
        sent.push(OrderCompletedV1.name);
        break;
      case 'OrderFailed':
        await enqueue(tx, OrderFailedV1, closed(order, effect.reason), meta);
        sent.push(OrderFailedV1.name);
        break;
      case 'OrderCancelled':
        await enqueue(tx, OrderCancelledV1, closed(order, effect.reason), meta);
        sent.push(OrderCancelledV1.name);
        break;
      case 'OrderRefunded':
        await enqueue(tx, OrderRefundedV1, closed(order, effect.reason), meta);
        sent.push(OrderRefundedV1.name);
        break;
      // B2B: the owner of a vendor order is the vendor (its id is vendor-billing's vendor id).
      case 'ReserveFunds':
        await enqueue(tx, ReserveFundsV1, { orderId: order.id, vendorId: order.owner.id, amount: order.total }, meta);
        sent.push(ReserveFundsV1.name);
        break;
      case 'CaptureFunds':
        await enqueue(tx, CaptureFundsV1, { orderId: order.id }, meta);
        sent.push(CaptureFundsV1.name);
        break;
      case 'ReleaseFunds':
        await enqueue(tx, ReleaseFundsV1, { orderId: order.id, reason: clip(effect.reason) }, meta);
        sent.push(ReleaseFundsV1.name);
        break;
      case 'RefundOrderCharge':
        await enqueue(tx, RefundOrderChargeV1, { orderId: order.id, reason: clip(effect.reason) }, meta);
        sent.push(RefundOrderChargeV1.name);
        break;
      case 'RevokeBundles':
        await enqueue(tx, RevokeBundlesV1, { orderId: order.id, owner: order.owner, force: effect.force }, meta);
        sent.push(RevokeBundlesV1.name);
        break;
    }
  }
  return sent;
}
