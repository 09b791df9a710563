import type { RequestHandler } from 'express';
import type { ServiceMetrics } from '@ttelgo/observability';
import { routeTemplate } from './access-log.middleware';

export function httpMetrics(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const stop = metrics.httpRequestDuration.startTimer();
    res.once('close', () => {
      stop({ method: req.method, route: routeTemplate(req), status: String(res.statusCode) });
    });
    next();
  };
}
