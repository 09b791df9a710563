/**
 * Sample events for POST /vendor/webhook-endpoint/test: each type with data shaped exactly like the real event's,
 * filled with values that cannot be mistaken for a real order or eSIM (the nil UUID, an ICCID of zeros, the bundle
 * `sample_bundle`), so a reseller's handler can be exercised without a purchase.
 */
import type { WebhookBalanceLowData, WebhookEsimNoticeData, WebhookEventData, WebhookEventType, WebhookOrderData } from './webhook-event';

export const SAMPLE_ID = '00000000-0000-0000-0000-000000000000';
export const SAMPLE_ICCID = '8900000000000000000';
export const SAMPLE_BUNDLE = 'sample_bundle';

export function sampleEventData(type: WebhookEventType, vendorId: string, now: Date): WebhookEventData {
  const at = now.toISOString();
  const endsAt = new Date(now.getTime() + 24 * 3600_000).toISOString();
  const order: WebhookOrderData = {
    id: SAMPLE_ID,
    status: 'COMPLETED',
    kind: 'NEW',
    iccid: null,
    bundleName: SAMPLE_BUNDLE,
    quantity: 1,
    total: { amount: 1299, currency: 'USD' },
    customerReference: 'sample',
  };
  const notice: WebhookEsimNoticeData = {
    iccid: SAMPLE_ICCID,
    bundleName: SAMPLE_BUNDLE,
    usedBytes: 800_000_000,
    totalBytes: 1_000_000_000,
    remainingBytes: 200_000_000,
    unlimited: false,
    endsAt,
    orderId: SAMPLE_ID,
    occurredAt: at,
  };
  switch (type) {
    case 'order.completed':
      return {
        ...order,
        completedAt: at,
        esims: [
          {
            iccid: SAMPLE_ICCID,
            smdpAddress: 'rsp.example.com',
            matchingId: 'SAMPLE-MATCHING-ID',
            lpa: 'LPA:1$rsp.example.com$SAMPLE-MATCHING-ID',
            appleInstallUrl: 'https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$rsp.example.com$SAMPLE-MATCHING-ID',
            expiresAt: null,
          },
        ],
      };
    case 'order.failed':
      return { ...order, status: 'FAILED', failureReason: 'sample failure', failedAt: at };
    case 'order.refunded':
      return { ...order, status: 'REFUNDED', refundReason: 'sample refund', refundedAt: at };
    case 'order.cancelled':
      return { ...order, status: 'CANCELLED', cancelReason: 'cancelled by the reseller: unused', cancelledAt: at };
    case 'balance.low': {
      const data: WebhookBalanceLowData = { vendorId, available: { amount: 500, currency: 'USD' }, threshold: { amount: 1000, currency: 'USD' }, occurredAt: at };
      return data;
    }
    case 'esim.usage_threshold':
      return { ...notice, threshold: 80 };
    case 'esim.expiring':
      return notice;
    case 'esim.expired':
      return { ...notice, endsAt: at };
  }
}
