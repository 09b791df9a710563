import type { Express } from 'express';
import { createHttpApp, finishHttpApp } from '@ttelgo/http';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { LoadOutcome, ResponseCache } from '../../infrastructure/response.cache';
import type { ServiceCaller } from '../../rpc/service.caller';
import type { CachedJson } from './cached-json';
import type { OpenApiDocument } from './openapi/openapi.document';
import { bundlesRoutes } from './routes/bundles.routes';
import { docsRoutes } from './routes/docs.routes';

export interface GatewayHttpDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  esim: ServiceCaller;
  catalogueCache: ResponseCache<CachedJson>;
  onCatalogueCacheOutcome?: (outcome: LoadOutcome) => void;
  openApi: OpenApiDocument;
}

/** The public API: one router per resource under /api/v1, then the docs, then 404 + problem+json errors. */
export function createGatewayHttpApp(deps: GatewayHttpDeps): Express {
  const app = createHttpApp({ logger: deps.logger, metrics: deps.metrics, service: 'gateway' });
  // ETags only where they mean something (the cached catalogue sets its own); not on problem bodies or the docs.
  app.set('etag', false);
  app.use(
    '/api/v1',
    bundlesRoutes({
      esim: deps.esim,
      cache: deps.catalogueCache,
      ...(deps.onCatalogueCacheOutcome ? { onCacheOutcome: deps.onCatalogueCacheOutcome } : {}),
    }),
  );
  app.use('/api', docsRoutes(deps.openApi));
  finishHttpApp(app, deps.logger);
  return app;
}
