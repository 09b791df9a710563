/**
 * Re-processes stored Stripe events whose processing failed (due again) or never finished (RECEIVED for longer
 * than `staleAfterMs`: the process died between storing and processing). Each event goes through the same
 * processor as a fresh delivery, so it is a hint read against Stripe's current state; after `maxAttempts`
 * failures an event is DEAD, for an operator.
 */
import type { Logger } from '@ttelgo/observability';
import type { ProcessOutcome, StripeEventProcessor } from './stripe-event.processor';
import type { StripeEventRepository } from '../infrastructure/stripe-event.repository';

export interface RetryResult {
  attempted: number;
  outcomes: Partial<Record<ProcessOutcome, number>>;
}

export class RetryFailedStripeEventsUseCase {
  constructor(
    private readonly deps: { events: StripeEventRepository; processor: StripeEventProcessor; logger: Logger; staleAfterMs: number; batchSize?: number },
  ) {}

  async execute(): Promise<RetryResult> {
    const now = new Date();
    const ids = await this.deps.events.findDue(now, new Date(now.getTime() - this.deps.staleAfterMs), this.deps.batchSize ?? 100);
    const outcomes: RetryResult['outcomes'] = {};
    for (const id of ids) {
      const outcome = await this.deps.processor.processSafely(id);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    if (ids.length > 0) this.deps.logger.info({ attempted: ids.length, outcomes }, 'retried Stripe events');
    return { attempted: ids.length, outcomes };
  }
}
