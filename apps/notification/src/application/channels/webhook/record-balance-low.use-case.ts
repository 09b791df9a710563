import type { Money } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import type { WebhookEvent, WebhookBalanceLowData } from '../../../domain/webhook-event';
import type { WebhookDeliveryStore, WebhookEndpointStore } from './webhook.ports';

export interface BalanceLowNotice {
  sourceMessageId: string;
  vendorId: string;
  available: Money;
  threshold: Money;
  occurredAt: string;
}

export type BalanceLowResult = 'QUEUED' | 'NO_ENDPOINT' | 'ALREADY_QUEUED';

/** billing.low-balance.v1 -> a balance.low webhook for the vendor, if it has an endpoint. */
export class RecordBalanceLowUseCase {
  constructor(private readonly opts: { endpoints: WebhookEndpointStore; deliveries: WebhookDeliveryStore; logger: Logger; newId: () => string; now?: () => Date }) {}

  async execute(tx: unknown, notice: BalanceLowNotice): Promise<BalanceLowResult> {
    const log = this.opts.logger.child({ vendorId: notice.vendorId, messageId: notice.sourceMessageId });
    const endpoint = await this.opts.endpoints.find(tx, notice.vendorId);
    if (!endpoint) {
      log.info({ reason: 'NO_ENDPOINT' }, 'low-balance webhook skipped');
      return 'NO_ENDPOINT';
    }
    const id = this.opts.newId();
    const payload: WebhookEvent<WebhookBalanceLowData> = {
      id,
      type: 'balance.low',
      createdAt: (this.opts.now?.() ?? new Date()).toISOString(),
      data: { vendorId: notice.vendorId, available: notice.available, threshold: notice.threshold, occurredAt: notice.occurredAt },
    };
    const created = await this.opts.deliveries.insert(tx, {
      id,
      vendorId: notice.vendorId,
      eventType: 'balance.low',
      eventId: notice.sourceMessageId,
      notificationId: null,
      url: endpoint.url,
      payload,
    });
    log.info({ webhookDeliveryId: id, created }, 'low-balance webhook queued');
    return created === 'created' ? 'QUEUED' : 'ALREADY_QUEUED';
  }
}
