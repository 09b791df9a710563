import { testLogger } from '@ttelgo/testing';
import type { WebhookDeliveryDraft, WebhookDeliveryStore, WebhookEndpoint, WebhookEndpointStore } from './channels/webhook/webhook.ports';
import { WebhookChannel } from './channels/webhook/webhook.channel';
import type { OrderNotice } from './order-notice';
import { RecordOrderNoticeUseCase, type NotificationRow, type NotificationStore } from './record-order-notice.use-case';

/** In-memory stores with the same uniqueness as the tables: one notification per (order, kind). */
function harness(endpoints: WebhookEndpoint[]) {
  const notifications: NotificationRow[] = [];
  const drafts: WebhookDeliveryDraft[] = [];
  const store: NotificationStore = {
    create: async (_tx, row) => {
      if (notifications.some((n) => n.orderId === row.orderId && n.kind === row.kind)) return 'exists';
      notifications.push(row);
      return 'created';
    },
  };
  const endpointStore: WebhookEndpointStore = {
    find: async (_tx, vendorId) => endpoints.find((e) => e.vendorId === vendorId),
    upsert: () => Promise.reject(new Error('not used')),
  };
  const deliveries: WebhookDeliveryStore = {
    insert: async (_tx, draft) => {
      drafts.push(draft);
      return 'created';
    },
    processNextDue: () => Promise.reject(new Error('not used')),
  };
  const now = new Date('2026-12-07T09:00:00.000Z');
  const webhook = new WebhookChannel({ endpoints: endpointStore, deliveries, now: () => now });
  const useCase = new RecordOrderNoticeUseCase({ store, channels: [webhook], logger: testLogger() });
  return { useCase, notifications, drafts, now };
}

function vendorRefund(vendorId: string, overrides: Partial<OrderNotice> = {}): OrderNotice {
  return {
    kind: 'ORDER_REFUNDED',
    sourceMessageId: '7b0e2c44-2f5e-4e4f-9a59-6a0a2f3c1d01',
    sourceType: 'order.refunded.v1',
    correlationId: 'corr-1',
    orderId: '0d6f9a1e-3c8b-4f52-8e1a-5b7c9d2e4f60',
    owner: { type: 'vendor', id: vendorId },
    contactEmail: null,
    bundleName: 'esim_1GB_7D_FR_V2',
    quantity: 2,
    total: { amount: 2200, currency: 'EUR' },
    customerReference: 'PO-4711',
    reason: 'admin refund: duplicate purchase',
    occurredAt: '2026-12-07T08:59:00.000Z',
    ...overrides,
  } as OrderNotice;
}

const endpoint: WebhookEndpoint = { vendorId: 'v1', url: 'https://hooks.reseller.example/ttelgo', secret: 'whsec_x', updatedAt: new Date() };

describe('RecordOrderNoticeUseCase with the webhook channel', () => {
  it('queues a vendor refund as an order.refunded webhook carrying the refund', async () => {
    const h = harness([endpoint]);
    const notice = vendorRefund('v1');

    await expect(h.useCase.execute(undefined, notice)).resolves.toMatchObject({ status: 'QUEUED', channel: 'webhook' });

    expect(h.notifications).toEqual([expect.objectContaining({ kind: 'ORDER_REFUNDED', status: 'QUEUED', channel: 'webhook', skipReason: null })]);
    expect(h.drafts).toHaveLength(1);
    const draft = h.drafts[0]!;
    expect(draft).toMatchObject({ vendorId: 'v1', eventType: 'order.refunded', eventId: notice.sourceMessageId, notificationId: h.notifications[0]!.id, url: endpoint.url });
    expect(draft.payload).toEqual({
      id: draft.id,
      type: 'order.refunded',
      createdAt: h.now.toISOString(),
      data: {
        id: notice.orderId,
        status: 'REFUNDED',
        bundleName: 'esim_1GB_7D_FR_V2',
        quantity: 2,
        total: { amount: 2200, currency: 'EUR' },
        customerReference: 'PO-4711',
        refundReason: 'admin refund: duplicate purchase',
        refundedAt: '2026-12-07T08:59:00.000Z',
      },
    });
  });

  it('leaves customerReference out when the order has none, like the other order webhooks', async () => {
    const h = harness([endpoint]);
    await h.useCase.execute(undefined, vendorRefund('v1', { customerReference: null }));
    expect(h.drafts[0]!.payload.data).not.toHaveProperty('customerReference');
  });

  it('records a vendor refund without an endpoint as skipped NO_ENDPOINT, with no delivery', async () => {
    const h = harness([]);
    await expect(h.useCase.execute(undefined, vendorRefund('v2'))).resolves.toEqual({ status: 'SKIPPED', reason: 'NO_ENDPOINT' });
    expect(h.notifications).toEqual([expect.objectContaining({ kind: 'ORDER_REFUNDED', status: 'SKIPPED', channel: null, skipReason: 'NO_ENDPOINT' })]);
    expect(h.drafts).toHaveLength(0);
  });

  it('tells a refund once: the same fact under a new message id makes no second delivery', async () => {
    const h = harness([endpoint]);
    await h.useCase.execute(undefined, vendorRefund('v1'));
    await expect(h.useCase.execute(undefined, vendorRefund('v1', { sourceMessageId: 'c3a1f0e2-9b7d-4c6e-8a5f-1e2d3c4b5a69' }))).resolves.toEqual({ status: 'ALREADY_NOTIFIED' });
    expect(h.drafts).toHaveLength(1);
  });
});
