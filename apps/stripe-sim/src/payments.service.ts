/**
 * The simulated account's money movements: PaymentIntents (create, update, confirm, cancel), the Charges their
 * confirmations create, and Refunds. Each change emits the events Stripe would. Errors are thrown as
 * StripeApiError with Stripe's codes; which of them an idempotency key saves is decided by the caller.
 */
import type { EventLog, RequestCtx } from './events.service';
import {
  applyMetadata,
  optBool,
  optCurrency,
  optEnum,
  optInt,
  optObject,
  optString,
  rejectUnknown,
  reqInt,
  type Params,
} from './params';
import {
  StripeApiError,
  docUrl,
  invalidRequest,
  parameterInvalid,
  parameterMissing,
  resourceMissing,
  unexpectedState,
} from './stripe-error';
import { clone, newId, type Charge, type PaymentIntent, type PaymentMethod, type Refund, type SimState } from './state';
import { TEST_CARDS, type TestCard } from './test-cards';

const MAX_AMOUNT = 99_999_999;
const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);

// Real Stripe parameters the simulator accepts but does not model (so a client sending them is not refused).
const PI_IGNORED = [
  'expand', 'confirmation_method', 'setup_future_usage', 'payment_method_types', 'payment_method_options', 'payment_method_data',
  'payment_method_configuration', 'shipping', 'return_url', 'off_session', 'error_on_requires_action', 'mandate', 'mandate_data',
  'on_behalf_of', 'transfer_group', 'transfer_data', 'application_fee_amount', 'use_stripe_sdk', 'radar_options', 'confirmation_token',
  'excluded_payment_method_types', 'amount_details', 'payment_details', 'hooks', 'statement_descriptor', 'statement_descriptor_suffix', 'customer',
];
const PI_CREATE = ['amount', 'currency', 'metadata', 'description', 'receipt_email', 'automatic_payment_methods', 'payment_method', 'confirm', 'capture_method'];
const PI_UPDATE = ['amount', 'currency', 'metadata', 'description', 'receipt_email', 'payment_method'];
const PI_CONFIRM = ['payment_method', 'receipt_email', 'capture_method'];
const REFUND_PARAMS = ['payment_intent', 'charge', 'amount', 'reason', 'metadata'];
const REFUND_IGNORED = ['expand', 'instructions_email', 'origin', 'refund_application_fee', 'reverse_transfer', 'customer', 'currency'];

export function formatAmount(amount: number, currency: string): string {
  const value = ZERO_DECIMAL.has(currency) ? String(amount) : (amount / 100).toFixed(2);
  return `${value} ${currency.toUpperCase()}`;
}

export class PaymentsService {
  constructor(
    private readonly state: SimState,
    private readonly events: EventLog,
  ) {}

  // ---- PaymentIntents -------------------------------------------------------------------------------------

  getPaymentIntent(id: string, param = 'intent', status: 400 | 404 = 404): PaymentIntent {
    const pi = this.state.paymentIntents.get(id);
    if (!pi) throw resourceMissing('payment_intent', id, param, status);
    return pi;
  }

