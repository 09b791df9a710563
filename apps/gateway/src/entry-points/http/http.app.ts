import type { Express, RequestHandler } from 'express';
import { createHttpApp, finishHttpApp } from '@ttelgo/http';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { LoadOutcome, ResponseCache } from '../../infrastructure/response.cache';
import type { ServiceCaller } from '../../rpc/service.caller';
import type { CachedJson } from './cached-json';
import type { AuditEntry } from '../../infrastructure/audit-log.repository';
import type { RateLimiter } from '../../infrastructure/auth.rate-limiter';
import { limitAnonymousWrites } from './middleware/anonymous-write-limit.middleware';
import { auditTrail, type AuditSink } from './middleware/audit.middleware';
import { adminRoutes, type AdminRoutesDeps } from './routes/admin.routes';
import { vendorRoutes, type VendorRoutesDeps } from './routes/vendor.routes';
import { vendorEventRoutes } from './routes/vendor-events.routes';
import { installKitRoutes } from './routes/install-kit.routes';
import type { ApnRule } from '../../domain/install-kit/apn-rules';
import { vendorQuoteRoutes } from './routes/vendor-quotes.routes';
import { vendorCancellationRoutes } from './routes/vendor-cancellations.routes';
import type { OpenApiDocument } from './openapi/openapi.document';
import { authRoutes, type AuthRoutesDeps } from './routes/auth.routes';
import { passwordResetRoutes, type PasswordResetRoutesDeps } from './routes/password-reset.routes';
import { bundlesRoutes } from './routes/bundles.routes';
import { docsRoutes } from './routes/docs.routes';
import { ESIMGO_WEBHOOK_PATH, esimGoWebhookHandlers, type EsimGoWebhookDeps } from './routes/esimgo-webhook.routes';
import { esimsRoutes } from './routes/esims.routes';
import { ordersRoutes } from './routes/orders.routes';
import { STRIPE_WEBHOOK_PATH, stripeWebhookHandlers, type StripeWebhookDeps } from './routes/stripe-webhook.routes';

export interface GatewayHttpDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  esim: ServiceCaller;
  order: ServiceCaller;
  catalogueCache: ResponseCache<CachedJson>;
  onCatalogueCacheOutcome?: (outcome: LoadOutcome) => void;
  openApi: OpenApiDocument;
  /** Express `trust proxy` (TRUST_PROXY). */
  trustProxy: boolean | number | string[];
  audit: AuditSink;
  /** An anonymous write that was counted instead of audited. */
  onAnonymousWrite?: (entry: AuditEntry) => void;
  /** Per-IP budget of state-changing requests that authenticate nobody. */
  anonymousWriteLimit: RateLimiter;
  auth: Omit<AuthRoutesDeps, 'logger'>;
  /** Account recovery: `/auth/password-reset` and its confirmation. */
  passwordReset: Omit<PasswordResetRoutesDeps, 'logger'>;
  /** Idempotency-Key middleware (required) for POST /orders. */
  orderIdempotency: RequestHandler;
  stripeWebhook: StripeWebhookDeps;
  esimGoWebhook: EsimGoWebhookDeps;
  /** The reseller API (`/vendor/*`, X-API-Key). */
  vendor: Omit<VendorRoutesDeps, 'order' | 'esim' | 'logger'>;
  /** The sandbox cell's provider webhooks (its stripe-sim and esimgo-sim post here); undefined without a sandbox. */
  sandboxWebhooks?: { stripe: StripeWebhookDeps; esimGo: EsimGoWebhookDeps } | undefined;
  /** Bundles that need an APN set by hand (INSTALL_APN_RULES), for the install kits. */
  installApnRules: readonly ApnRule[];
  /** The operator API (`/admin/*`, admin JWT). */
  admin: Omit<AdminRoutesDeps, 'order' | 'authenticate'>;
}

