/**
 * A local, stateful Stripe (v1 API, test mode, one account) for the calls our payment service makes, spoken
 * to by the real `stripe` SDK pointed at it (`host`, `port`, `protocol: 'http'`): PaymentIntents, Charges,
 * Refunds, Events, Stripe's idempotency layer, and signed webhooks with retries and delivery faults.
 */
import express, { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { apiRoutes } from './api.routes';
import { controlRoutes, createControl, type StripeSimControl } from './control.routes';
import { faultApplies, pathOf } from './endpoint';
import { EventLog } from './events.service';
import { IdempotencyStore } from './idempotency';
import { PaymentsService } from './payments.service';
import { StripeApiError, apiError, sendStripeError } from './stripe-error';
import { SimState, newId } from './state';
import { WebhookDispatcher } from './webhooks.dispatcher';

/** The version stripe-node 23.1.0 pins (Stripe.API_VERSION); a test fails when the SDK moves on. */
export const DEFAULT_API_VERSION = '2026-10-28.endive';
export const DEFAULT_WEBHOOK_SECRET = 'whsec_ttelgo_dev_secret';

/** Structural, so the simulator works with or without @ttelgo/observability metrics. */
export interface HttpDurationMetric {
  httpRequestDuration: { observe(labels: { method: string; route: string; status: string }, seconds: number): void };
}

export interface StripeSimulatorOptions {
  logger: Logger;
  webhookUrls?: string[];
  /** default whsec_ttelgo_dev_secret */
  webhookSecret?: string;
  /** delay before the first retry of a failed delivery, doubling each time; default 1000 */
  webhookRetryBaseMs?: number;
  /** default 2 */
  webhookRetryFactor?: number;
  /** attempts per delivery including the first; default 8 */
  webhookMaxAttempts?: number;
  /** per attempt; default 10 000 */
  webhookTimeoutMs?: number;
  /** api_version on events and the Stripe-Version answered when the request names none */
  apiVersion?: string;
  metrics?: HttpDurationMetric;
  /** clock for `created` timestamps and idempotency-key expiry (webhook signatures always use the real clock) */
  now?: () => number;
}

export interface StripeSimulator {
  app: Express;
  state: SimState;
  control: StripeSimControl;
  /** stops webhook retries and timers so the process can exit */
  close(): void;
}

function authorised(header: string | undefined): { ok: true } | { ok: false; message: string } {
  if (!header) {
    return {
      ok: false,
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    };
  }
  let key = '';
  const [scheme, value = ''] = header.split(/\s+/, 2);
  if (/^bearer$/i.test(scheme ?? '')) key = value;
  else if (/^basic$/i.test(scheme ?? '')) key = Buffer.from(value, 'base64').toString('utf8').split(':')[0] ?? '';
  if (/^sk_test_\S+$/.test(key)) return { ok: true };
  const redacted = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(Math.min(key.length - 12, 20))}${key.slice(-4)}` : key.replace(/./g, '*');
  return { ok: false, message: `Invalid API Key provided: ${redacted}` };
}

export function createStripeSimulator(opts: StripeSimulatorOptions): StripeSimulator {
  const logger = opts.logger;
  const now = opts.now ?? Date.now;
  const apiVersion = opts.apiVersion ?? DEFAULT_API_VERSION;
  const state = new SimState({
    apiVersion,
    now,
    webhookUrls: opts.webhookUrls ?? [],
    webhookSecret: opts.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
  });
  const dispatcher = new WebhookDispatcher(state, {
    logger,
    retryBaseMs: opts.webhookRetryBaseMs ?? 1000,
    retryFactor: opts.webhookRetryFactor ?? 2,
    maxAttempts: opts.webhookMaxAttempts ?? 8,
    timeoutMs: opts.webhookTimeoutMs ?? 10_000,
  });
  const events = new EventLog(state, dispatcher);
  const payments = new PaymentsService(state, events);
  const idempotency = new IdempotencyStore(now);
  const control = createControl(state, payments, dispatcher, idempotency);
  const deps = { state, idempotency };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Stripe's GET parameters use brackets too (expand[0]=..., types[]=...).
  app.set('query parser', 'extended');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      opts.metrics?.httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      logger.info({ method: req.method, path: pathOf(req), status: res.statusCode, ms: Math.round(seconds * 1000), requestId: res.locals.requestId }, 'request');
    });
    next();
  });

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', (_req, res) => {
    res.json({ status: 'ok', checks: {} });
  });
  app.use('/__sim', express.json({ limit: '1mb' }), controlRoutes(state, control));

  const v1 = Router();
  v1.use((req, res, next) => {
    res.locals.requestId = newId('req', 14);
    res.setHeader('Request-Id', String(res.locals.requestId));
    res.setHeader('Stripe-Version', req.get('stripe-version') ?? apiVersion);
    const key = `${req.method} ${req.route ? String(req.route.path) : req.path.replace(/\/(pi|ch|re|evt|pm)_[A-Za-z0-9]+/g, '/:id')}`;
    state.requestCounts[key] = (state.requestCounts[key] ?? 0) + 1;
    state.totalRequests += 1;
    next();
  });
  v1.use((req, res, next) => {
    const auth = authorised(req.get('authorization'));
    if (!auth.ok) return sendStripeError(res, new StripeApiError(401, { type: 'invalid_request_error', message: auth.message }));
    next();
  });
  // Injected 500s happen before the idempotency layer (as if the request never reached the endpoint), so a
  // retry with the same key executes instead of replaying the 500.
  v1.use((req, res, next) => {
    const f = state.faults;
    if (!faultApplies(state, pathOf(req))) return next();
    if (f.failNext > 0 || (f.errorRate > 0 && Math.random() < f.errorRate)) {
      if (f.failNext > 0) f.failNext -= 1;
      return sendStripeError(res, apiError('An unknown error occurred (stripe-sim injected fault).'));
    }
    next();
  });
  v1.use(express.urlencoded({ extended: true, limit: '1mb', parameterLimit: 5000 }));
  v1.use(apiRoutes(deps, payments));
  v1.use((req: Request, res: Response) => {
    sendStripeError(
      res,
      new StripeApiError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${pathOf(req)}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      }),
    );
  });
  app.use('/v1', v1);

  app.use((req: Request, res: Response) => {
    sendStripeError(
      res,
      new StripeApiError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${pathOf(req)}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      }),
    );
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      logger.error({ err, path: req.path }, 'error after response started');
      res.destroy();
      return;
    }
    if (err instanceof StripeApiError) return sendStripeError(res, err);
    const e = err as { type?: string };
    if (e?.type === 'entity.parse.failed') {
      return sendStripeError(res, new StripeApiError(400, { type: 'invalid_request_error', message: 'Invalid request body: could not be parsed.' }));
    }
    if (e?.type === 'entity.too.large') {
      return sendStripeError(res, new StripeApiError(413, { type: 'invalid_request_error', message: 'Request body too large.' }));
    }
    logger.error({ err, path: req.path }, 'unhandled simulator error');
    sendStripeError(res, apiError());
  });

  return {
    app,
    state,
    control,
    close() {
      dispatcher.close();
    },
  };
}
