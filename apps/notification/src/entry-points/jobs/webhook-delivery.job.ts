import type { Logger } from '@ttelgo/observability';
import type { DeliverWebhookUseCase } from '../../application/channels/webhook/deliver-webhook.use-case';
import { startDeliveryJob, type DeliveryJob } from './delivery.job';

/** The vendor webhook workers: see startDeliveryJob. */
export function startWebhookDeliveryJob(opts: { useCase: DeliverWebhookUseCase; concurrency: number; pollIntervalMs: number; logger: Logger }): DeliveryJob {
  return startDeliveryJob({ name: 'webhook-delivery', deliverNext: () => opts.useCase.deliverNext(), concurrency: opts.concurrency, pollIntervalMs: opts.pollIntervalMs, logger: opts.logger });
}
