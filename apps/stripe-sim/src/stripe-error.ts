/**
 * Errors in Stripe's own v1 format, `{ error: { type, code?, message, param?, decline_code?, doc_url? } }`, so the
 * real SDK maps them to the same classes it would for api.stripe.com (402 -> StripeCardError, 400 + type
 * idempotency_error -> StripeIdempotencyError, 401 -> StripeAuthenticationError, ...).
 */
import type { Response } from 'express';

export type StripeErrorType = 'invalid_request_error' | 'card_error' | 'api_error' | 'idempotency_error' | 'rate_limit_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: object;
  request_log_url?: string;
  advice_code?: string;
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly opts: {
      /** Stripe does not save an idempotent result when parameter validation fails. */
      validation?: boolean;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

export function errorBody(status: number, body: StripeErrorBody): { status: number; body: { error: StripeErrorBody } } {
  const withDoc = body.code && !body.doc_url ? { ...body, doc_url: docUrl(body.code) } : body;
  return { status, body: { error: withDoc } };
}

export function sendStripeError(res: Response, err: StripeApiError): void {
  for (const [k, v] of Object.entries(err.opts.headers ?? {})) res.setHeader(k, v);
  const { status, body } = errorBody(err.status, err.body);
  res.status(status).json(body);
}

// Constructors for the errors the simulated endpoints raise, with Stripe's wording.

export function parameterMissing(param: string): StripeApiError {
  return new StripeApiError(
    400,
    { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` },
    { validation: true },
  );
}

export function parameterInvalid(param: string, message: string, code = 'parameter_invalid_string'): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', code, param, message }, { validation: true });
}

export function parameterUnknown(param: string): StripeApiError {
  return new StripeApiError(
    400,
    {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param,
      message: `Received unknown parameter: ${param}`,
    },
    { validation: true },
  );
}

/** 404 for the object in the path, 400 for an object referenced by a parameter (as Stripe does). */
export function resourceMissing(kind: string, id: string, param: string, status: 400 | 404 = 404): StripeApiError {
  return new StripeApiError(status, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param,
    message: `No such ${kind}: '${id}'`,
  });
}

export function invalidRequest(code: string, message: string, param?: string): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) });
}

export function unexpectedState(message: string, paymentIntent?: object): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message,
    ...(paymentIntent ? { payment_intent: paymentIntent } : {}),
  });
}

export function apiError(message = 'An unknown error occurred'): StripeApiError {
  return new StripeApiError(500, { type: 'api_error', message });
}