const JSON_BODY_LIMIT = '100kb';
/** Where the sandbox cell's simulators send their webhooks: the same ingress, handed to the sandbox's services. */
export const SANDBOX_STRIPE_WEBHOOK_PATH = '/api/v1/sandbox/webhooks/stripe';
export const SANDBOX_ESIMGO_WEBHOOK_PATH = '/api/v1/sandbox/webhooks/esimgo';

/**
 * The public API on @ttelgo/http's common front. Before the JSON parser: the audit trail (it wraps every request),
 * the per-IP limit of anonymous writes, and the Stripe and eSIM Go webhooks, which need their raw bytes to check the signature. Then one router per
 * resource under /api/v1, the docs, and 404 + problem+json errors.
 */
export function createGatewayHttpApp(deps: GatewayHttpDeps): Express {
  const app = createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    service: 'gateway',
    bodyLimit: JSON_BODY_LIMIT,
    // ETags only where they mean something (the cached catalogue sets its own); not on problem bodies or the docs.
    settings: { 'trust proxy': deps.trustProxy, etag: false },
    beforeBodyParsers: (front) => {
      front.use(auditTrail({ sink: deps.audit, logger: deps.logger, ...(deps.onAnonymousWrite ? { onAnonymous: deps.onAnonymousWrite } : {}) }));
      front.use(limitAnonymousWrites({ limiter: deps.anonymousWriteLimit, logger: deps.logger, exempt: [STRIPE_WEBHOOK_PATH, ESIMGO_WEBHOOK_PATH, SANDBOX_STRIPE_WEBHOOK_PATH, SANDBOX_ESIMGO_WEBHOOK_PATH] }));
      front.post(STRIPE_WEBHOOK_PATH, ...stripeWebhookHandlers(deps.stripeWebhook));
      front.post(ESIMGO_WEBHOOK_PATH, ...esimGoWebhookHandlers(deps.esimGoWebhook));
      if (deps.sandboxWebhooks) {
        front.post(SANDBOX_STRIPE_WEBHOOK_PATH, ...stripeWebhookHandlers(deps.sandboxWebhooks.stripe));
        front.post(SANDBOX_ESIMGO_WEBHOOK_PATH, ...esimGoWebhookHandlers(deps.sandboxWebhooks.esimGo));
      }
    },
  });

  app.use(
    '/api/v1',
    bundlesRoutes({
      esim: deps.esim,
      cache: deps.catalogueCache,
      ...(deps.onCatalogueCacheOutcome ? { onCacheOutcome: deps.onCatalogueCacheOutcome } : {}),
    }),
  );
  app.use('/api/v1', authRoutes({ ...deps.auth, logger: deps.logger }));
  app.use('/api/v1', passwordResetRoutes({ ...deps.passwordReset, logger: deps.logger }));
  app.use('/api/v1', ordersRoutes({ order: deps.order, logger: deps.logger, authenticate: deps.auth.authenticate, idempotency: deps.orderIdempotency }));
  app.use('/api/v1', esimsRoutes({ esim: deps.esim, order: deps.order, logger: deps.logger, authenticate: deps.auth.authenticate, idempotency: deps.orderIdempotency }));
  app.use('/api/v1', vendorRoutes({ ...deps.vendor, order: deps.order, esim: deps.esim, logger: deps.logger }));
  app.use('/api/v1', installKitRoutes({ esim: deps.esim, authenticate: deps.auth.authenticate, authenticateVendor: deps.vendor.authenticate, apnRules: deps.installApnRules }));
  app.use('/api/v1', vendorQuoteRoutes({ order: deps.order, authenticate: deps.vendor.authenticate }));
  app.use('/api/v1', vendorCancellationRoutes({ order: deps.order, authenticate: deps.vendor.authenticate, idempotency: deps.vendor.idempotency }));
  app.use('/api/v1', vendorEventRoutes({ notification: deps.vendor.notification, authenticate: deps.vendor.authenticate, idempotency: deps.vendor.idempotency }));
  app.use('/api/v1', adminRoutes({ ...deps.admin, order: deps.order, authenticate: deps.auth.authenticate }));
  app.use('/api', docsRoutes(deps.openApi));
  finishHttpApp(app, deps.logger);
  return app;
}