  createPaymentIntent(p: Params, ctx: RequestCtx): PaymentIntent {
    rejectUnknown(p, PI_CREATE, PI_IGNORED);
    const amount = this.validAmount(p);
    const currency = optCurrency(p);
    if (!currency) throw parameterMissing('currency');
    const metadata = applyMetadata({}, p);
    const apm = optObject(p, 'automatic_payment_methods');
    const apmEnabled = apm ? optBool(apm, 'enabled') : undefined;
    if (apm && apmEnabled === undefined) throw parameterMissing('automatic_payment_methods[enabled]');
    const captureMethod = this.captureMethod(p) ?? 'automatic_async';
    const confirm = optBool(p, 'confirm') ?? false;
    const pmParam = optString(p, 'payment_method');
    // Resolve the payment method before anything is created, so an unknown one leaves no PaymentIntent behind.
    const pm = pmParam ? this.resolvePaymentMethod(pmParam) : undefined;
    const id = newId('pi');
    const pi: PaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: apm ? { enabled: apmEnabled ?? false, ...(apmEnabled ? { allow_redirects: 'always' } : {}) } : null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: captureMethod,
      client_secret: `${id}_secret_${newId('x', 25).slice(2)}`,
      confirmation_method: 'automatic',
      created: this.state.nowSeconds(),
      currency,
      customer: optString(p, 'customer') ?? null,
      description: optString(p, 'description', { max: 1000 }) ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata,
      next_action: null,
      on_behalf_of: null,
      payment_method: pm?.id ?? null,
      payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
      payment_method_types: ['card'],
      processing: null,
      receipt_email: optString(p, 'receipt_email', { max: 800 }) ?? null,
      review: null,
      setup_future_usage: null,
      shipping: null,
      statement_descriptor: optString(p, 'statement_descriptor') ?? null,
      statement_descriptor_suffix: optString(p, 'statement_descriptor_suffix') ?? null,
      status: pm ? 'requires_confirmation' : 'requires_payment_method',
      transfer_data: null,
      transfer_group: null,
    };
    this.state.paymentIntents.set(id, pi);
    this.events.emit('payment_intent.created', pi, ctx);
    if (confirm) {
      if (!pm) {
        throw unexpectedState(
          "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
          clone(pi),
        );
      }
      return this.attemptPayment(pi, pm, ctx);
    }
    return pi;
  }

  updatePaymentIntent(id: string, p: Params, ctx: RequestCtx): PaymentIntent {
    const pi = this.getPaymentIntent(id);
    rejectUnknown(p, PI_UPDATE, PI_IGNORED);
    const changesPayment = p.amount !== undefined || p.currency !== undefined || p.payment_method !== undefined;
    if (changesPayment && !CONFIRMABLE.includes(pi.status)) {
      throw unexpectedState(
        `You cannot update this PaymentIntent's amount, currency or payment_method because it has a status of ${pi.status}. You may only update these fields when the PaymentIntent has one of the following statuses: ${CONFIRMABLE.join(', ')}.`,
        clone(pi),
      );
    }
    const amount = p.amount !== undefined ? this.validAmount(p) : pi.amount;
    const currency = optCurrency(p) ?? pi.currency;
    const metadata = applyMetadata(pi.metadata, p);
    const description = p.description !== undefined ? (optString(p, 'description', { max: 1000 }) ?? null) : pi.description;
    const receiptEmail = p.receipt_email !== undefined ? (optString(p, 'receipt_email', { max: 800 }) ?? null) : pi.receipt_email;
    const pmParam = optString(p, 'payment_method');
    const pm = pmParam ? this.resolvePaymentMethod(pmParam) : undefined;
    void ctx; // PaymentIntents have no `updated` event type
    Object.assign(pi, { amount, currency, metadata, description, receipt_email: receiptEmail });
    if (pm) {
      pi.payment_method = pm.id;
      pi.status = 'requires_confirmation';
    }
    return pi;
  }

  confirmPaymentIntent(id: string, p: Params, ctx: RequestCtx): PaymentIntent {
    const pi = this.getPaymentIntent(id);
    rejectUnknown(p, PI_CONFIRM, PI_IGNORED);
    this.assertConfirmable(pi);
    const pmParam = optString(p, 'payment_method');
    const receiptEmail = optString(p, 'receipt_email', { max: 800 });
    const captureMethod = this.captureMethod(p);
    const pmId = pmParam ?? pi.payment_method;
    if (!pmId) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
        clone(pi),
      );
    }
    const pm = this.resolvePaymentMethod(pmId);
    if (receiptEmail) pi.receipt_email = receiptEmail;
    if (captureMethod) pi.capture_method = captureMethod;
    return this.attemptPayment(pi, pm, ctx);
  }

  /** The /__sim shortcut: confirm with a test token, whatever the PaymentIntent had. */
  forceOutcome(id: string, token: string, ctx: RequestCtx): PaymentIntent {
    const pi = this.getPaymentIntent(id);
    this.assertConfirmable(pi);
    return this.attemptPayment(pi, this.resolvePaymentMethod(token), ctx);
  }

  cancelPaymentIntent(id: string, p: Params, ctx: RequestCtx): PaymentIntent {
    const pi = this.getPaymentIntent(id);
    rejectUnknown(p, ['cancellation_reason'], ['expand']);
    const reason = optEnum(p, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const);
    if (!CANCELABLE.includes(pi.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        clone(pi),
      );
    }
    pi.status = 'canceled';
    pi.canceled_at = this.state.nowSeconds();
    pi.cancellation_reason = reason ?? null;
    this.events.emit('payment_intent.canceled', pi, ctx);
    return pi;
  }

  getPaymentMethod(id: string): PaymentMethod {
    const pm = this.state.paymentMethods.get(id);
    if (!pm) throw resourceMissing('payment_method', id, 'payment_method');
    return pm;
  }

  getCharge(id: string, param = 'charge', status: 400 | 404 = 404): Charge {
    const ch = this.state.charges.get(id);
    if (!ch) throw resourceMissing('charge', id, param, status);
    return ch;
  }

  // ---- Refunds --------------------------------------------------------------------------------------------

  getRefund(id: string): Refund {
    const re = this.state.refunds.get(id);
    if (!re) throw resourceMissing('refund', id, 'refund');
    return re;
  }

  createRefund(p: Params, ctx: RequestCtx): Refund {
    rejectUnknown(p, REFUND_PARAMS, REFUND_IGNORED);
    const piId = optString(p, 'payment_intent');
    const chId = optString(p, 'charge');
    const amountParam = optInt(p, 'amount');
    const reason = optEnum(p, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const);
    const metadata = applyMetadata({}, p);
    if (!piId && !chId) {
      throw new StripeApiError(
        400,
        { type: 'invalid_request_error', code: 'parameter_missing', message: 'One of the following params should be provided for this request: payment_intent or charge.' },
        { validation: true },
      );
    }
    if (amountParam !== undefined && amountParam < 1) {
      throw new StripeApiError(
        400,
        { type: 'invalid_request_error', code: 'amount_too_small', param: 'amount', message: 'Refund amount must be a positive integer.' },
        { validation: true },
      );
    }
    let charge: Charge;
    if (piId) {
      const pi = this.getPaymentIntent(piId, 'payment_intent', 400);
      const latest = pi.latest_charge ? this.state.charges.get(pi.latest_charge) : undefined;
      if (!latest || latest.status !== 'succeeded') {
        throw invalidRequest('charge_not_refundable', `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'payment_intent');
      }
      if (chId && chId !== latest.id) {
        throw invalidRequest('parameter_invalid_string', `The charge ${chId} does not belong to the PaymentIntent ${pi.id}.`, 'charge');
      }
      charge = latest;
    } else {
      charge = this.getCharge(chId!, 'charge', 400);
      if (charge.status !== 'succeeded') {
        throw invalidRequest('charge_not_refundable', `Charge ${charge.id} cannot be refunded because it has a status of ${charge.status}.`, 'charge');
      }
    }
    const remaining = charge.amount_captured - charge.amount_refunded;
    if (remaining <= 0) throw invalidRequest('charge_already_refunded', `Charge ${charge.id} has already been refunded.`);
    const amount = amountParam ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(
        'amount_too_large',
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        'amount',
      );
    }
    const refund: Refund = {
      id: newId('re'),
      object: 'refund',
      amount,
      balance_transaction: newId('txn'),
      charge: charge.id,
      created: this.state.nowSeconds(),
      currency: charge.currency,
      metadata,
      payment_intent: charge.payment_intent,
      reason: reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.state.refunds.set(refund.id, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount_captured;
    this.events.emit('refund.created', refund, ctx);
    this.events.emit('charge.refunded', charge, ctx, previous);
    return refund;
  }

  // ---- internals ------------------------------------------------------------------------------------------

  private validAmount(p: Params): number {
    const amount = reqInt(p, 'amount');
    if (amount < 1) {
      throw new StripeApiError(
        400,
        { type: 'invalid_request_error', code: 'amount_too_small', param: 'amount', message: 'This value must be greater than or equal to 1.' },
        { validation: true },
      );
    }
    if (amount > MAX_AMOUNT) {
      throw new StripeApiError(
        400,
        { type: 'invalid_request_error', code: 'amount_too_large', param: 'amount', message: `Amount must be no more than ${MAX_AMOUNT}` },
        { validation: true },
      );
    }
    return amount;
  }

  private captureMethod(p: Params): string | undefined {
    const m = optEnum(p, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const);
    if (m === 'manual') throw parameterInvalid('capture_method', 'stripe-sim does not simulate manual capture (capture_method=manual).');
    return m;
  }

  private assertConfirmable(pi: PaymentIntent): void {
    if (pi.status === 'succeeded') {
      throw unexpectedState('You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.', clone(pi));
    }
    if (!CONFIRMABLE.includes(pi.status)) {
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
        clone(pi),
      );
    }
  }

  /** A test token (pm_card_visa) makes a new PaymentMethod each time, as Stripe does; a pm_ id must exist. */
  private resolvePaymentMethod(ref: string): PaymentMethod {
    const card = TEST_CARDS[ref];
    if (card) {
      const pm: PaymentMethod = {
        id: newId('pm'),
        object: 'payment_method',
        billing_details: { address: null, email: null, name: null, phone: null },
        card: { brand: card.brand, country: card.country, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, funding: card.funding, last4: card.last4 },
        created: this.state.nowSeconds(),
        customer: null,
        livemode: false,
        metadata: {},
        type: 'card',
      };
      this.state.paymentMethods.set(pm.id, pm);
      this.state.paymentMethodTokens.set(pm.id, ref);
      return pm;
    }
    const existing = this.state.paymentMethods.get(ref);
    if (!existing) throw resourceMissing('PaymentMethod', ref, 'payment_method', 400);
    return existing;
  }

  private attemptPayment(pi: PaymentIntent, pm: PaymentMethod, ctx: RequestCtx): PaymentIntent {
    const card: TestCard = TEST_CARDS[this.state.paymentMethodTokens.get(pm.id) ?? 'pm_card_visa'] ?? TEST_CARDS.pm_card_visa!;
    const decline = card.decline;
    const charge: Charge = {
      id: newId('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_captured: decline ? 0 : pi.amount,
      amount_refunded: 0,
      balance_transaction: decline ? null : newId('txn'),
      billing_details: { address: null, email: null, name: null, phone: null },
      captured: !decline,
      created: this.state.nowSeconds(),
      currency: pi.currency,
      customer: pi.customer,
      description: pi.description,
      disputed: false,
      failure_code: decline?.code ?? null,
      failure_message: decline?.message ?? null,
      livemode: false,
      metadata: { ...pi.metadata },
      outcome: decline
        ? {
            network_status: 'declined_by_network',
            reason: decline.decline_code,
            risk_level: 'normal',
            seller_message: 'The bank did not return any further details with this decline.',
            type: 'issuer_declined',
          }
        : { network_status: 'approved_by_network', reason: null, risk_level: 'normal', seller_message: 'Payment complete.', type: 'authorized' },
      paid: !decline,
      payment_intent: pi.id,
      payment_method: pm.id,
      payment_method_details: {
        type: 'card',
        card: { brand: pm.card.brand, country: pm.card.country, exp_month: pm.card.exp_month, exp_year: pm.card.exp_year, funding: pm.card.funding, last4: pm.card.last4 },
      },
      receipt_email: pi.receipt_email,
      receipt_url: null,
      refunded: false,
      status: decline ? 'failed' : 'succeeded',
    };
    this.state.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;

    if (decline) {
      // Stripe detaches the failed method: the PaymentIntent waits for a new one, the error names the old one.
      pi.status = 'requires_payment_method';
      pi.payment_method = null;
      pi.last_payment_error = {
        type: 'card_error',
        code: decline.code,
        decline_code: decline.decline_code,
        message: decline.message,
        charge: charge.id,
        doc_url: docUrl(decline.code),
        payment_method: clone(pm) as unknown as Record<string, unknown>,
      };
      this.events.emit('charge.failed', charge, ctx);
      this.events.emit('payment_intent.payment_failed', pi, ctx);
      throw new StripeApiError(402, {
        type: 'card_error',
        code: decline.code,
        decline_code: decline.decline_code,
        message: decline.message,
        charge: charge.id,
        doc_url: docUrl(decline.code),
        payment_intent: clone(pi),
      });
    }

    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.payment_method = pm.id;
    pi.last_payment_error = null;
    this.events.emit('charge.succeeded', charge, ctx);
    this.events.emit('payment_intent.succeeded', pi, ctx);
    return pi;
  }
}
