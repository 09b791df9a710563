/**
 * Turning stored objects into responses: `expand[]` (one level per dot, as Stripe, e.g. `latest_charge`,
 * `latest_charge.refunds`, `data.latest_charge` on lists) and cursor-paginated lists
 * `{ object: 'list', data, has_more, url }` newest first.
 */
import type { ListParams } from './params';
import { StripeApiError, resourceMissing } from './stripe-error';
import { clone, type SimState } from './state';

type Obj = Record<string, unknown>;

function cannotExpand(path: string): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', param: 'expand', message: `This property cannot be expanded (${path}).` }, { validation: true });
}

function lookup(state: SimState, objectType: unknown, field: string, id: string): Obj | undefined {
  const byField: Record<string, Record<string, () => unknown>> = {
    payment_intent: { latest_charge: () => state.charges.get(id), payment_method: () => state.paymentMethods.get(id) },
    charge: { payment_intent: () => state.paymentIntents.get(id), payment_method: () => state.paymentMethods.get(id) },
    refund: { charge: () => state.charges.get(id), payment_intent: () => state.paymentIntents.get(id) },
  };
  const fn = typeof objectType === 'string' ? byField[objectType]?.[field] : undefined;
  if (!fn) return undefined;
  const found = fn();
  return found ? (clone(found) as Obj) : undefined;
}

function expandOne(state: SimState, obj: Obj, path: string[], full: string): void {
  const [field, ...rest] = path;
  if (!field) return;
  if (obj.object === 'list' && field === 'data' && Array.isArray(obj.data)) {
    for (const item of obj.data as Obj[]) expandOne(state, item, rest, full);
    return;
  }
  if (obj.object === 'charge' && field === 'refunds') {
    // Not part of a Charge by default in recent API versions; only when expanded.
    const data = [...state.refunds.values()].filter((r) => r.charge === obj.id).reverse().map((r) => clone(r) as unknown as Obj);
    obj.refunds = { object: 'list', data, has_more: false, total_count: data.length, url: `/v1/charges/${String(obj.id)}/refunds` };
    for (const r of data) expandOne(state, r, rest, full);
    return;
  }
  const value = obj[field];
  if (value === null) return;
  if (typeof value === 'string') {
    const expanded = lookup(state, obj.object, field, value);
    if (!expanded) throw cannotExpand(full);
    obj[field] = expanded;
    expandOne(state, expanded, rest, full);
    return;
  }
  if (value && typeof value === 'object') {
    expandOne(state, value as Obj, rest, full);
    return;
  }
  throw cannotExpand(full);
}

/** Returns a copy of `obj` with the requested fields expanded. */
export function render(state: SimState, obj: object, expand: string[] = []): Obj {
  const out = clone(obj) as Obj;
  for (const path of expand) expandOne(state, out, path.split('.'), path);
  return out;
}

export interface StripeList {
  object: 'list';
  data: Obj[];
  has_more: boolean;
  url: string;
}

/** `items` in creation order; Stripe lists newest first and pages with starting_after/ending_before ids. */
export function paginate<T extends { id: string }>(items: T[], params: ListParams, url: string, kind: string): { data: T[]; has_more: boolean; url: string } {
  const newestFirst = [...items].reverse();
  let start = 0;
  let end = newestFirst.length;
  if (params.startingAfter) {
    const i = newestFirst.findIndex((x) => x.id === params.startingAfter);
    if (i < 0) throw resourceMissing(kind, params.startingAfter, 'starting_after', 400);
    start = i + 1;
  }
  if (params.endingBefore) {
    const i = newestFirst.findIndex((x) => x.id === params.endingBefore);
    if (i < 0) throw resourceMissing(kind, params.endingBefore, 'ending_before', 400);
    end = i;
    start = Math.max(0, end - params.limit);
    return { data: newestFirst.slice(start, end), has_more: start > 0, url };
  }
  const data = newestFirst.slice(start, start + params.limit);
  return { data, has_more: start + params.limit < end, url };
}
