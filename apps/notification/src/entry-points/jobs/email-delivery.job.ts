import type { Logger } from '@ttelgo/observability';
import type { DeliverEmailUseCase } from '../../application/channels/email/deliver-email.use-case';
import { startDeliveryJob, type DeliveryJob } from './delivery.job';

export type EmailDeliveryJob = DeliveryJob;

/** The e-mail workers: see startDeliveryJob. */
export function startEmailDeliveryJob(opts: { useCase: DeliverEmailUseCase; concurrency: number; pollIntervalMs: number; logger: Logger }): EmailDeliveryJob {
  return startDeliveryJob({ name: 'email-delivery', deliverNext: () => opts.useCase.deliverNext(), concurrency: opts.concurrency, pollIntervalMs: opts.pollIntervalMs, logger: opts.logger });
}
