/**
 * The order aggregate as plain data. Only the state machine (order.state-machine.ts) produces changed orders;
 * repositories map rows to and from this shape, so Prisma types never reach the domain.
 */
import { orderTotal, type Money } from './money';

export const ORDER_STATUSES = [
  'AWAITING_PAYMENT',
  'PENDING',
  'PROVISIONING',
  'COMPLETED',
  'REJECTED',
  'FAILED',
  'CANCELLED',
  'REFUNDED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OwnerType = 'customer' | 'vendor';
export interface Owner {
  type: OwnerType;
  id: string;
}

/** B2C: a traveller pays by card (Stripe). B2B: a reseller pays from its wallet or credit (vendor-billing). */
export type SaleChannel = 'B2C' | 'B2B';

export interface EsimInstall {
  iccid: string;
  smdpAddress: string;
  matchingId: string;
  lpa: string;
  appleInstallUrl: string;
  expiresAt: string | null;
}

export interface PaymentIntentRef {
  paymentIntentId: string;
  clientSecret: string;
  publishableKey: string;
}

/** NEW: eSIMs bought with a bundle each; TOPUP: one bundle applied to an eSIM the owner already has. */
export type OrderKind = 'NEW' | 'TOPUP';

/** B2B: what vendor-billing was asked to do with an ended order's hold. */
export type FundsSettlement = 'CAPTURE' | 'RELEASE';

export interface Order {
  id: string;
  owner: Owner;
  contactEmail: string | null;
  requestKey: string;
  kind: OrderKind;
  /** TOPUP: the eSIM the bundle goes onto; null for NEW. */
  iccid: string | null;
  bundleName: string;
  quantity: number;
  unitPrice: Money;
  total: Money;
  status: OrderStatus;
  failureReason: string | null;
  customerReference: string | null;
  payment: PaymentIntentRef | null;
  esims: EsimInstall[];
  /**
   * When we asked for the money to go back (payment refunds a card; vendor-billing credits a vendor's wallet or
   * receivable for an admin refund of a completed vendor order); with refundedAt null, a refund is under way.
   */
  refundRequestedAt: Date | null;
  refundedAt: Date | null;
  /** Why an admin refunded a COMPLETED order (and who asked); null for the saga's own refunds (failureReason says why). */
  refundReason: string | null;
  /**
   * An admin refund takes the order's bundles back from eSIM Go before any money moves: PENDING until
   * esim-provisioning answers; the refund goes on after REVOKED, or after anything when `forced`.
   */
  revocation: Revocation | null;
  /** The reseller cancelled this unused order (self-service): once its charge is back it is CANCELLED, not REFUNDED. */
  cancelRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  paidAt: Date | null;
  /** B2B: the capture (COMPLETED) or release (FAILED, or a hold that arrived after REJECTED) we asked for. */
  fundsSettlement: FundsSettlement | null;
  /** B2B: when vendor-billing confirmed that capture or release; while null it is under way. */
  fundsSettledAt: Date | null;
  version: number;
}

export type RevocationStatus = 'PENDING' | 'REVOKED' | 'ALREADY_USED' | 'FAILED';

export interface Revocation {
  status: RevocationStatus;
  forced: boolean;
  requestedAt: Date;
  decidedAt: Date | null;
}

export interface HistoryEntry {
  /** null only for the creation of the order. */
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string;
}

export function saleChannel(order: Pick<Order, 'owner'>): SaleChannel {
  return order.owner.type === 'vendor' ? 'B2B' : 'B2C';
}

/** An order whose money we asked to give back (card refund, or a vendor's charge), not confirmed yet. */
export function isRefundUnderWay(order: Pick<Order, 'refundRequestedAt' | 'refundedAt'>): boolean {
  return order.refundRequestedAt !== null && order.refundedAt === null;
}

/** A B2B order whose hold we asked vendor-billing to capture or release, not confirmed yet. */
export function isFundsSettlementUnderWay(order: Pick<Order, 'fundsSettlement' | 'fundsSettledAt'>): boolean {
  return order.fundsSettlement !== null && order.fundsSettledAt === null;
}

export function isTerminal(status: OrderStatus): boolean {
  return status === 'COMPLETED' || status === 'REJECTED' || status === 'FAILED' || status === 'CANCELLED' || status === 'REFUNDED';
}

export interface NewOrderInput {
  id: string;
  owner: Owner;
  contactEmail: string | null;
  requestKey: string;
  /** Default NEW. A TOPUP names its eSIM and is always one bundle. */
  kind?: OrderKind;
  iccid?: string | null;
  bundleName: string;
  quantity: number;
  unitPrice: Money;
  customerReference: string | null;
  now: Date;
  /**
   * B2B only: the order is refused before any hold is asked for (the vendor is suspended). It is stored
   * REJECTED with this code as failure reason, so the request key keeps answering the same refusal.
   */
  rejectedWith?: string;
}

/** Messages the creation of an order asks for (same outbox transaction as the insert). */
export type NewOrderEffect = { type: 'ReserveFunds' };

/**
 * A new order, priced on the server: B2C orders wait for the card payment (AWAITING_PAYMENT), B2B orders for
 * vendor-billing's hold (PENDING, with billing.reserve-funds.v1 sent in the same transaction), or are REJECTED at
 * once when `rejectedWith` says why (no hold is asked for).
 */
export function newOrder(input: NewOrderInput): { order: Order; history: HistoryEntry; effects: NewOrderEffect[] } {
  if (input.kind === 'TOPUP' && (!input.iccid || input.quantity !== 1)) throw new Error('a top-up names its eSIM and is one bundle');
  const b2b = saleChannel(input) === 'B2B';
  const rejected = b2b && input.rejectedWith !== undefined;
  const status: OrderStatus = !b2b ? 'AWAITING_PAYMENT' : rejected ? 'REJECTED' : 'PENDING';
  const order: Order = {
    id: input.id,
    owner: input.owner,
    contactEmail: input.contactEmail,
    requestKey: input.requestKey,
    kind: input.kind ?? 'NEW',
    iccid: input.kind === 'TOPUP' ? (input.iccid ?? null) : null,
    bundleName: input.bundleName,
    quantity: input.quantity,
    unitPrice: input.unitPrice,
    total: orderTotal(input.unitPrice, input.quantity),
    status,
    failureReason: rejected ? (input.rejectedWith ?? null) : null,
    customerReference: input.customerReference,
    payment: null,
    esims: [],
    refundRequestedAt: null,
    refundedAt: null,
    refundReason: null,
    revocation: null,
    cancelRequestedAt: null,
    createdAt: input.now,
    updatedAt: input.now,
    paidAt: null,
    fundsSettlement: null,
    fundsSettledAt: null,
    version: 0,
  };
  const reason = rejected ? `order rejected: ${input.rejectedWith}` : input.kind === 'TOPUP' ? `top-up of eSIM ${input.iccid ?? ''} placed` : 'order placed';
  const effects: NewOrderEffect[] = b2b && !rejected ? [{ type: 'ReserveFunds' }] : [];
  return { order, history: { from: null, to: status, reason }, effects };
}

/** Whether a repeated place-order (or place-topup) with the same request key asks for the same order. */
export function sameRequest(
  order: Order,
  req: { bundleName: string; quantity: number; customerReference: string | null; kind?: OrderKind; iccid?: string | null },
): boolean {
  return (
    order.kind === (req.kind ?? 'NEW') &&
    order.iccid === (req.iccid ?? null) &&
    order.bundleName === req.bundleName &&
    order.quantity === req.quantity &&
    order.customerReference === req.customerReference
  );
}
