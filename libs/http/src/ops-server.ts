import express from 'express';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import { listen, type RunningServer } from './server';

export interface OpsServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Record<string, () => Promise<boolean> | boolean>;
  liveness?: Record<string, () => boolean>;
  /** Per readiness check; a check that does not answer in time counts as down. Default 2000 ms. */
  checkTimeoutMs?: number;
}

type CheckState = 'up' | 'down';

function runCheck(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`check timed out after ${timeoutMs} ms`)), timeoutMs);
    Promise.resolve()
      .then(check)
      .then(
        (ok) => {
          clearTimeout(timer);
          resolve(ok === true);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
  });
}

/** The operations port: /health/live, /health/ready and /metrics (kept off the public API port). */
export function startOpsServer(opts: OpsServerOptions): Promise<RunningServer> {
  const checkTimeoutMs = opts.checkTimeoutMs ?? 2000;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.get('/health/live', (_req, res) => {
    const checks: Record<string, CheckState> = {};
    for (const [name, check] of Object.entries(opts.liveness ?? {})) {
      let ok = false;
      try {
        ok = check() === true;
      } catch (err) {
        opts.logger.warn({ check: name, err }, 'liveness check threw');
      }
      checks[name] = ok ? 'up' : 'down';
    }
    const up = Object.values(checks).every((state) => state === 'up');
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'down', checks });
  });

  app.get('/health/ready', async (_req, res) => {
    const entries = Object.entries(opts.readiness);
    const results = await Promise.all(
      entries.map(async ([name, check]): Promise<[string, CheckState]> => {
        try {
          return [name, (await runCheck(check, checkTimeoutMs)) ? 'up' : 'down'];
        } catch (err) {
          opts.logger.warn({ check: name, err }, 'readiness check failed');
          return [name, 'down'];
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const up = results.every(([, state]) => state === 'up');
    res.status(up ? 200 : 503).json({ status: up ? 'ok' : 'down', checks });
  });

  app.get('/metrics', async (_req, res) => {
    try {
      const body = await opts.metrics.registry.metrics();
      res.setHeader('Content-Type', opts.metrics.registry.contentType);
      res.send(body);
    } catch (err) {
      opts.logger.error({ err }, 'metrics collection failed');
      res.status(500).type('text/plain').send('metrics collection failed');
    }
  });

  app.use((_req, res) => {
    res.status(404).json({ status: 'not found' });
  });

  return listen(app, opts.port, opts.host);
}
