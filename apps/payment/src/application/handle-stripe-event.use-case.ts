/**
 * payment.handle-stripe-event.v1. Two steps, two transactions:
 * 1. inbox row + `stripe_events` row (deduplicated on the Stripe event id) commit together: from then on the
 *    event is ours, whatever happens next;
 * 2. processing (see StripeEventProcessor): state change + outbox + PROCESSED in one transaction, or, on failure,
 *    FAILED with the error in another. The message is acked either way; the retry job owns a failed event.
 * A crash between the two leaves the event RECEIVED; the retry job picks up stale RECEIVED events too.
 */
import type { Logger } from '@ttelgo/observability';
import type { Prisma } from '../infrastructure/generated/prisma/client';
import { invalidStripeEvent } from '../domain/payment.errors';
import type { ProcessOutcome, StripeEventProcessor } from './stripe-event.processor';
import type { Tx } from '../infrastructure/payment.repository';
import type { StripeEventRepository } from '../infrastructure/stripe-event.repository';

export interface HandleStripeEventCommand {
  eventId: string;
  eventType: string;
  /** The raw JSON body Stripe sent. */
  payload: string;
  receivedAt: string;
}

/** Same shape as the inbox stores of @ttelgo/db / @ttelgo/messaging. */
export interface InboxRunner {
  runOnce(messageId: string, handler: string, fn: (tx: unknown) => Promise<void>): Promise<'processed' | 'duplicate'>;
}

export type HandleOutcome = ProcessOutcome | 'duplicate-message' | 'duplicate-event';

export const HANDLE_STRIPE_EVENT_HANDLER = 'payment.handle-stripe-event';

export class HandleStripeEventUseCase {
  constructor(
    private readonly deps: { inbox: InboxRunner; events: StripeEventRepository; processor: StripeEventProcessor; logger: Logger },
  ) {}

  async execute(cmd: HandleStripeEventCommand, messageId: string): Promise<HandleOutcome> {
    const event = parseEvent(cmd);
    let fresh = false;
    const inbox = await this.deps.inbox.runOnce(messageId, HANDLE_STRIPE_EVENT_HANDLER, async (tx) => {
      fresh = await this.deps.events.store(tx as Tx, event);
    });
    if (inbox === 'duplicate') return 'duplicate-message';
    if (!fresh) {
      // Stripe sent the same event again (a new webhook delivery, so a new message): already stored. If it is
      // still waiting or failed, processing it now is harmless and may be sooner than the retry job.
      const stored = await this.deps.events.get(event.id);
      if (stored && stored.status !== 'RECEIVED' && stored.status !== 'FAILED') return 'duplicate-event';
    }
    return this.deps.processor.processSafely(event.id);
  }
}

function parseEvent(cmd: HandleStripeEventCommand): {
  id: string;
  type: string;
  objectId: string | null;
  payload: Prisma.InputJsonValue;
  receivedAt: Date;
} {
  let body: unknown;
  try {
    body = JSON.parse(cmd.payload);
  } catch {
    throw invalidStripeEvent(`payload of ${cmd.eventId} is not JSON`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidStripeEvent(`payload of ${cmd.eventId} is not an object`);
  const obj = body as { id?: unknown; type?: unknown; data?: { object?: { id?: unknown } } };
  if (obj.id !== cmd.eventId) throw invalidStripeEvent(`payload id ${String(obj.id)} differs from eventId ${cmd.eventId}`);
  if (obj.type !== cmd.eventType) throw invalidStripeEvent(`payload type ${String(obj.type)} differs from eventType ${cmd.eventType}`);
  const objectId = obj.data?.object?.id;
  return {
    id: cmd.eventId,
    type: cmd.eventType,
    objectId: typeof objectId === 'string' ? objectId : null,
    payload: body as Prisma.InputJsonValue,
    receivedAt: new Date(cmd.receivedAt),
  };
}
