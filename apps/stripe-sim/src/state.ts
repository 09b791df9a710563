/**
 * Everything the simulator remembers, in memory, for its one test-mode account. Objects are stored in the
 * shape the API returns them, so a read is a copy and an event is a snapshot.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Stripe-looking ids: prefix + 24 base62 characters. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${out}`;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface LastPaymentError {
  type: 'card_error';
  code: string;
  decline_code?: string;
  message: string;
  charge: string | null;
  doc_url: string;
  advice_code?: string;
  payment_method: Record<string, unknown> | null;
}

export interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  application: null;
  application_fee_amount: null;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: string } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: string;
  client_secret: string;
  confirmation_method: string;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  next_action: null;
  on_behalf_of: null;
  payment_method: string | null;
  payment_method_options: Record<string, unknown>;
  payment_method_types: string[];
  processing: null;
  receipt_email: string | null;
  review: null;
  setup_future_usage: string | null;
  shipping: null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
  transfer_data: null;
  transfer_group: string | null;
}

export interface PaymentMethod {
  id: string;
  object: 'payment_method';
  billing_details: { address: null; email: string | null; name: string | null; phone: string | null };
  card: { brand: string; country: string; exp_month: number; exp_year: number; funding: string; last4: string };
  created: number;
  customer: string | null;
  livemode: false;
  metadata: Record<string, string>;
  type: 'card';
}

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  balance_transaction: string | null;
  billing_details: { address: null; email: string | null; name: string | null; phone: string | null };
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: boolean;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Record<string, string>;
  outcome: Record<string, unknown>;
  paid: boolean;
  payment_intent: string;
  payment_method: string;
  payment_method_details: { type: 'card'; card: Record<string, unknown> };
  receipt_email: string | null;
  receipt_url: string | null;
  refunded: boolean;
  status: 'succeeded' | 'failed' | 'pending';
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string | null;
  charge: string;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string | null;
  reason: string | null;
  receipt_number: string | null;
  source_transfer_reversal: null;
  status: 'succeeded' | 'pending' | 'failed' | 'canceled';
  transfer_reversal: null;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
  ms: number;
}

export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  /** set on the extra copies made by the `duplicate` fault */
  duplicateOf?: string;
  /** set when sent by POST /__sim/events/:id/redeliver */
  redelivery?: boolean;
  history: DeliveryAttempt[];
}

export interface ApiFaults {
  /** share of /v1 requests answered 500 api_error, 0..1 */
  errorRate: number;
  /** the next N /v1 requests are answered 500 api_error */
  failNext: number;
  /** added to every /v1 request, inside the idempotency lock (so a concurrent duplicate sees 409) */
  latencyMs: number;
  /** path prefixes the faults apply to, e.g. ['/v1/refunds']; empty = all */
  paths: string[];
}

export interface DeliveryFaults {
  duplicate: number;
  reorder: boolean;
  reorderWindowMs: number;
  delayMs: number;
  dropNext: number;
  failNext: number;
}

export const defaultApiFaults = (): ApiFaults => ({ errorRate: 0, failNext: 0, latencyMs: 0, paths: [] });
export const defaultDeliveryFaults = (): DeliveryFaults => ({ duplicate: 0, reorder: false, reorderWindowMs: 200, delayMs: 0, dropNext: 0, failNext: 0 });

export class SimState {
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly paymentMethods = new Map<string, PaymentMethod>();
  /** which test token each PaymentMethod was made from, so its outcome can be replayed on a later confirm */
  readonly paymentMethodTokens = new Map<string, string>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  readonly events = new Map<string, StripeEvent>();
  readonly deliveries: Delivery[] = [];
  faults: ApiFaults = defaultApiFaults();
  deliveryFaults: DeliveryFaults = defaultDeliveryFaults();
  webhookUrls: string[];
  webhookSecret: string;
  totalRequests = 0;
  readonly requestCounts: Record<string, number> = {};

  constructor(
    readonly opts: { apiVersion: string; now: () => number; webhookUrls: string[]; webhookSecret: string },
  ) {
    this.webhookUrls = [...opts.webhookUrls];
    this.webhookSecret = opts.webhookSecret;
  }

  /** Unix seconds, as every Stripe timestamp. */
  nowSeconds(): number {
    return Math.floor(this.opts.now() / 1000);
  }

  /** Objects, events, deliveries, counters and faults back to empty; webhook endpoints and secret stay. */
  reset(): void {
    this.paymentIntents.clear();
    this.paymentMethods.clear();
    this.paymentMethodTokens.clear();
    this.charges.clear();
    this.refunds.clear();
    this.events.clear();
    this.deliveries.length = 0;
    this.faults = defaultApiFaults();
    this.deliveryFaults = defaultDeliveryFaults();
    this.totalRequests = 0;
    for (const k of Object.keys(this.requestCounts)) delete this.requestCounts[k];
  }
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}
