/**
 * Creates events (envelope as in stripe-node's Events.ts) and hands each to the webhook dispatcher. The object
 * is a snapshot taken when the event happens, as Stripe's is.
 */
import type { WebhookDispatcher } from './webhooks.dispatcher';
import { clone, newId, type SimState, type StripeEvent } from './state';

/** The request that caused a change; null for changes made through /__sim (like Stripe's automatic events). */
export interface RequestCtx {
  requestId: string | null;
  idempotencyKey: string | null;
}

export const NO_REQUEST: RequestCtx = { requestId: null, idempotencyKey: null };

export class EventLog {
  constructor(
    private readonly state: SimState,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  emit(type: string, object: object, ctx: RequestCtx, previousAttributes?: Record<string, unknown>): StripeEvent {
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: this.state.opts.apiVersion,
      created: this.state.nowSeconds(),
      data: { object: clone(object) as Record<string, unknown>, ...(previousAttributes ? { previous_attributes: previousAttributes } : {}) },
      livemode: false,
      pending_webhooks: this.state.webhookUrls.length,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    this.state.events.set(event.id, event);
    this.dispatcher.publish(event);
    return event;
  }
}
