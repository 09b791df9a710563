/** The /v1 endpoints our payment service calls (and the reads that go with them). */
import { Router } from 'express';
import { endpoint, type EndpointDeps } from './endpoint';
import { listParams, optString, rejectUnknown, type Params } from './params';
import type { PaymentsService } from './payments.service';
import { paginate, render } from './render';
import { StripeApiError, resourceMissing } from './stripe-error';
import type { StripeEvent } from './state';

const LIST = ['limit', 'starting_after', 'ending_before', 'expand'];
const LIST_IGNORED = ['created'];

function list<T extends { id: string }>(deps: EndpointDeps, items: T[], p: Params, url: string, kind: string, expand: string[]) {
  const page = paginate(items, listParams(p), url, kind);
  return render(deps.state, { object: 'list', ...page }, expand);
}

function eventTypeMatches(type: string, patterns: string[]): boolean {
  return patterns.some((pat) => (pat.endsWith('.*') ? type.startsWith(pat.slice(0, -1)) : pat === '*' || pat === type));
}

export function apiRoutes(deps: EndpointDeps, payments: PaymentsService): Router {
  const r = Router();
  const { state } = deps;

  // PaymentIntents
  r.post('/payment_intents', endpoint(deps, ({ params, ctx, expand }) => render(state, payments.createPaymentIntent(params, ctx), expand)));
  r.get('/payment_intents', endpoint(deps, ({ params, expand }) => {
    rejectUnknown(params, LIST, [...LIST_IGNORED, 'customer']);
    return list(deps, [...state.paymentIntents.values()], params, '/v1/payment_intents', 'payment_intent', expand);
  }));
  r.get('/payment_intents/:id', endpoint(deps, ({ params, path, expand }) => {
    rejectUnknown(params, ['expand', 'client_secret']);
    return render(state, payments.getPaymentIntent(path.id!), expand);
  }));
  r.post('/payment_intents/:id', endpoint(deps, ({ params, path, ctx, expand }) => render(state, payments.updatePaymentIntent(path.id!, params, ctx), expand)));
  r.post('/payment_intents/:id/confirm', endpoint(deps, ({ params, path, ctx, expand }) => render(state, payments.confirmPaymentIntent(path.id!, params, ctx), expand)));
  r.post('/payment_intents/:id/cancel', endpoint(deps, ({ params, path, ctx, expand }) => render(state, payments.cancelPaymentIntent(path.id!, params, ctx), expand)));

  // PaymentMethods (read only: made from test tokens on confirm)
  r.get('/payment_methods/:id', endpoint(deps, ({ params, path }) => {
    rejectUnknown(params, ['expand']);
    return render(state, payments.getPaymentMethod(path.id!));
  }));

  // Charges
  r.get('/charges', endpoint(deps, ({ params, expand }) => {
    rejectUnknown(params, [...LIST, 'payment_intent'], [...LIST_IGNORED, 'customer', 'transfer_group']);
    const pi = optString(params, 'payment_intent');
    const items = [...state.charges.values()].filter((c) => !pi || c.payment_intent === pi);
    return list(deps, items, params, '/v1/charges', 'charge', expand);
  }));
  r.get('/charges/:id', endpoint(deps, ({ params, path, expand }) => {
    rejectUnknown(params, ['expand']);
    return render(state, payments.getCharge(path.id!), expand);
  }));

  // Refunds
  r.post('/refunds', endpoint(deps, ({ params, ctx, expand }) => render(state, payments.createRefund(params, ctx), expand)));
  r.get('/refunds', endpoint(deps, ({ params, expand }) => {
    rejectUnknown(params, [...LIST, 'payment_intent', 'charge'], LIST_IGNORED);
    const pi = optString(params, 'payment_intent');
    const ch = optString(params, 'charge');
    const items = [...state.refunds.values()].filter((x) => (!pi || x.payment_intent === pi) && (!ch || x.charge === ch));
    return list(deps, items, params, '/v1/refunds', 'refund', expand);
  }));
  r.get('/refunds/:id', endpoint(deps, ({ params, path, expand }) => {
    rejectUnknown(params, ['expand']);
    return render(state, payments.getRefund(path.id!), expand);
  }));

  // Events
  r.get('/events', endpoint(deps, ({ params }) => {
    rejectUnknown(params, [...LIST, 'type', 'types'], [...LIST_IGNORED, 'delivery_success']);
    const type = optString(params, 'type');
    const typesRaw = params.types;
    const types = Array.isArray(typesRaw) ? typesRaw : typesRaw && typeof typesRaw === 'object' ? Object.values(typesRaw) : typesRaw ? [typesRaw] : [];
    if (type && types.length > 0) {
      throw new StripeApiError(400, { type: 'invalid_request_error', message: 'You may only specify one of these parameters: type, types.' }, { validation: true });
    }
    const patterns = type ? [type] : types.map(String);
    const items: StripeEvent[] = [...state.events.values()].filter((e) => patterns.length === 0 || eventTypeMatches(e.type, patterns));
    return list(deps, items, params, '/v1/events', 'event', []);
  }));
  r.get('/events/:id', endpoint(deps, ({ params, path }) => {
    rejectUnknown(params, ['expand']);
    const event = state.events.get(path.id!);
    if (!event) throw resourceMissing('event', path.id!, 'id');
    return render(state, event);
  }));

  return r;
}
