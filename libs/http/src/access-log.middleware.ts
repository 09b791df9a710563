import { AsyncResource } from 'node:async_hooks';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '@ttelgo/observability';

/**
 * The matched route template (`/api/v1/bundles/:name`) or `unmatched`; never the raw URL, which would blow up metric
 * cardinality. Routers mounted on a path with parameters would leak values through baseUrl: mount on static prefixes.
 */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  const full = `${req.baseUrl}${route.path}`;
  return full.length > 1 && full.endsWith('/') ? full.slice(0, -1) : full || '/';
}

function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** One info line per finished request (a warn line when the client went away before the response ended). */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let logged = false;
    const log = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      const fields = {
        method: req.method,
        route: routeTemplate(req),
        path: pathOf(req),
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      };
      if (aborted) logger.warn({ ...fields, aborted: true }, 'request aborted');
      else logger.info(fields, 'request completed');
    };
    // Captured here, inside the request context: 'finish'/'close' are emitted from socket callbacks, whose async
    // context is the connection's, not the request's. One AsyncResource run twice, not AsyncResource.bind per
    // listener: bind() wraps each function with a deprecation getter, a measurable cost on every request.
    const scope = new AsyncResource('ttelgo.access-log');
    res.once('finish', () => scope.runInAsyncScope(log, null, false));
    res.once('close', () => scope.runInAsyncScope(log, null, !res.writableFinished));
    next();
  };
}
