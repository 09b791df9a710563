/**
 * The simulator's control API under /__sim (JSON, no auth): inspect state and webhook deliveries, configure
 * endpoints, inject API and delivery faults, resend events, force payment outcomes, reset. In-process tests use
 * the same operations through `control`.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { NO_REQUEST } from './events.service';
import type { IdempotencyStore } from './idempotency';
import type { PaymentsService } from './payments.service';
import { render } from './render';
import { StripeApiError, resourceMissing } from './stripe-error';
import { defaultApiFaults, defaultDeliveryFaults, type ApiFaults, type Delivery, type DeliveryFaults, type PaymentIntent, type SimState } from './state';
import { DECLINE_BY_CODE } from './test-cards';
import type { WebhookDispatcher } from './webhooks.dispatcher';

const url = z.string().url();

export const WebhooksSchema = z
  .object({
    url: url.nullable().optional(),
    urls: z.array(url).optional(),
    secret: z.string().min(1).optional(),
    retryBaseMs: z.number().int().min(0).max(3_600_000).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const DeliveryFaultsSchema = z
  .object({
    duplicate: z.number().int().min(0).max(20),
    reorder: z.boolean(),
    reorderWindowMs: z.number().int().min(0).max(600_000),
    delayMs: z.number().int().min(0).max(600_000),
    dropNext: z.number().int().min(0),
    failNext: z.number().int().min(0),
  })
  .partial()
  .strict();

export const ApiFaultsSchema = z
  .object({
    errorRate: z.number().min(0).max(1),
    failNext: z.number().int().min(0),
    latencyMs: z.number().int().min(0).max(600_000),
    paths: z.array(z.string().startsWith('/')),
  })
  .partial()
  .strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new StripeApiError(400, { type: 'invalid_request_error', message: `${where}${issue?.message ?? 'invalid body'}` });
  }
  return r.data;
}

export interface WebhookConfigView {
  urls: string[];
  secret: string;
  retryBaseMs: number;
  maxAttempts: number;
}

export interface StripeSimControl {
  webhookConfig(): WebhookConfigView;
  setWebhooks(cfg: z.infer<typeof WebhooksSchema>): WebhookConfigView;
  setDeliveryFaults(f: Partial<DeliveryFaults>): DeliveryFaults;
  resetDeliveryFaults(): DeliveryFaults;
  /** sends deliveries held by the reorder fault now (newest first) */
  flushHeldDeliveries(): number;
  setFaults(f: Partial<ApiFaults>): ApiFaults;
  resetFaults(): ApiFaults;
  redeliver(eventId: string, url?: string): Delivery[];
  /** confirm as with pm_card_visa */
  succeed(paymentIntentId: string): PaymentIntent;
  /** confirm with the test card for a decline code (default generic_decline); resolves to the failed PaymentIntent */
  fail(paymentIntentId: string, declineCode?: string): PaymentIntent;
  /** objects, events, deliveries, idempotency keys, counters and faults are cleared; webhook endpoints stay */
  reset(): void;
  snapshot(): Record<string, unknown>;
  /** resolves when no webhook delivery is pending or held */
  webhooksIdle(timeoutMs?: number): Promise<void>;
}

