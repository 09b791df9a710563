import type { EsimInstall, Money, Owner } from '@ttelgo/contracts';

/** One order event, as the notification use case sees it (independent of the message contracts' versions). */
interface OrderNoticeBase {
  sourceMessageId: string;
  sourceType: string;
  correlationId: string;
  orderId: string;
  owner: Owner;
  contactEmail: string | null;
  bundleName: string;
  quantity: number;
  total: Money;
  /** The reseller's own reference (B2B orders), echoed in its webhooks. */
  customerReference: string | null;
  /** NEW eSIMs, or a TOPUP of the eSIM `iccid`. */
  orderKind: 'NEW' | 'TOPUP';
  iccid: string | null;
}

export type OrderNotice =
  | (OrderNoticeBase & { kind: 'ORDER_COMPLETED'; esims: EsimInstall[]; completedAt: string })
  | (OrderNoticeBase & { kind: 'ORDER_FAILED'; reason: string; occurredAt: string })
  | (OrderNoticeBase & { kind: 'ORDER_REFUNDED'; reason: string; occurredAt: string })
  | (OrderNoticeBase & { kind: 'ORDER_CANCELLED'; reason: string; occurredAt: string });
