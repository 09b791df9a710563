/**
 * A faithful local eSIM Go v2.4 (also answering under /v2.5): the default provider when no ESIMGO_API_KEY
 * is set, and the fixture every test starts in-process on port 0.
 */
import express, { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { CallbackDispatcher } from './callbacks';
import { catalogueRoutes } from './catalogue.routes';
import { controlRoutes, createControl, type SimControl } from './control.routes';
import { esimsRoutes } from './esims.routes';
import { injectFaults, outageGuard, rateLimiter, type Hang } from './faults';
import { SimError, sendError } from './http.util';
import { networksRoutes } from './networks.routes';
import { ordersRoutes } from './orders.routes';
import { organisationRoutes } from './organisation.routes';
import { SimState } from './state';
import { createRng } from './catalogue.generator';

export const API_BASE_PATHS = ['/v2.4', '/v2.5'];
export const DEFAULT_API_KEY = 'esimgo-sim-key';
export const DEFAULT_SMDP_ADDRESS = 'rsp.esimgo-sim.local';

/** Structural, so the simulator works with or without @ttelgo/observability metrics. */
export interface HttpDurationMetric {
  httpRequestDuration: { observe(labels: { method: string; route: string; status: string }, seconds: number): void };
}

export interface EsimGoSimulatorOptions {
  apiKeys: string[];
  /** per client IP; default 10 (eSIM Go v2.4); 0 = off */
  rateLimitPerSecond?: number;
  callbackUrl?: string;
  /** default: the first API key, as eSIM Go signs with your API key */
  callbackSigningKey?: string;
  callbackDigest?: 'base64' | 'hex';
  /** catalogue seed; default 1 */
  seed?: number;
  logger: Logger;
  /** organisation balance at start and after reset, USD; default 10000 */
  initialBalance?: number;
  /** how long new assignments stay Processing before Queued; default 0 */
  processingDelayMs?: number;
  smdpAddress?: string;
  /** delays between callback attempts; default [200, 1000, 3000] (so 4 attempts) */
  callbackRetryDelaysMs?: number[];
  callbackTimeoutMs?: number;
  metrics?: HttpDurationMetric;
  now?: () => number;
  /** The sandbox's magic bundles (test_provisioning_fails, test_completes_after_5s, test_usage_80); default false. */
  testBundles?: boolean;
}

export interface EsimGoSimulator {
  app: Express;
  state: SimState;
  control: SimControl;
  /** stops callback retries and kills hanging (timeout-fault) requests so the server can close at once */
  close(): void;
}

export function createEsimGoSimulator(opts: EsimGoSimulatorOptions): EsimGoSimulator {
  if (opts.apiKeys.length === 0) throw new Error('esimgo-sim needs at least one API key');
  const logger = opts.logger;
  const seed = opts.seed ?? 1;
  const state = new SimState(
    {
      seed,
      initialBalance: opts.initialBalance ?? 10000,
      rateLimitPerSecond: opts.rateLimitPerSecond ?? 10,
      processingDelayMs: opts.processingDelayMs ?? 0,
      smdpAddress: opts.smdpAddress ?? DEFAULT_SMDP_ADDRESS,
      now: opts.now ?? Date.now,
      testBundles: opts.testBundles ?? false,
    },
    { url: opts.callbackUrl, signingKey: opts.callbackSigningKey, digest: opts.callbackDigest },
  );
  const callbacks = new CallbackDispatcher(state, {
    defaultSigningKey: opts.apiKeys[0]!,
    retryDelaysMs: opts.callbackRetryDelaysMs ?? [200, 1000, 3000],
    timeoutMs: opts.callbackTimeoutMs ?? 5000,
    logger,
  });
  const control = createControl(state, callbacks);
  const hangs = new Set<Hang>();
  const dice = createRng(seed ^ 0x5eed);
  const apiKeys = new Set(opts.apiKeys);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      opts.metrics?.httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      logger.info({ method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request');
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

  const api = Router();
  api.use((req, _res, next) => {
    const key = `${req.method} ${req.path}`;
    state.requestCounts[key] = (state.requestCounts[key] ?? 0) + 1;
    state.totalRequests += 1;
    state.rate.record();
    next();
  });
  api.use(outageGuard(state));
  api.use(rateLimiter(state));
  api.use((req, res, next) => {
    // Express lower-cases header names, so X-API-Key and X-API-KEY both arrive here.
    const key = req.get('x-api-key');
    if (!key || !apiKeys.has(key)) return sendError(res, 403, 'Unauthorised');
    next();
  });
  api.use(injectFaults(state, dice, hangs, logger));
  api.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  api.use(catalogueRoutes(state));
  api.use(networksRoutes(state));
  const later = new Set<NodeJS.Timeout>();
  api.use(ordersRoutes(state, { callbacks, later }));
  api.use(esimsRoutes(state));
  api.use(organisationRoutes(state));
  api.use((_req, res) => sendError(res, 404, 'Not Found'));
  app.use(API_BASE_PATHS, api);

  app.use((_req: Request, res: Response) => sendError(res, 404, 'Not Found'));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      logger.error({ err, path: req.path }, 'error after response started');
      res.destroy();
      return;
    }
    if (err instanceof SimError) return sendError(res, err.status, err.message, err.headers);
    const e = err as { type?: string; status?: number };
    if (e?.type === 'entity.parse.failed') return sendError(res, 400, 'Invalid JSON body');
    if (e?.type === 'entity.too.large') return sendError(res, 413, 'Request body too large');
    logger.error({ err, path: req.path }, 'unhandled simulator error');
    sendError(res, 500, 'Internal Server Error');
  });

  return {
    app,
    state,
    control,
    close() {
      for (const timer of later) clearTimeout(timer);
      later.clear();
      callbacks.close();
      for (const h of hangs) {
        clearTimeout(h.timer);
        h.socket.destroy();
      }
      hangs.clear();
    },
  };
}