export function createControl(state: SimState, payments: PaymentsService, dispatcher: WebhookDispatcher, idempotency: IdempotencyStore): StripeSimControl {
  const view = (): WebhookConfigView => ({
    urls: [...state.webhookUrls],
    secret: state.webhookSecret,
    retryBaseMs: dispatcher.opts.retryBaseMs,
    maxAttempts: dispatcher.opts.maxAttempts,
  });
  const control: StripeSimControl = {
    webhookConfig: view,
    setWebhooks(raw) {
      const cfg = parse(WebhooksSchema, raw);
      if (cfg.urls !== undefined) state.webhookUrls = [...cfg.urls];
      else if (cfg.url !== undefined) state.webhookUrls = cfg.url === null ? [] : [cfg.url];
      if (cfg.secret !== undefined) state.webhookSecret = cfg.secret;
      if (cfg.retryBaseMs !== undefined) dispatcher.opts.retryBaseMs = cfg.retryBaseMs;
      if (cfg.maxAttempts !== undefined) dispatcher.opts.maxAttempts = cfg.maxAttempts;
      return view();
    },
    setDeliveryFaults(f) {
      const wasReordering = state.deliveryFaults.reorder;
      Object.assign(state.deliveryFaults, parse(DeliveryFaultsSchema, f));
      if (wasReordering && !state.deliveryFaults.reorder) dispatcher.flushHeld();
      return { ...state.deliveryFaults };
    },
    resetDeliveryFaults() {
      state.deliveryFaults = defaultDeliveryFaults();
      dispatcher.flushHeld();
      return { ...state.deliveryFaults };
    },
    flushHeldDeliveries() {
      return dispatcher.flushHeld();
    },
    setFaults(f) {
      Object.assign(state.faults, parse(ApiFaultsSchema, f));
      return { ...state.faults, paths: [...state.faults.paths] };
    },
    resetFaults() {
      state.faults = defaultApiFaults();
      return { ...state.faults };
    },
    redeliver(eventId, target) {
      const event = state.events.get(eventId);
      if (!event) throw resourceMissing('event', eventId, 'id');
      if (target === undefined && state.webhookUrls.length === 0) {
        throw new StripeApiError(400, { type: 'invalid_request_error', message: 'No webhook endpoint is configured (POST /__sim/webhooks).' });
      }
      return dispatcher.redeliver(event, target);
    },
    succeed(id) {
      return payments.forceOutcome(id, 'pm_card_visa', NO_REQUEST);
    },
    fail(id, declineCode = 'generic_decline') {
      const token = DECLINE_BY_CODE[declineCode];
      if (!token) {
        throw new StripeApiError(400, {
          type: 'invalid_request_error',
          message: `Unknown decline_code '${declineCode}'; one of ${Object.keys(DECLINE_BY_CODE).join(', ')}`,
        });
      }
      try {
        payments.forceOutcome(id, token, NO_REQUEST);
      } catch (err) {
        if (!(err instanceof StripeApiError) || err.status !== 402) throw err;
      }
      return payments.getPaymentIntent(id);
    },
    reset() {
      dispatcher.reset();
      idempotency.clear();
      state.reset();
    },
    snapshot() {
      const count = (s: string) => state.deliveries.filter((d) => d.status === s).length;
      const byEndpoint: Record<string, Record<string, number>> = {};
      for (const d of state.deliveries) {
        const e = (byEndpoint[d.url] ??= { pending: 0, delivered: 0, failed: 0, dropped: 0, attempts: 0 });
        e[d.status] = (e[d.status] ?? 0) + 1;
        e.attempts = (e.attempts ?? 0) + d.attempts;
      }
      return {
        apiVersion: state.opts.apiVersion,
        counts: {
          paymentIntents: state.paymentIntents.size,
          charges: state.charges.size,
          refunds: state.refunds.size,
          paymentMethods: state.paymentMethods.size,
          events: state.events.size,
          idempotencyKeys: idempotency.size,
        },
        totalRequests: state.totalRequests,
        requests: { ...state.requestCounts },
        webhooks: { urls: [...state.webhookUrls], retryBaseMs: dispatcher.opts.retryBaseMs, maxAttempts: dispatcher.opts.maxAttempts },
        faults: { ...state.faults },
        deliveryFaults: { ...state.deliveryFaults },
        deliverySummary: { pending: count('pending'), delivered: count('delivered'), failed: count('failed'), dropped: count('dropped'), byEndpoint },
        deliveries: state.deliveries.map(({ history: _history, ...d }) => d),
      };
    },
    webhooksIdle(timeoutMs) {
      return dispatcher.idle(timeoutMs);
    },
  };
  return control;
}

export function controlRoutes(state: SimState, control: StripeSimControl): Router {
  const r = Router();
  const id = (req: Request) => String(req.params.id);
  r.get('/state', (_req, res) => {
    res.json(control.snapshot());
  });
  r.get('/deliveries', (req, res) => {
    const eventId = typeof req.query.eventId === 'string' ? req.query.eventId : undefined;
    const target = typeof req.query.url === 'string' ? req.query.url : undefined;
    res.json({ deliveries: state.deliveries.filter((d) => (!eventId || d.eventId === eventId) && (!target || d.url === target)) });
  });
  r.get('/webhooks', (_req, res) => {
    res.json(control.webhookConfig());
  });
  r.post('/webhooks', (req, res) => {
    res.json(control.setWebhooks(req.body as z.infer<typeof WebhooksSchema>));
  });
  r.post('/delivery-faults', (req, res) => {
    res.json({ deliveryFaults: control.setDeliveryFaults(req.body as Partial<DeliveryFaults>) });
  });
  r.post('/delivery-faults/reset', (_req, res) => {
    res.json({ deliveryFaults: control.resetDeliveryFaults() });
  });
  r.post('/delivery-faults/flush', (_req, res) => {
    res.json({ flushed: control.flushHeldDeliveries() });
  });
  r.post('/faults', (req, res) => {
    res.json({ faults: control.setFaults(req.body as Partial<ApiFaults>) });
  });
  r.post('/faults/reset', (_req, res) => {
    res.json({ faults: control.resetFaults() });
  });
  r.post('/events/:id/redeliver', (req, res) => {
    const body = parse(z.object({ url: url.optional() }).strict(), req.body);
    const deliveries = control.redeliver(id(req), body.url);
    res.json({ deliveries: deliveries.map((d) => ({ id: d.id, url: d.url, eventId: d.eventId })) });
  });
  r.post('/payment_intents/:id/succeed', (req, res) => {
    res.json(render(state, control.succeed(id(req))));
  });
  r.post('/payment_intents/:id/fail', (req, res) => {
    const body = parse(z.object({ decline_code: z.string().optional() }).strict(), req.body);
    res.json(render(state, control.fail(id(req), body.decline_code)));
  });
  r.post('/reset', (_req, res) => {
    control.reset();
    res.json(control.snapshot());
  });
  return r;
}
