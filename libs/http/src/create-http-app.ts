import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { accessLog } from './access-log.middleware';
import { httpMetrics } from './http-metrics.middleware';
import { requestContext } from './request-context.middleware';

export interface CreateHttpAppOptions {
  logger: Logger;
  metrics?: ServiceMetrics;
  service: string;
  /** express.json limit, e.g. '100kb' (the default) */
  bodyLimit?: string;
  /** Express settings, e.g. `{ 'trust proxy': 1, etag: false }`. */
  settings?: Readonly<Record<string, unknown>>;
  /**
   * Middleware and routes that must run after the common front but BEFORE the JSON body parser: a route that needs
   * the raw bytes of its body (a signed webhook), or a middleware that wraps every request (an audit trail).
   */
  beforeBodyParsers?: (app: Express) => void;
}

/**
 * An Express 5 app with the platform's common front: helmet (its defaults, CSP included: a route serving Swagger UI
 * relaxes CSP for itself), request/correlation ids in the async context, access log, HTTP metrics and JSON bodies.
 * Add routes, then call finishHttpApp.
 */
export function createHttpApp(opts: CreateHttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // 'simple' (node:querystring) yields only strings and string arrays: `?a[b]=1` cannot smuggle an object into a handler.
  // Repeated keys still become arrays, which the zod query schemas reject where a string is expected.
  app.set('query parser', 'simple');
  app.locals['service'] = opts.service;
  for (const [name, value] of Object.entries(opts.settings ?? {})) app.set(name, value);

  app.use(requestContext());
  app.use(accessLog(opts.logger));
  if (opts.metrics) app.use(httpMetrics(opts.metrics));
  app.use(helmet());
  opts.beforeBodyParsers?.(app);
  // raw-body (under express.json) binds its callback to the caller's async context, so `next` stays inside
  // runWithContext even when the body arrives in later packets (request-context.spec.ts proves it).
  app.use(express.json({ limit: opts.bodyLimit ?? '100kb' }));
  return app;
}
